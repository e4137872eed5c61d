import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)


class G2PRegistrantID(models.Model):
    _inherit = "g2p.reg.id"

    # Precomputed: the value is in the row's INSERT, so the PSUT's partial
    # unique index applies from the start.
    is_psut = fields.Boolean(
        related="id_type.is_psut", store=True, index=True, precompute=True
    )

    # A PSUT is the national-ID login's key to an account: whoever could
    # create or change one could sign in as someone else. Only the login
    # itself and Settings administrators touch them.

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._esignet_check_psut_change("create")
        return records

    def write(self, vals):
        self._esignet_check_psut_change("write")
        result = super().write(vals)
        if {"id_type", "value", "partner_id"} & set(vals):
            self._esignet_check_psut_change("write")
        return result

    def unlink(self):
        self._esignet_check_psut_change("unlink")
        return super().unlink()

    def _esignet_check_psut_change(self, operation):
        if self.env["res.partner"]._esignet_may_change_verified():
            return
        if any(self.sudo().mapped("id_type.is_psut")):
            _logger.warning(
                "Refused to %s a national-ID login identifier (user %s)",
                operation,
                self.env.uid,
            )
            raise AccessError(
                _("National-ID login identifiers are managed by the national-ID login.")
            )

    def init(self):
        cr = self.env.cr
        # A PSUT identifies one person for this relying party: never two
        # registrants with the same value. Enforced by the database so that
        # two simultaneous first logins cannot both create a registrant.
        cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS g2p_reg_id_psut_unique "
            "ON g2p_reg_id (id_type, value) WHERE is_psut"
        )
        # Every login looks IDs up by (type, value) (who holds this PSUT,
        # automatic linking) and by (partner, type) (does this registrant
        # hold one already). The partial index above does not serve queries
        # without its condition, and OpenG2P indexes neither: with a million
        # registrants each lookup was a sequential scan.
        cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_reg_id_id_type_value_index "
            "ON g2p_reg_id (id_type, value)"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_reg_id_partner_id_type_index "
            "ON g2p_reg_id (partner_id, id_type)"
        )
