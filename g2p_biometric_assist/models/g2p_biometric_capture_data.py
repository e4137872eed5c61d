"""Storing, reading and purging a capture's data (g2p.biometric.capture).

The answer the device gave is verified by the core (``..sbi``) before
anything is stored, then envelope-encrypted under the master key (see
``g2p_biometric_capture``); reading it back is audited, and captures older
than the retention period are deleted.
"""

import datetime
import json
import logging
import uuid
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .. import capture_messages as m
from ..sbi import SbiError, decrypt_capture, encrypt_capture, verify_capture
from ..sbi import errors as e
from .g2p_biometric_capture import DEFAULT_RETENTION_DAYS, CaptureRefused

_logger = logging.getLogger(__name__)

PURGE_BATCH = 500
PURGE_BATCHES_PER_RUN = 20
ACCEPT_ATTEMPTS = 3
# Larger than any capture (the core refuses past 8 MB): not even encoded.
MAX_RESPONSE_CHARS = 16 * 1024 * 1024


def _naive(moment):
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def _aad(reference, partner_id):
    """Binds an envelope to its capture and registrant."""
    return json.dumps(["g2p-biometric-capture", reference, partner_id]).encode()


class G2PBiometricCaptureData(models.Model):
    _inherit = "g2p.biometric.capture"

    # -- accepting a capture -------------------------------------------------

    @api.model
    def _g2p_accept(self, partner, program, consent, request_body, response_text):
        """Verify the device's answer and store it encrypted; returns the
        capture. Raises CaptureRefused; nothing is written then.

        One capture per request: the same answer sent twice at once (a
        double click, or two servers behind a load balancer, each with the
        request in the shared session) gives the capture the first one
        stored. The two meet on the registrant's row; the second waits,
        finds the row changed, and is run again on a snapshot that sees the
        first one's capture.
        """
        cr = self.env.cr
        for attempt in range(1, ACCEPT_ATTEMPTS + 1):
            try:
                return self._g2p_accept_once(
                    partner, program, consent, request_body, response_text
                )
            except pg_errors.SerializationFailure:
                cr.rollback()
                if attempt == ACCEPT_ATTEMPTS:
                    raise
                _logger.info(
                    "Capture for partner %s met a concurrent one, attempt %s",
                    partner.id,
                    attempt,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _g2p_accepted(self, partner, program, request_body):
        """The capture already stored for this request, if any; raises
        CaptureRefused when the request's transaction belongs to another."""
        transaction_id = str((request_body or {}).get("transactionId") or "")
        if not transaction_id:
            return self.browse()
        # sudo: whether this transaction ID is used, by this officer's
        # request for this registrant and program (checked below).
        capture = self.sudo().search([("transaction_id", "=", transaction_id)], limit=1)
        if not capture:
            return self.browse()
        if (capture.partner_id, capture.program_id, capture.officer_id.id) != (
            partner,
            program,
            self.env.uid,
        ):
            raise CaptureRefused(m.EXPIRED_REQUEST)
        return capture.sudo(False)

    def _g2p_accept_once(self, partner, program, consent, request_body, response):
        done = self._g2p_accepted(partner, program, request_body)
        if done:
            return done
        # The meeting point of two answers to one request (see _g2p_accept);
        # a conflict is retried, so it stays out of the error log.
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = write_date WHERE id = %s",
            (partner.id,),
            log_exceptions=False,
        )
        return self._g2p_store_verified(
            partner, program, consent, request_body, response
        )

    def _g2p_store_verified(
        self, partner, program, consent, request_body, response_text
    ):
        if not consent:
            raise CaptureRefused(m.NO_CONSENT)
        master_key = self._g2p_master_key()
        policy = self._g2p_policy(program)
        if not isinstance(response_text, str) or not response_text:
            raise CaptureRefused(e.MALFORMED)
        if len(response_text) > MAX_RESPONSE_CHARS:
            raise CaptureRefused(e.TOO_LARGE)
        try:
            verified = verify_capture(
                response_text.encode("utf-8"), request_body, policy
            )
        except SbiError as error:
            # The code and the segment only: never the data.
            _logger.warning(
                "Biometric capture refused for partner %s by user %s: %s "
                "(device error %s, segment %s)",
                partner.id,
                self.env.uid,
                error.code,
                error.device_error_code,
                error.index,
            )
            raise CaptureRefused(error.code, *m.sbi_refusal(error)) from None
        first = verified.biometrics[0]
        digital_id = first.digital_id or {}
        reference = str(uuid.uuid4())
        envelope = encrypt_capture(
            response_text.encode("utf-8"), master_key, _aad(reference, partner.id)
        )
        scores = [
            f"{b.bio_sub_type or b.bio_type}: {b.quality_score:g}"
            for b in verified.biometrics
        ]
        values = {
            "reference": reference,
            "partner_id": partner.id,
            "officer_id": self.env.uid,
            "consent_id": consent.id,
            "program_id": program.id,
            "captured_at": _naive(max(b.timestamp for b in verified.biometrics)),
            "transaction_id": verified.transaction_id,
            "bio_type": ", ".join(sorted({b.bio_type for b in verified.biometrics})),
            "bio_sub_types": ", ".join(
                b.bio_sub_type for b in verified.biometrics if b.bio_sub_type
            ),
            "segment_count": len(verified.biometrics),
            "min_quality": min(b.quality_score for b in verified.biometrics),
            "quality_scores": "; ".join(scores),
            "segments": [
                {
                    "bio_type": b.bio_type,
                    "bio_sub_type": b.bio_sub_type,
                    "quality_score": b.quality_score,
                }
                for b in verified.biometrics
            ],
            "device_serial": digital_id.get("serialNo"),
            "device_make": digital_id.get("make"),
            "device_model": digital_id.get("model"),
            "device_provider": digital_id.get("deviceProvider"),
            "device_provider_code": digital_id.get("deviceProviderId"),
            "device_type": digital_id.get("type"),
            "device_sub_type": digital_id.get("deviceSubType"),
            "device_certificate": first.certificate_thumbprint,
            "spec_version": first.spec_version,
            "last_hash": verified.last_hash,
            "data_envelope": envelope,
        }
        # sudo: officers cannot create captures themselves (nothing unverified
        # may enter); this one was verified just above.
        capture = self.sudo().create(values)
        self.env["g2p.biometric.audit"]._g2p_log(
            "capture",
            capture=capture,
            reason=_("Assisted application to %(program)s", program=program.name),
        )
        _logger.info(
            "Biometric capture %s stored for partner %s by user %s (%s segments)",
            capture.id,
            partner.id,
            self.env.uid,
            capture.segment_count,
        )
        return capture.sudo(False)

    # -- reading and purging -------------------------------------------------

    def _g2p_read_data(self, reason):
        """The decrypted device answer (bytes), audited. Officers only."""
        self.ensure_one()
        if not self.env.user.has_group(
            "g2p_biometric_assist.group_registration_officer"
        ):
            raise AccessError(_("Only registration officers may read biometric data."))
        reason = (reason or "").strip()
        if len(reason) < 10:
            raise UserError(
                _(
                    "Say why you need to read this biometric data (at least 10 "
                    "characters)."
                )
            )
        self.check_access_rule("read")
        # sudo: the envelope field is hidden from every group; the access was
        # checked above and the read is audited.
        envelope = self.sudo().data_envelope
        try:
            data = decrypt_capture(
                envelope,
                self._g2p_master_key(),
                _aad(self.reference, self.partner_id.id),
            )
        except SbiError:
            _logger.error(
                "Biometric capture %s cannot be decrypted with the configured key",
                self.id,
            )
            raise UserError(m.translated(e.DECRYPTION_FAILED)) from None
        except CaptureRefused as refused:
            raise UserError(str(refused)) from None
        self.env["g2p.biometric.audit"]._g2p_log("read", capture=self, reason=reason)
        return data

    @api.model
    def _g2p_purge_expired(self, batch=PURGE_BATCH, max_batches=PURGE_BATCHES_PER_RUN):
        """Delete captures older than the retention period; the audit stays.

        At most ``max_batches`` batches a run; the job calls itself again
        when more are left.
        """
        days = self._g2p_int_param("retention_days", DEFAULT_RETENTION_DAYS)
        if not days:
            return 0
        limit_date = fields.Datetime.now() - timedelta(days=days)
        Capture = self.sudo()
        purged = 0
        for _batch in range(max_batches):
            captures = Capture.search(
                [("captured_at", "<", limit_date)], order="captured_at, id", limit=batch
            )
            if not captures:
                break
            Audit = self.env["g2p.biometric.audit"]
            for capture in captures:
                Audit._g2p_log(
                    "purge",
                    capture=capture,
                    reason=_("Retention period of %(days)s days ended", days=days),
                )
            captures.unlink()
            purged += len(captures)
        else:
            if Capture.search_count([("captured_at", "<", limit_date)], limit=1):
                cron = self.env.ref(
                    "g2p_biometric_assist.ir_cron_purge_biometric_captures",
                    raise_if_not_found=False,
                )
                if cron:
                    cron._trigger()
        if purged:
            _logger.info(
                "Purged %s biometric captures older than %s days", purged, days
            )
        return purged
