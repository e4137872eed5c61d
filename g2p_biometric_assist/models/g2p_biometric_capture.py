"""A verified biometric capture, encrypted at rest.

The device talks to the officer's browser; the browser hands the device's
raw answer to the server, which verifies it with the plain-Python core
(``..sbi``) before anything is stored. The answer (signed segments with
their ISO data) is envelope-encrypted under the master key of the Odoo
configuration file (``g2p_biometric_master_key``), never in the database.

Here: the record, its configuration and the capture request; storing,
reading and purging the data are in ``g2p_biometric_capture_data``.
"""

import logging
import secrets
import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import config

from .. import capture_messages as m
from ..sbi import (
    ENVIRONMENTS,
    SbiError,
    VerificationPolicy,
    officer_capture_request,
)

_logger = logging.getLogger(__name__)

MASTER_KEY_OPTION = "g2p_biometric_master_key"
PARAM_PREFIX = "g2p_biometric_assist."
DEFAULT_WINDOW_MINUTES = 5
DEFAULT_RETENTION_DAYS = 365
DEFAULT_ENVIRONMENT = "Staging"
CAPTURE_TIMEOUT_MS = 30000
# A capture is used for an application of the same visit only.
CAPTURE_USABLE_HOURS = 2
MAX_USABLE_IDS = 20


class CaptureRefused(Exception):
    """A capture the officer must hear about: ``code``, and as text the
    sentence of ``key`` (the code itself unless given) in ``capture_messages``."""

    def __init__(self, code, key=None, params=None):
        super().__init__(m.translated(key or code, params))
        self.code = code


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

    def _g2p_summary(self):
        """What the officer's page shows of an accepted capture (no data)."""
        self.ensure_one()
        lowest = f"{self.min_quality:g}"  # outside _(): the export reads its call
        return {
            "capture_id": self.id,
            "message": _(
                "Capture accepted: %(count)s verified, lowest quality %(quality)s.",
                count=self.segment_count,
                quality=lowest,
            ),
            "biometrics": [
                dict(segment, requested_score=self.program_id.biometric_min_quality)
                for segment in self.segments or []
            ],
        }

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
                m.NOT_CONFIGURED, m.MASTER_KEY_MISSING, {"option": MASTER_KEY_OPTION}
            )
        return key

    @api.model
    def _g2p_policy(self, program):
        trusted = self.env["g2p.sbi.trusted.certificate"]._g2p_trusted_pems()
        if not trusted:
            _logger.error("Biometric capture refused: no trusted device provider")
            raise CaptureRefused(m.NOT_CONFIGURED, m.NO_TRUSTED_PROVIDER)
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
            raise CaptureRefused(m.NOT_CONFIGURED, m.UNREADABLE_CERTIFICATE) from None

    # -- the capture request -------------------------------------------------

    @api.model
    def _g2p_capture_request(
        self, partner, program, device, bio_type, sub_types, count, exceptions
    ):
        """The RCAPTURE request (``SbiRequest``) for the device and choices the
        officer posted (any JSON values) for ``partner``; raises
        CaptureRefused without their consent of this visit, or for choices
        the spec does not allow (checked by ``sbi.choices``)."""
        if not self.env["g2p.biometric.consent"]._g2p_current(partner):
            raise CaptureRefused(m.NO_CONSENT)
        try:
            return officer_capture_request(
                device,
                bio_type,
                sub_types,
                count,
                exceptions,
                transaction_id="G2P-" + secrets.token_hex(12).upper(),
                requested_score=int(program.biometric_min_quality or 0),
                env=self._g2p_environment(),
                timeout_ms=CAPTURE_TIMEOUT_MS,
            )
        except SbiError as error:
            _logger.info("Capture request refused: %s (%s)", error, error.reason)
            raise CaptureRefused(error.code, *m.sbi_refusal(error)) from None

    # -- captures an application may use ---------------------------------------

    @api.model
    def _g2p_usable(self, partner, program, capture_ids):
        """The current officer's captures of this visit for ``partner`` and
        ``program`` not used by an application yet, among ``capture_ids``
        (the posted text, IDs separated by commas; anything else is ignored)."""
        ids = []
        for part in str(capture_ids or "").split(","):
            part = part.strip()
            if part.isdigit() and len(part) <= 9:
                ids.append(int(part))
        if not ids:
            return self.browse()
        since = fields.Datetime.now() - timedelta(hours=CAPTURE_USABLE_HOURS)
        return self.search(
            [
                ("id", "in", ids[:MAX_USABLE_IDS]),
                ("partner_id", "=", partner.id),
                ("program_id", "=", program.id),
                ("officer_id", "=", self.env.uid),
                ("application_id", "=", False),
                ("captured_at", ">=", since),
            ]
        )
