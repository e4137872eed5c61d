"""A verified biometric capture, encrypted at rest.

The device talks to the officer's browser; the browser hands the device's
raw answer to the server, which verifies it with the plain-Python core
(``..sbi``) before anything is stored. The answer (signed segments with
their ISO data) is envelope-encrypted under the master key of the Odoo
configuration file (``g2p_biometric_master_key``), never in the database.
"""

import datetime
import json
import logging
import secrets
import uuid
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import config

from ..sbi import (
    SbiError,
    VerificationPolicy,
    bio_request,
    decrypt_capture,
    encrypt_capture,
    registration_capture_request,
    verify_capture,
)
from ..sbi.protocol import BIO_SUB_TYPES, BIO_TYPES, ENVIRONMENTS, FACE

_logger = logging.getLogger(__name__)

MASTER_KEY_OPTION = "g2p_biometric_master_key"
PARAM_PREFIX = "g2p_biometric_assist."
DEFAULT_WINDOW_MINUTES = 5
DEFAULT_RETENTION_DAYS = 365
DEFAULT_ENVIRONMENT = "Staging"
CAPTURE_TIMEOUT_MS = 30000
PURGE_BATCH = 500
PURGE_BATCHES_PER_RUN = 20
MAX_COUNT = 10
ACCEPT_ATTEMPTS = 3


