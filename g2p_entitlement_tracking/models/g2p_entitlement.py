from odoo import api, fields, models

from ..benefits_core import entitlement_event


class G2PEntitlement(models.Model):
    _name = "g2p.entitlement"
    _inherit = ["g2p.entitlement", "mail.thread"]

    # Tracked: the registrant's page shows the status history.
    state = fields.Selection(tracking=True)

    def init(self):
        # The portal reads a person's entitlements and their payments by
        # partner; OpenG2P indexes neither column.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_entitlement_partner_id_index "
            "ON g2p_entitlement (partner_id)"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_payment_entitlement_id_index "
            "ON g2p_payment (entitlement_id)"
        )

    @api.model_create_multi
    def create(self, vals_list):
        # Cycles create entitlements by the thousand: no "created" message
        # and no follower each; the history starts at the creation date.
        records = super(
            G2PEntitlement,
            self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True),
        ).create(vals_list)
        records._g2p_notify_state_changes({})
        return records.with_env(self.env)

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        before = {record.id: record.state for record in self}
        result = super().write(vals)
        self._g2p_notify_state_changes(before)
        return result

    def _g2p_notify_state_changes(self, before):
        self.env["g2p.portal.notification"].sudo()._g2p_record_changes(
            self, before, "entitlement", "partner_id", entitlement_event
        )
