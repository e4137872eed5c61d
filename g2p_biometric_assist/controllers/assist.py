"""Assisted applications: a registration officer applies for a registrant.

The officer finds or registers the registrant, records their consent,
captures their biometrics through the SBI device on the officer's machine
(the browser talks to the device; the server verifies what it answers),
then fills the program's form — the same form, checks and rules as the
self-service apply page (``g2p.program._portal_*``).

Every route needs the Registration officer group; anybody else gets a 404.
Officers read registrants, programs and applications with their own access
rights (OpenG2P Registrar); ``sudo()`` only where noted.
"""

import logging
import time
from datetime import timedelta

from werkzeug.exceptions import NotFound
from werkzeug.urls import url_encode

from odoo import _, fields, http
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
from odoo.addons.g2p_self_service_portal.profile_core import (
    PROFILE_FIELDS,
    ProfileContext,
    check_profile,
)
from odoo.addons.g2p_self_service_portal.profile_core import errors as e
from odoo.addons.g2p_self_service_portal.profile_messages import translated

from ..models.g2p_biometric_capture import CaptureRefused

_logger = logging.getLogger(__name__)

OFFICER_GROUP = "g2p_biometric_assist.group_registration_officer"
PENDING_KEY = "g2p_sbi_pending"
PENDING_MAX = 8
PENDING_SECONDS = 15 * 60
# A capture is used for an application of the same visit only.
CAPTURE_USABLE_HOURS = 2
RESULTS_PER_PAGE = 20
MAX_QUERY = 100
MAX_RESPONSE_CHARS = 16 * 1024 * 1024
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


def _officer():
    """The signed-in registration officer, or 404 for anybody else."""
    user = request.env.user
    if user._is_public() or not user.has_group(OFFICER_GROUP):
        raise NotFound()
    return user


def _registrant(partner_id):
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


