from odoo import models

from ..benefits_core import application_event


class G2PProgramRegistrantInfo(models.Model):
    _inherit = "g2p.program.registrant_info"

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        before = {record.id: record.state for record in self}
        result = super().write(vals)
        events = []
        for record in self:
            event = application_event(before.get(record.id), record.state)
            if event:
                events.append(
                    (record.registrant_id, "application", record, event, record.state)
                )
        if events:
            self.env["g2p.portal.notification"].sudo()._g2p_record(events)
        return result
