from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    portal_application_count = fields.Integer(
        "Applications", compute="_compute_portal_application_count"
    )

    def _compute_portal_application_count(self):
        counts = dict(
            self.env["g2p.program.registrant_info"]._read_group(
                [("registrant_id", "in", self.ids)], ["registrant_id"], ["__count"]
            )
        )
        for partner in self:
            partner.portal_application_count = counts.get(partner, 0)

    def action_portal_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "g2p_portal_forms.action_portal_applications"
        )
        action["domain"] = [("registrant_id", "=", self.id)]
        return action

    def _portal_forms_locked_fields(self):
        """Partner fields a form may show but never change for this person.

        Empty here; the national-ID login locks the fields it verified (the
        portal addon joins both).
        """
        self.ensure_one()
        return set()
