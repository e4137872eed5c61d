"""Assisted applications: a registration officer applies for a registrant.

The officer finds or registers the registrant, records their consent,
captures their biometrics through the SBI device on the officer's machine
(the browser talks to the device; the server verifies what it answers),
then fills the program's form — the same form, checks and rules as the
self-service apply page (``g2p.program._portal_*``).

Every route needs the Registration officer group; anybody else gets a 404.
The capture steps (JSON) are in ``capture``.
Officers read registrants, programs and applications with their own access
rights (OpenG2P Registrar); ``sudo()`` only where noted.
"""

import logging

from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import http
from odoo.http import request

from odoo.addons.g2p_portal_forms.controllers.apply import (
    PortalApply,
    read_answers,
)
from odoo.addons.g2p_portal_forms.exceptions import (
    ApplicationRefused,
    SubmissionInvalid,
)
from odoo.addons.g2p_self_service_portal.controllers.paging import paged_search
from odoo.addons.g2p_self_service_portal.controllers.profile import (
    profile_context,
    profile_genders,
)
from odoo.addons.g2p_self_service_portal.profile_core import check_profile
from odoo.addons.g2p_self_service_portal.profile_core import errors as e
from odoo.addons.g2p_self_service_portal.profile_messages import translated

_logger = logging.getLogger(__name__)

OFFICER_GROUP = "g2p_biometric_assist.group_registration_officer"
RESULTS_PER_PAGE = 20
MAX_QUERY = 100
NEW_REGISTRANT_FIELDS = (
    "given_name",
    "family_name",
    "addl_name",
    "birthdate",
    "gender",
    "phone",
    "email",
)
BIOMETRICS_ACR = "mosip:idp:acr:biometrics"


def officer():
    """The signed-in registration officer, or 404 for anybody else."""
    user = request.env.user
    if user._is_public() or not user.has_group(OFFICER_GROUP):
        raise NotFound()
    return user


def registrant(partner_id):
    """A registrant the officer may read (their access rights), or 404."""
    partner = request.env["res.partner"].search(
        [
            ("id", "=", partner_id),
            ("is_registrant", "=", True),
            ("is_group", "=", False),
        ]
    )
    if not partner:
        raise NotFound()
    return partner


def program_or_404(program_id):
    program = request.env["g2p.program"].search([("id", "=", program_id)])
    if not program:
        raise NotFound()
    return program


def _clean_query(text):
    text = " ".join(str(text or "").split())
    return text[:MAX_QUERY]