def _program(program_id):
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

    def _search_domain(self, query):
        domain = [("is_registrant", "=", True), ("is_group", "=", False)]
        if not query:
            return domain
        terms = ["|", ("name", "ilike", query), ("reg_ids.value", "=", query)]
        if query.isdigit() and len(query) <= 9:
            terms = ["|", ("id", "=", int(query))] + terms
        return domain + terms

    @http.route(
        ["/assist", "/assist/page/<int:page>"],
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def assist_search(self, page=1, q="", **kw):
        _officer()
        query = _clean_query(q)
        registrants, pager = request.env["res.partner"].browse(), None
        if query:
            registrants, pager = paged_search(
                request.env["res.partner"],
                self._search_domain(query),
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

    def _genders(self):
        # sudo: the list of genders is configuration.
        rows = request.env["gender.type"].sudo().search_read([], ["value", "code"])
        return [(row["value"], row["code"]) for row in rows]

    def _render_register(self, posted=None, errors=None, status=200):
        return request.render(
            "g2p_biometric_assist.assist_register",
            {
                "posted": posted or {},
                "register_errors": errors or {},
                "genders": self._genders(),
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
        _officer()
        if request.httprequest.method != "POST":
            return self._render_register()
        form = {
            name: post[name]
            for name in NEW_REGISTRANT_FIELDS
            if isinstance(post.get(name), str)
        }
        company = request.env.company
        context = ProfileContext(
            today=fields.Date.context_today(request.env.user),
            genders=frozenset(code for code, _label in self._genders()),
            default_region=company.country_id.code or None,
        )
        empty = dict.fromkeys(PROFILE_FIELDS, False)
        result = check_profile(form, context, empty)
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
        rows = []
        for program in programs:
            try:
                # sudo: the apply rules read the registrant's applications
                # and the form, as on the self-service page.
                program.sudo()._portal_check_can_apply(partner)
                reason = None
            except ApplicationRefused as refusal:
                reason = str(refusal.args[0])
            if program.sudo().self_service_portal_form:
                rows.append({"program": program, "refused": reason})
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
        _officer()
        partner = _registrant(partner_id)
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
                "consent_statement": self._consent_statement(),
                "consent_methods": Consent._fields["method"]._description_selection(
                    request.env
                ),
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
        _officer()
        partner = _registrant(partner_id)
        Consent = request.env["g2p.biometric.consent"]
        methods = dict(Consent._fields["method"]._description_selection(request.env))
        if agreed != "1" or method not in methods:
            return request.redirect(
                f"/assist/registrant/{partner.id}?consent=missing", code=303
            )
        consent = Consent.create(
            {
                "partner_id": partner.id,
                "method": method,
                "statement": self._consent_statement(),
            }
        )
        request.env["g2p.biometric.audit"]._g2p_log(
            "consent", partner=partner, reason=methods[method]
        )
        _logger.info(
            "Consent %s recorded for partner %s by officer %s",
            consent.id,
            partner.id,
            request.env.uid,
        )
        redirect = kw.get("next")
        if isinstance(redirect, str) and redirect.startswith(
            f"/assist/registrant/{partner.id}/"
        ):
            return request.redirect(redirect, code=303)
        return request.redirect(f"/assist/registrant/{partner.id}", code=303)

    def _consent_statement(self):
        return _(
            "I agree that my fingerprints, irises or face are captured to apply "
            "to social protection programs on my behalf, stored encrypted, seen "
            "only by registration officers, and deleted after the retention "
            "period."
        )

    # -- capturing -----------------------------------------------------------

    def _pending(self):
        now = time.time()
        pending = {
            txn: entry
            for txn, entry in (request.session.get(PENDING_KEY) or {}).items()
            if now - entry.get("at", 0) < PENDING_SECONDS
        }
        return pending

    @http.route(
        "/assist/registrant/<int:partner_id>/program/<int:program_id>/capture/start",
        type="json",
        auth="user",
        methods=["POST"],
    )
    def capture_start(
        self,
        partner_id,
        program_id,
        device=None,
        bio_type=None,
        bio_sub_types=None,
        count=None,
        exceptions=None,
        **kw,
    ):
        _officer()
        partner = _registrant(partner_id)
        program = _program(program_id)
        Capture = request.env["g2p.biometric.capture"]
        if not request.env["g2p.biometric.consent"]._g2p_current(partner):
            return {
                "ok": False,
                "code": "no_consent",
                "message": _("Record the registrant's consent before capturing."),
            }
        try:
            sbi_request = Capture._g2p_capture_request(
                program,
                device if isinstance(device, dict) else {},
                bio_type,
                bio_sub_types if isinstance(bio_sub_types, list) else [],
                count,
                exceptions if isinstance(exceptions, list) else [],
            )
        except CaptureRefused as refused:
            return {"ok": False, "code": refused.code, "message": str(refused)}
        pending = self._pending()
        transaction_id = sbi_request.body["transactionId"]
        pending[transaction_id] = {
            "partner": partner.id,
            "program": program.id,
            "uid": request.env.uid,
            "body": sbi_request.body,
            "at": time.time(),
        }
        newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_MAX:]
        request.session[PENDING_KEY] = dict(newest)
        return {
            "ok": True,
            "transaction_id": transaction_id,
            "method": sbi_request.http_method,
            "body": sbi_request.body,
            "timeout_ms": sbi_request.body["timeout"],
        }

    @http.route(
        "/assist/registrant/<int:partner_id>/program/<int:program_id>/capture",
        type="json",
        auth="user",
        methods=["POST"],
    )
    def capture_submit(
        self, partner_id, program_id, transaction_id=None, response=None, **kw
    ):
        _officer()
        partner = _registrant(partner_id)
        program = _program(program_id)
        Capture = request.env["g2p.biometric.capture"]
        pending = self._pending()
        entry = pending.pop(str(transaction_id or ""), None)
        request.session[PENDING_KEY] = pending
        device_error = kw.get("device_error")
        if isinstance(device_error, dict):
            # The capture failed on the officer's machine (the browser says how).
            kind = device_error.get("kind")
            code = (
                kind
                if kind in ("device_gone", "timeout", "too_large")
                else "device_failed"
            )
            _logger.info(
                "Biometric capture for partner %s failed on the officer's machine: %s",
                partner.id,
                code,
            )
            return {
                "ok": False,
                "code": code,
                "message": Capture._g2p_refusal_message(code),
            }
        if (
            not entry
            or entry["partner"] != partner.id
            or entry["program"] != program.id
            or entry["uid"] != request.env.uid
        ):
            return {
                "ok": False,
                "code": "expired_request",
                "message": Capture._g2p_refusal_message("expired_request"),
            }
        if not isinstance(response, str) or len(response) > MAX_RESPONSE_CHARS:
            code = "too_large" if isinstance(response, str) else "malformed"
            return {
                "ok": False,
                "code": code,
                "message": Capture._g2p_refusal_message(code),
            }
        consent = request.env["g2p.biometric.consent"]._g2p_current(partner)
        try:
            capture = Capture._g2p_accept(
                partner, program, consent, entry["body"], response
            )
        except CaptureRefused as refused:
            request.env.cr.rollback()
            return {"ok": False, "code": refused.code, "message": str(refused)}
        lowest = f"{capture.min_quality:g}"
        return {
            "ok": True,
            "capture_id": capture.id,
            "message": _(
                "Capture accepted: %(count)s verified, lowest quality %(quality)s.",
                count=capture.segment_count,
                quality=lowest,
            ),
            "biometrics": [
                dict(segment, requested_score=program.biometric_min_quality)
                for segment in capture.segments or []
            ],
        }

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
        _officer()
        partner = _registrant(partner_id)
        program = _program(program_id)
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

    def _usable_captures(self, partner, program, capture_ids):
        ids = []
        for part in str(capture_ids or "").split(","):
            part = part.strip()
            if part.isdigit() and len(part) <= 9:
                ids.append(int(part))
        if not ids:
            return request.env["g2p.biometric.capture"].browse()
        since = fields.Datetime.now() - timedelta(hours=CAPTURE_USABLE_HOURS)
        return request.env["g2p.biometric.capture"].search(
            [
                ("id", "in", ids[:20]),
                ("partner_id", "=", partner.id),
                ("program_id", "=", program.id),
                ("officer_id", "=", request.env.uid),
                ("application_id", "=", False),
                ("captured_at", ">=", since),
            ]
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
        officer = _officer()
        partner = _registrant(partner_id)
        program = _program(program_id)
        extra = self._assist_values(partner, program)
        data = None
        captures = self._usable_captures(partner, program, capture_ids)
        sudo_program = program.sudo()  # as on the self-service apply page
        try:
            if not request.env["g2p.biometric.consent"]._g2p_current(partner):
                raise SubmissionInvalid(
                    _("Record the registrant's consent before applying."), {}
                )
            data = read_answers(submission, program)
            if program.biometric_capture_required and not captures:
                raise SubmissionInvalid(
                    _(
                        "Capture the registrant's biometrics with a registered "
                        "device before submitting."
                    ),
                    {},
                )
            application = sudo_program._portal_submit(
                partner, data, self._uploads(program), token, digest, own_draft=False
            )
            device = captures[:1]._g2p_device_label() if captures else False
            # sudo: officers cannot write these fields (readonly evidence);
            # the application was just created for this registrant.
            application.sudo().write(
                {
                    "assisted": True,
                    "assisted_by_id": officer.id,
                    "assisted_device": device,
                }
            )
            captures.sudo().write(
                {"application_id": application.id, "program_id": program.id}
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
        _logger.info(
            "Assisted application %s for partner %s by officer %s (%s captures)",
            application.id,
            partner.id,
            officer.id,
            len(captures),
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
        _officer()
        partner = _registrant(partner_id)
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

    # -- reading a capture (backend wizard's one-time link) ------------------

    @http.route(
        "/assist/captures/<int:capture_id>/data",
        type="http",
        auth="user",
        methods=["GET"],
        sitemap=False,
    )
    def capture_data(self, capture_id, wizard=None, grant=None, **kw):
        _officer()
        capture = request.env["g2p.biometric.capture"].search([("id", "=", capture_id)])
        wizard_id = int(wizard) if str(wizard or "").isdigit() else 0
        read = request.env["g2p.biometric.capture.read"].browse(wizard_id).exists()
        if not capture or not read or not read._g2p_take_grant(capture, grant):
            raise NotFound()
        data = capture._g2p_read_data(read.reason)
        request.env.cr.commit()  # the audit row stays even if sending fails
        return request.make_response(
            data,
            headers=[
                ("Content-Type", "application/json"),
                ("Content-Length", len(data)),
                (
                    "Content-Disposition",
                    f'attachment; filename="capture-{capture.reference}.json"',
                ),
                ("Cache-Control", "no-store"),
            ],
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
        _officer()
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
