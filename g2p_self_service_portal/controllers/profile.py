"""The registrant's profile (/my/account) and what they submitted.

A registrant's own partner is read as the portal user. The write goes
through ``sudo()`` on that one record (``request.env.user.partner_id``):
portal users have no write access to partners, and Odoo's own /my/account
writes the same way. g2p_auth_esignet's ``res.partner.write`` refuses any
change of a field verified through the national ID even under sudo,
because ``env.user`` stays the registrant.
"""

import logging

from odoo import _, fields, http
from odoo.exceptions import AccessError, ValidationError
from odoo.http import request

from odoo.addons.g2p_auth_esignet.controllers.portal import EsignetCustomerPortal
from odoo.addons.g2p_auth_esignet.oidc import is_safe_redirect

from ..profile_core import PROFILE_FIELDS, ProfileContext, check_profile
from ..profile_core import errors as e
from ..profile_messages import translated
from .applications import applied_programs, displayed_answers
from .paging import paged_search

_logger = logging.getLogger(__name__)

SUBMISSIONS_PER_PAGE = 10
# Fields shown on the page and their place; the values are read once.
PERSONAL_FIELDS = (
    "given_name",
    "family_name",
    "addl_name",
    "birthdate",
    "birth_place",
    "gender",
)
CONTACT_FIELDS = ("email", "phone")
ADDRESS_FIELDS = ("street", "street2", "city", "zip", "country_id", "state_id")


def _is_registrant(partner):
    return bool(partner.is_registrant) and not partner.is_group


def _posted_id(value):
    """The record ID a form posted, or 0."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 9:
        return int(value)
    return 0


def profile_locked(partner):
    """Fields verified through the national ID (g2p_auth_esignet); none for
    a new registrant (an empty partner)."""
    return frozenset(partner._esignet_locked_field_set()) if partner else frozenset()


def profile_genders():
    """[(label, code)] of the genders offered."""
    # sudo: the list of genders is configuration, not personal data,
    # and portal users have no access to gender.type.
    genders = request.env["gender.type"].sudo().search_read([], ["value", "code"])
    return [(row["value"], row["code"]) for row in genders]


def profile_languages():
    """[(code, name)] of the website's languages."""
    website = request.website
    languages = website.language_ids if website else request.env["res.lang"]
    return [(lang.code, lang.name) for lang in languages]


def profile_country(partner, posted=None):
    """The country the form is about: the one posted, else the person's."""
    return _posted_id((posted or {}).get("country_id")) or partner.country_id.id


def profile_context(partner, form=None):
    """What the profile checks (``check_profile``) need to judge ``form`` for
    ``partner``: the one place it is built, for the registrant's own profile
    page and for an officer registering someone new (an empty partner)."""
    env = request.env
    countries = env["res.country"].search_read([], ["code"])
    states = env["res.country.state"].search_read(
        [
            "|",
            (
                "country_id",
                "in",
                [partner.country_id.id, profile_country(partner, form)],
            ),
            # The posted region, to say which country it belongs to.
            ("id", "=", _posted_id((form or {}).get("state_id"))),
        ],
        ["country_id"],
    )
    country = partner.country_id or env.company.country_id
    return ProfileContext(
        today=fields.Date.context_today(partner),
        locked=profile_locked(partner),
        countries={row["id"]: row["code"] for row in countries},
        states={row["id"]: row["country_id"][0] for row in states},
        genders=frozenset(code for code, _label in profile_genders()),
        languages=frozenset(code for code, _label in profile_languages()),
        default_region=country.code or None,
    )


