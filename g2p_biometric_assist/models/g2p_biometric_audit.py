from odoo import _, api, fields, models
from odoo.exceptions import AccessError


class G2PBiometricAudit(models.Model):
    """Who did what with whose biometrics, when, with which device and why.

    Append-only: rows are written by the addon's own code (``_g2p_log``),
    never changed, never deleted — the purge of captures keeps them.
    """

    _name = "g2p.biometric.audit"
    _description = "Biometric audit log"
    _order = "id desc"
    _rec_name = "action"

    action = fields.Selection(
        [
            ("consent", "Consent recorded"),
            ("capture", "Capture stored"),
            ("read", "Capture read"),
            ("purge", "Capture purged"),
        ],
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one("res.users", "By", readonly=True, ondelete="restrict")
    partner_id = fields.Many2one(
        "res.partner", "Registrant", readonly=True, index=True, ondelete="set null"
    )
    capture_id = fields.Many2one(
        "g2p.biometric.capture", readonly=True, index=True, ondelete="set null"
    )
    capture_reference = fields.Char(readonly=True, index=True)
    program_id = fields.Many2one("g2p.program", readonly=True, ondelete="set null")
    device = fields.Char(readonly=True)
    reason = fields.Char("Why", readonly=True)
    at = fields.Datetime("When", readonly=True, default=fields.Datetime.now)

    @api.model
    def _g2p_log(self, action, *, partner=None, capture=None, reason="", **extra):
        """Append one row (as superuser: nobody else may write here)."""
        values = {
            "action": action,
            "user_id": self.env.user.id,
            "partner_id": (partner or capture.partner_id).id
            if (partner or capture)
            else False,
            "capture_id": capture.id if capture else False,
            "capture_reference": capture.reference if capture else False,
            "program_id": capture.program_id.id if capture else False,
            "device": capture._g2p_device_label() if capture else False,
            "reason": reason,
        }
        values.update(extra)
        # sudo: the audit log is append-only and nobody has create access.
        return self.sudo().create(values)

    def write(self, vals):
        if vals:
            raise AccessError(_("The biometric audit log cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(_("The biometric audit log cannot be deleted."))
