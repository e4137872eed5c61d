import secrets
from datetime import timedelta

from odoo import _, fields, models
from odoo.exceptions import UserError

# How long the download link made by the wizard stays usable.
GRANT_SECONDS = 120


class G2PBiometricCaptureRead(models.TransientModel):
    """Asks an officer why they read a capture, then hands out a one-time
    download link; the read is written to the audit log when the data is
    actually decrypted."""

    _name = "g2p.biometric.capture.read"
    _description = "Read a biometric capture"

    capture_id = fields.Many2one("g2p.biometric.capture", required=True, readonly=True)
    reason = fields.Char(
        "Why do you need this data?",
        required=True,
        help="Written to the audit log with your name, the time and the registrant.",
    )
    grant = fields.Char(readonly=True, copy=False)
    grant_until = fields.Datetime(readonly=True)

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
        self.write(
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
            self.write({"grant": False, "grant_until": False})
        return bool(ok)
