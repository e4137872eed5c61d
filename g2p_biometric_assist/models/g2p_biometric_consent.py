from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# How long a recorded consent covers captures of the same visit.
CONSENT_VALID_HOURS = 12


class G2PBiometricConsent(models.Model):
    """A registrant's consent to biometric capture, recorded by an officer.

    Records are written once and never changed or deleted: they are the
    evidence that a capture was agreed to.
    """

    _name = "g2p.biometric.consent"
    _description = "Consent to biometric capture"
    _order = "given_at desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        "Registrant",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("is_registrant", "=", True), ("is_group", "=", False)],
    )
    officer_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    given_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    method = fields.Selection(
        [
            ("spoken", "Said aloud to the officer"),
            ("signed", "Signed a paper form"),
            ("thumbprint", "Thumbprint on a paper form"),
        ],
        required=True,
        default="spoken",
    )
    statement = fields.Text(
        required=True,
        readonly=True,
        help="The words the registrant agreed to, as shown to the officer.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The officer is whoever records it, never someone named.
            vals["officer_id"] = self.env.user.id
            vals["given_at"] = fields.Datetime.now()
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise AccessError(_("A recorded consent cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(_("A recorded consent cannot be deleted."))

    @api.model
    def _g2p_current(self, partner):
        """The registrant's consent of this visit, if any."""
        since = fields.Datetime.now() - timedelta(hours=CONSENT_VALID_HOURS)
        return self.search(
            [("partner_id", "=", partner.id), ("given_at", ">=", since)],
            order="given_at desc, id desc",
            limit=1,
        )
