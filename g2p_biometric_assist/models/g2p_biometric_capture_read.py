import logging
import secrets
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)

# How long the download link made by the wizard stays usable.
GRANT_SECONDS = 120
GRANT_FIELDS = ("grant", "grant_until")
# The context key under which this model's own methods write the link. Its
# value is a Python object: nothing sent over JSON-RPC or XML-RPC can be it.
_GRANT_WRITER = "g2p_biometric_grant_writer"
_SERVER = object()


class G2PBiometricCaptureRead(models.TransientModel):
    """Asks an officer why they read a capture, then hands out a one-time
    download link; the read is written to the audit log when the data is
    actually decrypted.

    The link (``grant``, ``grant_until``) is made by ``action_confirm`` and
    used up by ``_g2p_take_grant``, nowhere else: ``create`` and ``write``
    refuse it from anybody (a field's ``readonly`` binds the form view only),
    and a request whose link is pending cannot be changed.
    """

    _name = "g2p.biometric.capture.read"
    _description = "Read a biometric capture"

    capture_id = fields.Many2one("g2p.biometric.capture", required=True, readonly=True)
    reason = fields.Char(
        "Why do you need this data?",
        required=True,
        help="Written to the audit log with your name, the time and the registrant.",
    )
    grant = fields.Char(readonly=True, copy=False)
    grant_until = fields.Datetime(readonly=True, copy=False)

    @api.model
    def default_get(self, fields_list):
        # No ``default_grant`` from a caller's context either.
        return super().default_get([f for f in fields_list if f not in GRANT_FIELDS])

    @api.model_create_multi
    def create(self, vals_list):
        if any(name in vals for vals in vals_list for name in GRANT_FIELDS):
            self._g2p_refuse("create")
        return super().create(vals_list)

    def write(self, vals):
        if self.env.context.get(_GRANT_WRITER) is not _SERVER:
            if any(name in vals for name in GRANT_FIELDS):
                self._g2p_refuse("write")
            if vals and any(read.grant for read in self):
                self._g2p_refuse("change")
        return super().write(vals)

    def _g2p_refuse(self, what):
        _logger.warning(
            "User %s was refused to %s the download link of a biometric read request",
            self.env.uid,
            what,
        )
        if what == "change":
            raise AccessError(
                _(
                    "This request already has its download link: it cannot be "
                    "changed. Start a new one."
                )
            )
        raise AccessError(
            _("Download links to biometric data are made by the server only.")
        )

    def _g2p_write_grant(self, vals):
        return self.with_context(**{_GRANT_WRITER: _SERVER}).write(vals)

    def action_confirm(self):
        self.ensure_one()
        if len((self.reason or "").strip()) < 10:
            raise UserError(
                _(
                    "Say why you need to read this biometric data (at least 10 "
                    "characters)."
                )
            )
        self.capture_id.check_access_rights("read")
        self.capture_id.check_access_rule("read")
        self._g2p_write_grant(
            {
                "grant": secrets.token_urlsafe(24),
                "grant_until": fields.Datetime.now() + timedelta(seconds=GRANT_SECONDS),
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/assist/captures/{self.capture_id.id}/data?"
            f"wizard={self.id}&grant={self.grant}",
            "target": "new",
        }

    def _g2p_take_grant(self, capture, grant):
        """Whether ``grant`` is this wizard's unused, fresh link for ``capture``
        and the current user's; it can be used once."""
        self.ensure_one()
        ok = (
            self.create_uid == self.env.user
            and self.capture_id == capture
            and self.grant
            and secrets.compare_digest(self.grant, grant or "")
            and self.grant_until
            and self.grant_until >= fields.Datetime.now()
        )
        if ok:
            self._g2p_write_grant({"grant": False, "grant_until": False})
        return bool(ok)
