import json

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..formio_core import SchemaError, check_prefill_mapping, check_schema


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
        builder = self.builder_id
        if not builder:
            return []
        if builder.state != "CURRENT":
            return [_("The form is not published: publish it in the form builder.")]
        mapping = [
            (line.partner_field_id.name, line.form_key, line.locked)
            for line in self.program_id.portal_form_field_ids
        ]
        try:
            schema = json.loads(builder.schema or "{}")
            problems = check_schema(schema)
            if not any(problem.fatal for problem in problems):
                # The program's registrant fields must name fields of the form.
                problems += check_prefill_mapping(schema, mapping)
        except (ValueError, SchemaError) as error:
            return [_("The form cannot be read: %(error)s", error=str(error))]
        return [
            f"{problem.path or _('form')}: {problem.message}" for problem in problems
        ]

    def action_map(self):
        self.ensure_one()
        problems = self._form_problems()
        if problems:
            raise UserError(
                _("This form cannot be used for applications:\n%(problems)s")
                % {"problems": "\n".join(problems)}
            )
        self.program_id.self_service_portal_form = self.builder_id
        return {"type": "ir.actions.act_window_close"}