class AssistedApplication(PortalApply):
    """Routes under /assist; the form pages reuse PortalApply's rendering."""

    # -- finding a registrant ------------------------------------------------

    @http.route(
        ["/assist", "/assist/page/<int:page>"],
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def assist_search(self, page=1, q="", **kw):
        officer()
        query = _clean_query(q)
        Partner = request.env["res.partner"]
        registrants, pager = Partner.browse(), None
        if query:
            registrants, pager = paged_search(
                Partner,
                Partner._g2p_assist_search_domain(query),
                "name, id",
                "/assist",
                {"q": query},
                page,
                RESULTS_PER_PAGE,
            )
        return request.render(
            "g2p_biometric_assist.assist_search",
            {
                "query": query,
                "registrants": registrants,
                "pager": pager,
                "biometric_login": self._biometric_login_method(),
                "page_name": "g2p_assist",
            },
        )

    # -- registering a new registrant ---------------------------------------

    def _render_register(self, posted=None, errors=None, status=200):
        return request.render(
            "g2p_biometric_assist.assist_register",
            {
                "posted": posted or {},
                "register_errors": errors or {},
                "genders": profile_genders(),
                "page_name": "g2p_assist",
            },
            status=status,
        )

    @http.route(
        "/assist/register",
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def assist_register(self, **post):
        officer()
        if request.httprequest.method != "POST":
            return self._render_register()
        form = {
            name: post[name]
            for name in NEW_REGISTRANT_FIELDS
            if isinstance(post.get(name), str)
        }
        # A new registrant: an empty partner, every current value empty.
        nobody = request.env["res.partner"]
        result = check_profile(form, profile_context(nobody, form), {})
        errors = {
            name: translated(code, params)
            for name, (code, params) in result.errors.items()
        }
        for name in ("given_name", "family_name"):
            if not result.errors and not result.values.get(name):
                errors[name] = translated(e.REQUIRED, {})
        if errors:
            _logger.info(
                "New registrant not created by user %s: %s",
                request.env.uid,
                ", ".join(sorted(errors)),
            )
            return self._render_register(posted=form, errors=errors, status=400)
        values = dict(result.values, is_registrant=True, is_group=False)
        partner = request.env["res.partner"].create(values)
        _logger.info(
            "Registrant %s registered by officer %s", partner.id, request.env.uid
        )
        return request.redirect(f"/assist/registrant/{partner.id}?new=1", code=303)

    # -- the registrant's page -----------------------------------------------

    def _open_programs(self, partner):
        """Programs open on the portal, and why one cannot be applied to."""
        programs = request.env["g2p.program"].search(
            [("portal_published", "=", True), ("state", "=", "active")],
            order="name, id",
        )
        # sudo: the apply rules read the registrant's applications and the
        # form, as on the self-service page.
        refused = programs.sudo()._portal_refusal_messages(partner)
        rows = []
        for program in programs:
            if program.sudo().self_service_portal_form:
                rows.append({"program": program, "refused": refused[program.id]})
        return rows

    @http.route(
        "/assist/registrant/<int:partner_id>",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def assist_registrant(self, partner_id, **kw):
        officer()
        partner = registrant(partner_id)
        Consent = request.env["g2p.biometric.consent"]
        applications = request.env["g2p.program.registrant_info"].search(
            [("registrant_id", "=", partner.id)],
            order="create_date desc, id desc",
            limit=10,
        )
        return request.render(
            "g2p_biometric_assist.assist_registrant",
            {
                "registrant": partner,
                "new": kw.get("new") == "1",
                "consent": Consent._g2p_current(partner),
                "consent_error": kw.get("consent") == "missing",
                "consent_statement": Consent._g2p_statement(),
                "consent_methods": Consent._g2p_methods(),
                "programs": self._open_programs(partner),
                "applications": applications,
                "captures": request.env["g2p.biometric.capture"].search(
                    [("partner_id", "=", partner.id)], limit=10
                ),
                "page_name": "g2p_assist",
            },
        )

    @http.route(
        "/assist/registrant/<int:partner_id>/consent",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def assist_consent(self, partner_id, method="", agreed="", statement="", **kw):
        officer()
        partner = registrant(partner_id)
        Consent = request.env["g2p.biometric.consent"]
        if agreed != "1" or not Consent._g2p_record(partner, method):
            return request.redirect(
                f"/assist/registrant/{partner.id}?consent=missing", code=303
            )
        redirect = kw.get("next")
        if isinstance(redirect, str) and redirect.startswith(
            f"/assist/registrant/{partner.id}/"
        ):
            return request.redirect(redirect, code=303)
        return request.redirect(f"/assist/registrant/{partner.id}", code=303)

    # -- applying on the registrant's behalf ---------------------------------

    def _assist_values(self, partner, program):
        base = f"/assist/registrant/{partner.id}/program/{program.id}"
        return {
            "assisted": True,
            "registrant": partner,
            "apply_action": f"{base}/apply",
            "draft_url": "",  # the registrant's draft is theirs alone
            "capture_start_url": f"{base}/capture/start",
            "capture_submit_url": f"{base}/capture",
            "capture_threshold": program.biometric_min_quality,
            "capture_required": program.biometric_capture_required,
            "page_name": "g2p_assist",
        }

    @http.route(
        "/assist/registrant/<int:partner_id>/program/<int:program_id>/apply",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def assist_apply_page(self, partner_id, program_id, **kw):
        officer()
        partner = registrant(partner_id)
        program = program_or_404(program_id)
        if not request.env["g2p.biometric.consent"]._g2p_current(partner):
            query = url_encode({"consent": "missing"})
            return request.redirect(f"/assist/registrant/{partner.id}?{query}")
        try:
            # sudo: as on the self-service page, the rules read the
            # registrant's applications and the form builder. Their own
            # draft is not shown to the officer.
            context = program.sudo()._portal_apply_context(partner, own_draft=False)
        except ApplicationRefused as refusal:
            return self._refused(program, refusal)
        return self._render_form(
            program, context, **self._assist_values(partner, program)
        )

    @http.route(
        "/assist/registrant/<int:partner_id>/program/<int:program_id>/apply",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        sitemap=False,
        max_content_length=64 * 1024 * 1024,
    )
    def assist_apply_submit(
        self,
        partner_id,
        program_id,
        submission="",
        token="",
        digest="",
        capture_ids="",
        **kw,
    ):
        officer()
        partner = registrant(partner_id)
        program = program_or_404(program_id)
        extra = self._assist_values(partner, program)
        data = None
        try:
            data = read_answers(submission, program)
            application = program._assist_submit(
                partner, data, self._uploads(program), token, digest, capture_ids
            )
            request.env.cr.commit()
        except ApplicationRefused as refusal:
            request.env.cr.rollback()
            if refusal.code in ("form.changed", "form.expired"):
                return self._form_again(
                    program, partner, data, refusal, {}, own_draft=False, **extra
                )
            return self._refused(program, refusal)
        except SubmissionInvalid as invalid:
            request.env.cr.rollback()
            return self._form_again(
                program,
                partner,
                data,
                invalid,
                invalid.field_errors,
                own_draft=False,
                **extra,
            )
        return request.redirect(
            f"/assist/registrant/{partner.id}/applied/{application.id}", code=303
        )

    @http.route(
        "/assist/registrant/<int:partner_id>/applied/<int:application_id>",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def assist_applied(self, partner_id, application_id, **kw):
        officer()
        partner = registrant(partner_id)
        application = request.env["g2p.program.registrant_info"].search(
            [("id", "=", application_id), ("registrant_id", "=", partner.id)]
        )
        if not application:
            raise NotFound()
        return request.render(
            "g2p_biometric_assist.assist_applied",
            {
                "registrant": partner,
                "application": application,
                "page_name": "g2p_assist",
            },
        )

    # -- signing in with a fingerprint on the officer's machine --------------

    def _biometric_login_method(self):
        # sudo: provider and button records are admin-only; ids and labels.
        return (
            request.env["g2p.esignet.login.method"]
            .sudo()
            .search(
                [
                    ("acr_values", "=", BIOMETRICS_ACR),
                    ("provider_id.enabled", "=", True),
                ],
                limit=1,
            )
        )

    @http.route(
        "/assist/biometric-login",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def assist_biometric_login(self, **kw):
        """Hand the machine to the registrant: the officer is signed out and
        eSignet's biometrics login starts (it reaches the same SBI device)."""
        officer()
        method = self._biometric_login_method()
        if not method:
            raise NotFound()
        _logger.info(
            "Officer %s handed the machine over for a biometric login", request.env.uid
        )
        request.session.logout(keep_db=True)
        query = url_encode({"method": method.id, "redirect": "/my"})
        return request.redirect(
            f"/auth_esignet/login/{method.provider_id.id}?{query}", code=303
        )
