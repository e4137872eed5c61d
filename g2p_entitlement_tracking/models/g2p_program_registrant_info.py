from odoo import models

from ..benefits_core import application_event


class G2PProgramRegistrantInfo(models.Model):
    _inherit = "g2p.program.registrant_info"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        before = {record.id: record.state for record in self}
        result = super().write(vals)
        self.env["g2p.portal.notification"].sudo()._g2p_record_changes(
            self, before, "application", "registrant_id", application_event
        )
        return result
