import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..formio_core import SchemaError, check_prefill_mapping, check_schema

_logger = logging.getLogger(__name__)


class G2PProgram(models.Model):
    _inherit = "g2p.program"

    portal_published = fields.Boolean(
        "Shown on the Portal",
        help="Registrants see the program on the portal and can apply while "
        "its application window is open.",
    )
    portal_open_from = fields.Date("Applications Open From")
    portal_open_until = fields.Date("Applications Open Until", index=True)
    portal_max_open_applications = fields.Integer(
        "Open Applications at Once",
        default=1,
        help="When several applications are allowed: how many a registrant "
        "may have open (applied or in progress) at the same time.",
    )
    portal_min_days_between = fields.Integer(
        "Minimum Days Between Applications",
        default=0,
        help="When several applications are allowed: days a registrant waits "
        "after an application before the next.",
    )
    portal_document_requirement_ids = fields.One2many(
        "g2p.program.document.requirement", "program_id", "Required Documents"
    )
    portal_form_field_ids = fields.One2many(
        "g2p.program.form.field", "program_id", "Registrant Fields"
    )
    portal_application_count = fields.Integer(
        "Applications", compute="_compute_portal_application_count"
    )

    def _compute_portal_application_count(self):
        counts = dict(
            self.env["g2p.program.registrant_info"]._read_group(
                [("program_id", "in", self.ids)], ["program_id"], ["__count"]
            )
        )
        for program in self:
            program.portal_application_count = counts.get(program, 0)

    def action_portal_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "g2p_portal_forms.action_portal_applications"
        )
        action["domain"] = [("program_id", "=", self.id)]
        action["context"] = {"default_program_id": self.id}
        return action

    # -- the form mapped to the program ---------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("self_service_portal_form") for vals in vals_list):
            self._portal_check_form_write()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("self_service_portal_form"):
            self._portal_check_form_write()
        return super().write(vals)

    def _portal_check_form_write(self):
        """A form is mapped by the mapping wizard (after its checks) only."""
        if self.env.su or self.env.context.get("g2p_portal_form_checked"):
            return
        _logger.warning(
            "Refused a direct mapping of a portal form by user %s", self.env.uid
        )
        raise AccessError(
            _(
                "Map a form to a program with the 'Map Self-Service Portal Form' "
                "wizard, which checks it."
            )
        )

    def _portal_form_problems(self, builder, fatal_only=False):
        """What makes ``builder`` unusable as this program's application form.

        The mapping wizard refuses a form with any problem; ``fatal_only``
        keeps those that make server-side validation impossible.
        """
        self.ensure_one()
        if not builder:
            return []
        if builder.state != "CURRENT":
            return [_("The form is not published: publish it in the form builder.")]
        mapping = [
            (line.partner_field_id.name, line.form_key, line.locked)
            for line in self.portal_form_field_ids
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
            f"{problem.path or _('form')}: {problem.message}"
            for problem in problems
            if problem.fatal or not fatal_only
        ]

    def _portal_check_builder_change(self, builder):
        """The mapping wizard's checks, again, when a mapped form changes: a
        change that makes the form impossible to validate on the server is
        refused (a warning the wizard would have refused is not: the form
        stays usable)."""
        for program in self:
            problems = program._portal_form_problems(builder, fatal_only=True)
            if problems:
                _logger.warning(
                    "Refused a change of form %s mapped to program %s: %d problem(s)",
                    builder.id,
                    program.id,
                    len(problems),
                )
                raise UserError(
                    _(
                        "This form is the application form of %(program)s and "
                        "the change makes it unusable:\n%(problems)s",
                        program=program.name,
                        problems="\n".join(problems),
                    )
                )
