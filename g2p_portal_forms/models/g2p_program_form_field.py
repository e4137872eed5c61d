import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Partner field types a form value can be written to or prefilled from.
MAPPABLE_TYPES = ("char", "text", "date", "integer", "float", "boolean", "selection")
FORM_KEY_PATTERN = r"^[A-Za-z_][A-Za-z0-9_\-]*(\.[A-Za-z_][A-Za-z0-9_\-]*)*$"


class G2PProgramFormField(models.Model):
    """How one form key relates to the registrant's record, for one program.

    The registrant's record changes only through these lines: a form key
    that happens to share a field's name changes nothing.
    """

    _name = "g2p.program.form.field"
    _description = "Program Form Field Mapping"
    _order = "sequence, id"

    program_id = fields.Many2one(
        "g2p.program", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    form_key = fields.Char(required=True, help="The component's key in the form.")
    partner_field_id = fields.Many2one(
        "ir.model.fields",
        "Registrant Field",
        required=True,
        ondelete="cascade",
        domain=[("model", "=", "res.partner"), ("ttype", "in", MAPPABLE_TYPES)],
    )
    prefill = fields.Boolean(default=True, help="Fill the form from the record.")
    locked = fields.Boolean(
        help="Shown read-only and refused if changed. Fields verified through "
        "the national ID are locked whatever this says."
    )
    update_registrant = fields.Boolean(
        help="Write the submitted value onto the registrant (never a locked field)."
    )

    _sql_constraints = [
        (
            "form_key_unique_per_program",
            "unique(program_id, form_key)",
            "Each form key is mapped once per program.",
        )
    ]

    def _partner_field_names(self):
        """{line: the name of its partner field}, from Odoo's cached map of
        the partner's fields (no query per line)."""
        by_id = {
            field_id: name
            for name, field_id in self.env["ir.model.fields"]
            ._get_ids("res.partner")
            .items()
        }
        return {
            line: by_id.get(line.partner_field_id.id) or line.partner_field_id.name
            for line in self
        }

    @api.constrains("form_key")
    def _check_form_key(self):
        for line in self:
            if not re.fullmatch(FORM_KEY_PATTERN, line.form_key or ""):
                raise ValidationError(
                    _("%(key)s is not a form key.", key=line.form_key)
                )
