from odoo import models


class FormioBuilder(models.Model):
    _inherit = "formio.builder"

    def write(self, vals):
        result = super().write(vals)
        if "schema" in vals:
            # A form mapped to programs keeps passing the mapping wizard's
            # checks whoever edits it; the programs are read as the superuser
            # because the editor (a forms administrator) may not read them all.
            programs = (
                self.env["g2p.program"]
                .sudo()
                .with_context(active_test=False)
                .search([("self_service_portal_form", "in", self.ids)])
            )
            for program in programs:
                program._portal_check_builder_change(program.self_service_portal_form)
        return result
