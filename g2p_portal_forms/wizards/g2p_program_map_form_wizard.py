from odoo import _, api, fields, models
from odoo.exceptions import UserError


class G2PProgramMapFormWizard(models.TransientModel):
    """Map a published Formio form to a program, after checking it."""

    _name = "g2p.program.map.form.wizard"
    _description = "Map Self-Service Portal Form"

    program_id = fields.Many2one("g2p.program", required=True, ondelete="cascade")
    builder_id = fields.Many2one(
        "formio.builder",
        "Form",
        required=True,
        domain=[("state", "=", "CURRENT")],
        help="A published (current) form of the Formio builder.",
    )
    problems = fields.Text(compute="_compute_problems")

    @api.depends("builder_id")
    def _compute_problems(self):
        for wizard in self:
            wizard.problems = "\n".join(wizard._form_problems()) or False

    def _form_problems(self):
        self.ensure_one()
        return self.program_id._portal_form_problems(self.builder_id)

    def action_map(self):
        self.ensure_one()
        problems = self._form_problems()
        if problems:
            raise UserError(
                _("This form cannot be used for applications:\n%(problems)s")
                % {"problems": "\n".join(problems)}
            )
        # The mapping is written only here, after the checks above: programs
        # are not writable by portal administrators, and g2p.program refuses
        # the field from any other caller (see g2p.program.write).
        self.program_id.sudo().with_context(
            g2p_portal_form_checked=True
        ).self_service_portal_form = self.builder_id
        return {"type": "ir.actions.act_window_close"}
