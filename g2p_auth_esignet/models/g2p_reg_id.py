from odoo import fields, models


class G2PRegistrantID(models.Model):
    _inherit = "g2p.reg.id"

    is_psut = fields.Boolean(related="id_type.is_psut", store=True, index=True)

    def init(self):
        # A PSUT identifies one person for this relying party: never two
        # registrants with the same value. Enforced by the database so that
        # two simultaneous first logins cannot both create a registrant.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS g2p_reg_id_psut_unique "
            "ON g2p_reg_id (id_type, value) WHERE is_psut"
        )
