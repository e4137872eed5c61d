"""Portal entry point, sign-in page and dashboard (/selfservice, /my)."""

from datetime import timedelta

from odoo import fields, http
from odoo.http import request
from odoo.tools import SQL

from odoo.addons.g2p_auth_esignet.controllers.main import EsignetLogin
from odoo.addons.g2p_auth_esignet.oidc import is_safe_redirect
from odoo.addons.g2p_portal_forms.models.g2p_program_registrant_info import (
    BLOCKING_STATES,
    OPEN_STATES,
)
from odoo.addons.portal.controllers.portal import CustomerPortal

PASSWORD_LOGIN_PARAM = "g2p_self_service_portal.password_login"
HOME_URL = "/selfservice/home"
LOGIN_URL = "/selfservice/login"
# What the dashboard shows at most, whatever the person's history: the
# page and its query count stay the same size.
DASHBOARD_PROGRAMS = 10
LATEST_APPLICATIONS = 5
ATTENTION_ITEMS = 5
CLOSING_SOON_DAYS = 7


def password_login_enabled(env):
    # sudo: a public page reads one setting, not a secret.
    value = env["ir.config_parameter"].sudo().get_param(PASSWORD_LOGIN_PARAM)
    return value not in (False, None, "", "False", "0")


def _signed_in():
    return bool(request.session.uid) and not request.env.user._is_public()


