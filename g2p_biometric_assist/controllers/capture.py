"""The capture steps of an assisted application (JSON, from the officer's page).

The browser asks for a capture request (``capture/start``), hands it to the
SBI device on the officer's machine, and posts the device's raw answer back
(``capture``); the capture model verifies and stores it. A request is kept
in the session until answered, for the same officer, registrant and program
only. Backend officers download a capture's data once through a link the
read wizard makes (``/assist/captures/<id>/data``).
"""

import logging
import time

from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from .. import capture_messages as m
from ..models.g2p_biometric_capture import CaptureRefused
from .assist import officer, program_or_404, registrant

_logger = logging.getLogger(__name__)

PENDING_KEY = "g2p_sbi_pending"
PENDING_MAX = 8
PENDING_SECONDS = 15 * 60


def _refusal(code, message=None):
    """The JSON answer of a refused capture step."""
    return {"ok": False, "code": code, "message": message or m.translated(code)}


class AssistCapture(http.Controller):
    def _pending(self):
        """The capture requests of this session still waiting for an answer."""
        now = time.time()
        return {
            txn: entry
            for txn, entry in (request.session.get(PENDING_KEY) or {}).items()
            if now - entry.get("at", 0) < PENDING_SECONDS
        }

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
        officer()
        partner = registrant(partner_id)
        program = program_or_404(program_id)
        try:
            sbi_request = request.env["g2p.biometric.capture"]._g2p_capture_request(
                partner, program, device, bio_type, bio_sub_types, count, exceptions
            )
        except CaptureRefused as refused:
            return _refusal(refused.code, str(refused))
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
        officer()
        partner = registrant(partner_id)
        program = program_or_404(program_id)
        pending = self._pending()
        entry = pending.pop(str(transaction_id or ""), None)
        request.session[PENDING_KEY] = pending
        device_error = kw.get("device_error")
        if isinstance(device_error, dict):
            # The capture failed on the officer's machine (the browser says how).
            kind = device_error.get("kind")
            code = kind if kind in m.BROWSER_FAILURES else m.DEVICE_FAILED
            _logger.info(
                "Biometric capture for partner %s failed on the officer's machine: %s",
                partner.id,
                code,
            )
            return _refusal(code)
        if not entry or (entry["partner"], entry["program"], entry["uid"]) != (
            partner.id,
            program.id,
            request.env.uid,
        ):
            return _refusal(m.EXPIRED_REQUEST)
        consent = request.env["g2p.biometric.consent"]._g2p_current(partner)
        try:
            capture = request.env["g2p.biometric.capture"]._g2p_accept(
                partner, program, consent, entry["body"], response
            )
        except CaptureRefused as refused:
            request.env.cr.rollback()
            return _refusal(refused.code, str(refused))
        return dict(capture._g2p_summary(), ok=True)

    # -- reading a capture (backend wizard's one-time link) ------------------

    @http.route(
        "/assist/captures/<int:capture_id>/data",
        type="http",
        auth="user",
        methods=["GET"],
        sitemap=False,
    )
    def capture_data(self, capture_id, wizard=None, grant=None, **kw):
        officer()
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