class ProfilePortal(EsignetCustomerPortal):
    # -- the profile ---------------------------------------------------------

    def _profile_values(self, partner, posted=None, errors=None):
        Country = request.env["res.country"]
        State = request.env["res.country.state"]
        reg_ids = request.env["g2p.reg.id"].search(
            [("partner_id", "=", partner.id), ("is_psut", "=", False)],
            order="id",
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "partner": partner,
                "current": partner._esignet_current_values(PROFILE_FIELDS),
                "posted": posted or {},
                "profile_errors": errors or {},
                "locked": profile_locked(partner),
                "countries": Country.search([]),
                # Only the chosen country's regions: all of them would make
                # the page several times heavier. Another country's regions
                # are offered once it is saved.
                "states": State.search(
                    [("country_id", "=", profile_country(partner, posted))]
                ),
                "genders": profile_genders(),
                "languages": profile_languages(),
                # sudo: the ID type names of the person's own IDs (read above
                # through the record rules).
                "reg_ids": [
                    {
                        "type": reg.id_type.sudo().name,
                        "value": reg.value,
                        "expiry": reg.expiry_date,
                    }
                    for reg in reg_ids
                ],
                "personal_fields": PERSONAL_FIELDS,
                "contact_fields": CONTACT_FIELDS,
                "address_fields": ADDRESS_FIELDS,
                "field_labels": {
                    name: partner._fields[name].get_description(request.env)["string"]
                    for name in PROFILE_FIELDS
                },
                # Registrants without a national ID yet may link one here.
                "esignet_link_providers": self._esignet_link_providers(partner),
                "page_name": "my_details",
            }
        )
        return values

    def _render_profile(self, values, status=200):
        response = request.render(
            "g2p_self_service_portal.portal_my_profile", values, status=status
        )
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response

    @http.route()
    def account(self, redirect=None, **post):
        partner = request.env.user.partner_id
        if not _is_registrant(partner):
            return super().account(redirect=redirect, **post)
        if request.httprequest.method != "POST":
            values = self._profile_values(partner)
            values["saved"] = request.params.get("saved") == "1"
            return self._render_profile(values)
        form = {name: post[name] for name in PROFILE_FIELDS if name in post}
        result = check_profile(
            form,
            profile_context(partner, form),
            partner._esignet_current_values(PROFILE_FIELDS),
        )
        errors = {
            name: translated(code, params)
            for name, (code, params) in result.errors.items()
        }
        if not errors and result.values:
            errors = self._profile_write(partner, result.values)
        if errors:
            problems = [f"{name}={code}" for name, (code, _p) in result.errors.items()]
            _logger.info(
                "Profile of partner %s not saved: %s",
                partner.id,
                ", ".join(problems or errors),
            )
            values = self._profile_values(partner, posted=form, errors=errors)
            values["error_summary"] = (
                _("Your details were not saved: 1 field needs your attention.")
                if len(errors) == 1
                else _(
                    "Your details were not saved: %(count)s fields need your "
                    "attention.",
                    count=len(errors),
                )
            )
            return self._render_profile(values, status=400)
        if redirect and is_safe_redirect(redirect):
            return request.redirect(redirect)
        return request.redirect("/my/account?saved=1")

    def _profile_write(self, partner, values):
        """Write the checked values; {field: sentence} if the registry refuses."""
        try:
            with request.env.cr.savepoint():
                # sudo: the person's own partner (see the module docstring).
                partner.sudo().write(values)
                if values.get("phone") and "phone_number_ids" in partner._fields:
                    partner.sudo()._registry_add_phone_number(values["phone"])
        except AccessError as error:
            # A verified field changed since the page was read.
            _logger.info("Profile of partner %s: locked field refused", partner.id)
            return {"__all__": str(error)}
        except ValidationError as error:
            # The registry's own checks (its phone pattern, say).
            _logger.info(
                "Profile of partner %s refused by the registry: %s",
                partner.id,
                type(error).__name__,
            )
            field = "phone" if "phone" in values else "__all__"
            return {field: error.args[0] if error.args else translated(e.INVALID)}
        return {}

    # -- what I have submitted ----------------------------------------------

    @http.route(
        ["/my/submissions", "/my/submissions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_submissions(self, page=1, program=None, **kw):
        """Every answer given, grouped by program and by date."""
        Application = request.env["g2p.program.registrant_info"]
        domain = [("registrant_id", "=", request.env.user.partner_id.id)]
        program_id = int(program) if program and str(program).isdigit() else 0
        if program_id:
            domain.append(("program_id", "=", program_id))
        applications, pager = paged_search(
            Application,
            domain,
            "program_id, create_date desc, id desc",
            "/my/submissions",
            {"program": program_id} if program_id else {},
            page,
            SUBMISSIONS_PER_PAGE,
        )
        # One read for the page's documents, none per application.
        documents = request.env["storage.file"].search_read(
            [("program_registrant_info_id", "in", applications.ids)],
            ["name", "program_registrant_info_id"],
            order="id",
        )
        documents_of = {}
        for document in documents:
            application_id = document["program_registrant_info_id"][0]
            documents_of.setdefault(application_id, []).append(document)
        filter_programs = applied_programs(request.env, domain[:1])
        program_names = {p.id: p.name for p in filter_programs}
        groups = []
        for application in applications:
            if not groups or groups[-1]["program_id"] != application.program_id.id:
                groups.append(
                    {
                        "program_id": application.program_id.id,
                        "name": program_names.get(application.program_id.id, ""),
                        "submissions": [],
                    }
                )
            groups[-1]["submissions"].append(
                {
                    "application": application,
                    "date": application.portal_submitted_at or application.create_date,
                    "answers": displayed_answers(application),
                    "documents": documents_of.get(application.id, []),
                }
            )
        states = dict(Application._fields["state"]._description_selection(request.env))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "groups": groups,
                "pager": pager,
                "state_labels": states,
                "filter_programs": filter_programs,
                "program_id": program_id,
                "page_name": "g2p_submissions",
            }
        )
        return request.render("g2p_self_service_portal.portal_my_submissions", values)

    # -- shared ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "g2p_submission_count" in counters:
            values["g2p_submission_count"] = request.env[
                "g2p.program.registrant_info"
            ].search_count([("registrant_id", "=", request.env.user.partner_id.id)])
        return values
