from odoo import fields, models


class G2PIDType(models.Model):
    _inherit = "g2p.id.type"

    is_psut = fields.Boolean(
        "Partner-Specific User Token",
        help="IDs of this type are eSignet PSUTs: a value belongs to one "
        "registrant only. Set when a provider stores its PSUT under this type.",
    )
