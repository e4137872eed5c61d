from odoo import fields, models


class G2PProgramRegistrantInfo(models.Model):
    _inherit = "g2p.program.registrant_info"

    assisted = fields.Boolean(
        readonly=True,
        help="Submitted by a registration officer on the registrant's behalf.",
    )
    assisted_by_id = fields.Many2one("res.users", "Assisted by", readonly=True)
    assisted_device = fields.Char(
        "Biometric device", readonly=True, help="Make, model and serial number."
    )
    biometric_capture_ids = fields.One2many(
        "g2p.biometric.capture",
        "application_id",
        "Biometric captures",
        readonly=True,
        groups="g2p_biometric_assist.group_registration_officer",
    )