class CaptureRefused(Exception):
    """A capture the officer must hear about: ``code`` and translated text."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def _naive(moment):
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


class G2PBiometricCapture(models.Model):
    _name = "g2p.biometric.capture"
    _description = "Biometric capture"
    _order = "captured_at desc, id desc"
    _rec_name = "reference"

    reference = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: str(uuid.uuid4()),
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Registrant",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    officer_id = fields.Many2one(
        "res.users", required=True, readonly=True, ondelete="restrict"
    )
    consent_id = fields.Many2one(
        "g2p.biometric.consent", readonly=True, ondelete="restrict"
    )
    program_id = fields.Many2one("g2p.program", readonly=True, ondelete="set null")
    application_id = fields.Many2one(
        "g2p.program.registrant_info",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    captured_at = fields.Datetime(required=True, readonly=True, index=True)
    transaction_id = fields.Char(readonly=True)
    bio_type = fields.Char("Biometric type", readonly=True)
    bio_sub_types = fields.Char("Captured", readonly=True)
    segment_count = fields.Integer("Segments", readonly=True)
    min_quality = fields.Float("Lowest quality score", readonly=True)
    quality_scores = fields.Char(readonly=True)
    segments = fields.Json(
        "Segment scores",
        readonly=True,
        help="Each captured segment's type and quality score (no data).",
    )
    device_serial = fields.Char("Device serial number", readonly=True)
    device_make = fields.Char(readonly=True)
    device_model = fields.Char(readonly=True)
    device_provider = fields.Char(readonly=True)
    device_provider_code = fields.Char("Device provider ID", readonly=True)
    device_type = fields.Char(readonly=True)
    device_sub_type = fields.Char(readonly=True)
    device_certificate = fields.Char(
        "Device certificate (SHA-256)", readonly=True, help="Thumbprint."
    )
    spec_version = fields.Char("SBI version", readonly=True)
    last_hash = fields.Char("Hash chain end", readonly=True)
    # The encrypted answer. Only the addon's own audited methods read it.
    data_envelope = fields.Json(readonly=True, groups="base.group_system", copy=False)

    _sql_constraints = [
        ("reference_unique", "unique(reference)", "A capture reference is unique."),
        (
            "transaction_unique",
            "unique(transaction_id)",
            "A capture request is answered once.",
        ),
    ]

    def write(self, vals):
        allowed = {"application_id", "program_id"}
        if set(vals) - allowed and not self.env.context.get("g2p_capture_internal"):
            raise AccessError(_("A biometric capture cannot be changed."))
        return super().write(vals)

    def _g2p_device_label(self):
        self.ensure_one()
        parts = [self.device_make, self.device_model]
        label = " ".join(p for p in parts if p)
        if self.device_serial:
            label = f"{label} ({self.device_serial})" if label else self.device_serial
        return label

    # -- configuration -------------------------------------------------------

    @api.model
    def _g2p_param(self, name, default):
        # sudo: configuration parameters are admin records.
        value = self.env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + name)
        return value if value not in (None, False, "") else default

    @api.model
    def _g2p_int_param(self, name, default, minimum=0):
        try:
            value = int(self._g2p_param(name, default))
        except (TypeError, ValueError):
            _logger.warning(
                "%s%s is not a number; using %s", PARAM_PREFIX, name, default
            )
            return default
        return max(value, minimum)

    @api.model
    def _g2p_environment(self):
        env = self._g2p_param("environment", DEFAULT_ENVIRONMENT)
        return env if env in ENVIRONMENTS else DEFAULT_ENVIRONMENT

    @api.model
    def _g2p_master_key(self):
        key = config.get(MASTER_KEY_OPTION)
        if not key:
            _logger.error(
                "Biometric capture refused: %s is not set in the Odoo configuration",
                MASTER_KEY_OPTION,
            )
            raise CaptureRefused(
                "not_configured",
                _(
                    "Biometric data cannot be stored on this server yet: its "
                    "encryption key is not configured. Ask the administrator to "
                    "set %(option)s in the Odoo configuration file.",
                    option=MASTER_KEY_OPTION,
                ),
            )
        return key

    @api.model
    def _g2p_policy(self, program):
        trusted = self.env["g2p.sbi.trusted.certificate"]._g2p_trusted_pems()
        if not trusted:
            _logger.error("Biometric capture refused: no trusted device provider")
            raise CaptureRefused(
                "not_configured",
                _(
                    "No biometric device provider is trusted yet. Ask the "
                    "administrator to add the device provider's certificate in "
                    "the settings."
                ),
            )
        window = self._g2p_int_param(
            "timestamp_window_minutes", DEFAULT_WINDOW_MINUTES, 1
        )
        try:
            return VerificationPolicy(
                trusted_ca_pems=trusted,
                min_quality=float(program.biometric_min_quality or 0),
                max_clock_skew=timedelta(minutes=window),
            )
        except ValueError:
            _logger.error("A trusted device provider certificate cannot be read")
            raise CaptureRefused(
                "not_configured",
                _("A trusted device provider certificate cannot be read."),
            ) from None

    # -- the capture request -------------------------------------------------

    @api.model
    def _g2p_capture_request(
        self, program, device, bio_type, sub_types, count, exceptions
    ):
        """The RCAPTURE body for the device the officer picked; raises
        CaptureRefused for choices the spec does not allow."""
        if bio_type not in BIO_TYPES:
            raise CaptureRefused(
                "invalid_request", _("Choose a finger, iris or face device.")
            )
        allowed = BIO_SUB_TYPES[bio_type]
        sub_types = [s for s in sub_types or () if isinstance(s, str)]
        exceptions = [s for s in exceptions or () if isinstance(s, str)]
        if any(s not in allowed for s in sub_types + exceptions):
            raise CaptureRefused(
                "invalid_request",
                _("A chosen finger or eye is not one this device captures."),
            )
        if bio_type != FACE and not sub_types:
            raise CaptureRefused(
                "invalid_request", _("Choose at least one finger or eye to capture.")
            )
        if set(sub_types) & set(exceptions):
            raise CaptureRefused(
                "invalid_request",
                _("A finger or eye cannot be both captured and marked as missing."),
            )
        try:
            count = int(count) if count not in (None, "") else None
        except (TypeError, ValueError):
            count = -1
        if count is not None and not 1 <= count <= MAX_COUNT:
            raise CaptureRefused(
                "invalid_request", _("The count must be between 1 and 10.")
            )
        device_id = str((device or {}).get("deviceId") or "")[:64]
        if not device_id:
            raise CaptureRefused("invalid_request", _("Choose a device first."))
        try:
            sub_id = int((device or {}).get("deviceSubId") or 0)
        except (TypeError, ValueError):
            sub_id = 0
        transaction_id = "G2P-" + secrets.token_hex(12).upper()
        try:
            bio = bio_request(
                bio_type,
                device_id=device_id,
                device_sub_id=sub_id,
                count=count,
                bio_sub_types=sub_types,
                exceptions=exceptions,
                requested_score=int(program.biometric_min_quality or 0),
            )
            sbi_request = registration_capture_request(
                transaction_id,
                [bio],
                env=self._g2p_environment(),
                timeout_ms=CAPTURE_TIMEOUT_MS,
            )
        except SbiError as error:
            _logger.info("Capture request refused: %s", error)
            raise CaptureRefused(
                "invalid_request", _("These capture choices are not valid.")
            ) from None
        return sbi_request

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
            raise CaptureRefused(
                "expired_request", self._g2p_refusal_message("expired_request")
            )
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
            raise CaptureRefused(
                "no_consent", _("Record the registrant's consent before capturing.")
            )
        master_key = self._g2p_master_key()
        policy = self._g2p_policy(program)
        if not isinstance(response_text, str) or not response_text:
            raise CaptureRefused("malformed", self._g2p_refusal_message("malformed"))
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
            raise CaptureRefused(
                error.code,
                self._g2p_refusal_message(error.code, error.device_error_code),
            ) from None
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

    @api.model
    def _g2p_refusal_message(self, code, device_error_code=None):
        messages = {
            "malformed": _("The device's answer could not be read. Capture again."),
            "too_large": _("The device's answer is too large to be a capture."),
            "bad_signature": _(
                "The device's signature does not match its data: the capture may "
                "have been altered. Capture again; if it repeats, do not use this "
                "device."
            ),
            "untrusted_certificate": _(
                "This device is not from a trusted device provider. Use a "
                "registered device, or ask the administrator to trust its provider."
            ),
            "expired_certificate": _(
                "This device's certificate has expired or is not valid yet. The "
                "device must be registered again by its provider."
            ),
            "bad_digital_id": _(
                "The device's identity (digital ID) is missing or not signed "
                "correctly. Do not use this device."
            ),
            "stale_timestamp": _(
                "The capture's time is too far from the server's. Check the clock "
                "of this computer and capture again."
            ),
            "wrong_transaction": _(
                "The capture does not belong to this request. Capture again."
            ),
            "wrong_purpose": _("The device did not capture for registration."),
            "wrong_environment": _(
                "The device belongs to another environment (test or production)."
            ),
            "unexpected_bio_type": _(
                "The device captured something that was not asked for. Capture again."
            ),
            "missing_segment": _(
                "The device did not capture every finger or eye that was asked for. "
                "Capture again."
            ),
            "duplicate_segment": _(
                "The device sent the same finger or eye twice. Capture again."
            ),
            "extra_segment": _(
                "The device sent more images than were asked for. Capture again."
            ),
            "unknown_spec_version": _(
                "The device speaks an SBI version this portal does not know."
            ),
            "low_quality": _(
                "The quality of the capture is below what this program requires. "
                "Clean the sensor, position the finger, eye or face well and "
                "capture again."
            ),
            "broken_hash_chain": _(
                "The captured segments do not chain together: the capture may have "
                "been altered. Capture again."
            ),
            "sbi_error": self._g2p_device_error_message(device_error_code),
            "invalid_request": _("These capture choices are not valid."),
            "expired_request": _(
                "This capture request is no longer known: it was made too long ago "
                "or in another window. Capture again."
            ),
            "device_gone": _(
                "The device stopped answering during the capture. Check that it is "
                "plugged in and its service is running, then capture again."
            ),
            "timeout": _("The device did not answer in time. Capture again."),
            "device_failed": _(
                "The capture did not complete on this computer. Check the device "
                "and capture again."
            ),
        }
        return messages.get(code) or _("The capture was refused. Capture again.")

    @api.model
    def _g2p_device_error_messages(self):
        """The SBI device error codes (spec "Error Codes") in words."""
        return {
            "100": _("The device is not registered. Its provider must register it."),
            "101": _(
                "The device could not detect a finger, eye or face. Position it "
                "on the sensor and capture again."
            ),
            "102": _("The device had a technical error while reading. Capture again."),
            "103": _("The device reports it was tampered with. Do not use it."),
            "104": _("The device cannot reach its management server."),
            "105": _(
                "The image is not oriented correctly. Position it and capture again."
            ),
            "106": _("The device was not found. Check that it is plugged in."),
            "107": _("The device's key has expired. Its provider must renew it."),
            "108": _("The device lacks the key to encrypt for authentication."),
            "109": _("The device cannot capture that many fingers or eyes at once."),
            "110": _("The device is not ready. Wait a moment and capture again."),
            "111": _(
                "The device is busy with another capture. Wait and capture again."
            ),
            "112": _("The device refused the transaction ID. Capture again."),
            "202": _("No device is connected to the device service."),
        }

    @api.model
    def _g2p_device_error_message(self, code):
        code = str(code or "").strip()
        message = self._g2p_device_error_messages().get(code)
        if message:
            return message
        if len(code) == 3 and code.startswith("5") and code.isdigit():
            return _(
                "The device reported an error of its own (code %(code)s).", code=code
            )
        return _("The device reported an error (code %(code)s).", code=code or "?")

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
            raise UserError(
                _("This capture cannot be decrypted with the configured key.")
            ) from None
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


def _aad(reference, partner_id):
    """Binds an envelope to its capture and registrant."""
    return json.dumps(["g2p-biometric-capture", reference, partner_id]).encode()
