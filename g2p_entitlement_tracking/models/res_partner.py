from odoo import api, models

from ..benefit_messages import PHASE_LABELS, label
from ..benefits_core import states


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _portal_dashboard(self):
        """The dashboard's values, with the person's benefit totals
        (``g2p.entitlement._portal_totals``: the record rule's partners)."""
        values = super()._portal_dashboard()
        Entitlement = self.env["g2p.entitlement"]
        if values.get("g2p_dashboard") and Entitlement.check_access_rights(
            "read", raise_exception=False
        ):
            values["g2p_benefit_totals"] = Entitlement._portal_totals([])[0]
            values["g2p_benefit_phase_labels"] = {
                phase: label(PHASE_LABELS, phase) for phase in states.PHASES
            }
        return values