class SelfServiceHome(CustomerPortal):
    # -- entry point and sign-in ------------------------------------------------

    @http.route("/selfservice", type="http", auth="public", website=True)
    def selfservice(self, **kw):
        """The address OpenG2P's documentation gives: send the person on."""
        return request.redirect(HOME_URL if _signed_in() else LOGIN_URL)

    @http.route(HOME_URL, type="http", auth="public", website=True, sitemap=False)
    def selfservice_home(self, **kw):
        if not _signed_in():
            return request.redirect(LOGIN_URL)
        return self.home(**kw)

    @http.route(LOGIN_URL, type="http", auth="public", website=True)
    def selfservice_login(self, redirect=None, **kw):
        """National-ID buttons, and the password form if enabled."""
        redirect = redirect if is_safe_redirect(redirect) else HOME_URL
        # Website designers stay here so they can edit the page's text.
        if _signed_in() and not request.env.user.has_group(
            "website.group_website_designer"
        ):
            return request.redirect(redirect)
        # list_providers reads the target of its links from the request.
        request.params["redirect"] = redirect
        # National-ID providers only: a registrant has no other account.
        providers = [
            provider
            for provider in EsignetLogin().list_providers()
            if provider.get("flow") == "id_token_code"
        ]
        values = {
            "providers": providers,
            "password_login": password_login_enabled(request.env),
            "login_redirect": redirect,
        }
        return request.render("g2p_self_service_portal.selfservice_login", values)

    # -- dashboard ----------------------------------------------------------------

    @http.route()
    def home(self, **kw):
        values = self._prepare_portal_layout_values()
        # Registrants get their dashboard; other portal users (customers of
        # the same Odoo) keep Odoo's own portal home.
        if request.env.user.partner_id.is_registrant:
            values.update(self._prepare_g2p_dashboard_values())
        return request.render("portal.portal_my_home", values)

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "g2p_application_count" in counters:
            Application = request.env["g2p.program.registrant_info"]
            values["g2p_application_count"] = (
                Application.search_count(self._g2p_own_domain())
                if Application.check_access_rights("read", raise_exception=False)
                else 0
            )
        return values

    def _g2p_own_domain(self):
        return [("registrant_id", "=", request.env.user.partner_id.id)]

    def _prepare_g2p_dashboard_values(self):
        """The registrant's programs, latest applications and to-dos.

        Everything is read as the portal user (record rules restrict it to
        the person's own records) with a fixed number of queries: grouped
        reads and limited searches, never one query per program. Only the
        programs shown are named.
        """
        env = request.env
        Application = env["g2p.program.registrant_info"]
        if not Application.check_access_rights("read", raise_exception=False):
            return {"g2p_dashboard": False}
        today = fields.Date.context_today(Application)
        own = self._g2p_own_domain()
        # One grouped query over the applications the record rules select:
        # per program and state, how many and the latest (program ids, not
        # records: a person may have applied to hundreds of programs).
        query = Application._search(own)
        Application.flush_model(["program_id", "state"])
        table = SQL.identifier(query.table)
        env.cr.execute(
            SQL(
                "%s GROUP BY 1, 2",
                query.select(
                    SQL("%s.program_id", table),
                    SQL("%s.state", table),
                    SQL("COUNT(*)"),
                    SQL("MAX(%s.id)", table),
                ),
            )
        )
        per_program = {}
        for program_id, state, count, latest_id in env.cr.fetchall():
            if not program_id:
                continue
            entry = _program_entry(per_program, program_id)
            entry["count"] += count
            entry["latest_id"] = max(entry["latest_id"], latest_id)
            if state in BLOCKING_STATES:
                entry["blocking"] += count
            if state in OPEN_STATES:
                entry["open"] += count
        self._g2p_add_memberships(per_program)
        programs = sorted(
            per_program.values(),
            key=lambda e: (e["latest_id"], e["membership_id"]),
            reverse=True,
        )
        shown = programs[:DASHBOARD_PROGRAMS]
        # sudo: names of the programs of the person's own applications and
        # memberships (read above through the record rules); a program
        # unpublished since stays theirs to see by name.
        names = {
            row["id"]: row["name"]
            for row in env["g2p.program"]
            .sudo()
            .browse([entry["program_id"] for entry in shown])
            .read(["name"])
        }
        for entry in shown:
            entry["name"] = names.get(entry["program_id"], "")
        applications = Application.search(
            own, order="id desc", limit=LATEST_APPLICATIONS
        )
        latest = Application.browse([e["latest_id"] for e in shown if e["latest_id"]])
        # One read for both sets; read() names programs even when they are
        # no longer published.
        rows = {
            row["id"]: row
            for row in (latest | applications).read(
                ["application_id", "state", "program_id", "create_date"]
            )
        }
        for entry in shown:
            entry["application"] = rows.get(entry["latest_id"])
        attention = self._g2p_closing_soon(per_program, today)
        attention += self._g2p_documents_requested()
        return {
            "g2p_dashboard": True,
            "g2p_programs": shown,
            "g2p_program_total": len(programs),
            "g2p_applications": [rows[app.id] for app in applications],
            "g2p_attention": attention[:ATTENTION_ITEMS],
            "g2p_state_labels": dict(
                Application._fields["state"]._description_selection(env)
            ),
            "g2p_membership_labels": dict(
                env["g2p.program_membership"]
                ._fields["state"]
                ._description_selection(env)
            ),
        }

    def _g2p_add_memberships(self, per_program):
        Membership = request.env["g2p.program_membership"]
        if not Membership.check_access_rights("read", raise_exception=False):
            return
        # SQL on the person's own partner, which the record rule allows (as
        # superuser would): the rule's household branch would only add a
        # scan of every membership (OR with a subquery uses no index).
        Membership.flush_model(["partner_id", "program_id", "state"])
        request.env.cr.execute(
            SQL(
                "SELECT program_id, state, MAX(id) FROM g2p_program_membership "
                "WHERE partner_id = %s GROUP BY 1, 2",
                request.env.user.partner_id.id,
            )
        )
        for program_id, state, membership_id in request.env.cr.fetchall():
            entry = _program_entry(per_program, program_id)
            entry["membership_state"] = state
            entry["membership_id"] = max(entry["membership_id"], membership_id)

    def _g2p_closing_soon(self, per_program, today):
        """Programs the person can still apply to whose window closes soon."""
        Program = request.env["g2p.program"]
        candidates = Program.search_fetch(
            [
                ("portal_published", "=", True),
                ("state", "=", "active"),
                ("self_service_portal_form", "!=", False),
                ("portal_open_until", ">=", today),
                ("portal_open_until", "<=", today + timedelta(days=CLOSING_SOON_DAYS)),
                "|",
                ("portal_open_from", "=", False),
                ("portal_open_from", "<=", today),
            ],
            # What the page uses only (a program has dozens of fields).
            [
                "name",
                "portal_open_until",
                "is_multiple_form_submission",
                "portal_max_open_applications",
            ],
            order="portal_open_until, id",
            limit=ATTENTION_ITEMS * 4,
        )
        items = []
        for program in candidates:
            entry = per_program.get(program.id) or {}
            if entry.get("blocking") and not program.is_multiple_form_submission:
                continue
            if entry.get("open", 0) >= max(program.portal_max_open_applications, 1):
                continue
            items.append(
                {
                    "kind": "closing",
                    "program": program,
                    "date": program.portal_open_until,
                    "days": (program.portal_open_until - today).days,
                    "url": f"/my/programs/{program.id}/apply",
                }
            )
            if len(items) >= ATTENTION_ITEMS:
                break
        return items

    def _g2p_documents_requested(self):
        """Applied-for applications still lacking a mandatory document."""
        env = request.env
        Application = env["g2p.program.registrant_info"]
        # One query for the candidates with their fields and one for their
        # programs' names, whatever the cache holds: the same count always.
        # The latest applications still being considered (by the person's
        # index), then the mandatory documents of their programs: no join
        # through every program's requirements.
        found = Application.search_fetch(
            self._g2p_own_domain() + [("state", "=", "active")],
            ["application_id", "program_id"],
            order="id desc",
            limit=ATTENTION_ITEMS * 4,
        )
        if not found:
            return []
        program_ids = list({record.program_id.id for record in found})
        # sudo: names of the programs of the person's own applications.
        program_names = {
            row["id"]: row["name"]
            for row in env["g2p.program"]
            .sudo()
            .search_read([("id", "in", program_ids)], ["name"])
        }
        candidates = [
            {
                "id": record.id,
                "application_id": record.application_id,
                "program_id": (
                    record.program_id.id,
                    program_names.get(record.program_id.id, ""),
                ),
            }
            for record in found
        ]
        requirements = env["g2p.program.document.requirement"].search_read(
            [("program_id", "in", program_ids), ("mandatory", "=", True)],
            ["program_id", "name"],
            order="sequence, id",
        )
        given = env["storage.file"].search_read(
            [
                ("program_registrant_info_id", "in", [r["id"] for r in candidates]),
                ("portal_requirement_id", "!=", False),
            ],
            ["program_registrant_info_id", "portal_requirement_id"],
        )
        given_pairs = {
            (row["program_registrant_info_id"][0], row["portal_requirement_id"][0])
            for row in given
        }
        items = []
        for application in candidates:
            missing = [
                req["name"]
                for req in requirements
                if req["program_id"][0] == application["program_id"][0]
                and (application["id"], req["id"]) not in given_pairs
            ]
            if missing:
                items.append(
                    {
                        "kind": "documents",
                        "application": application,
                        "documents": missing,
                        "url": f"/my/applications/{application['id']}",
                    }
                )
            if len(items) >= ATTENTION_ITEMS:
                break
        return items


def _program_entry(per_program, program_id):
    """The dashboard line of a program, created empty on first use."""
    return per_program.setdefault(
        program_id,
        {
            "program_id": program_id,
            "name": "",
            "latest_id": 0,
            "blocking": 0,
            "open": 0,
            "count": 0,
            "membership_state": False,
            "membership_id": 0,
        },
    )
