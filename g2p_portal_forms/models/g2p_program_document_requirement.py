from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# File types a registrant may upload, by the name administrators see.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


class G2PProgramDocumentRequirement(models.Model):
    """A supporting document an application to a program asks for."""

    _name = "g2p.program.document.requirement"
    _description = "Program Required Document"
    _order = "sequence, id"

    program_id = fields.Many2one(
        "g2p.program", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char("Document", required=True, translate=True)
    description = fields.Text(
        translate=True, help="What the document must show, for the registrant."
    )
    allowed_types = fields.Char(
        default="pdf jpeg png",
        required=True,
        help="Space-separated file types: pdf, jpeg, png. Checked against the "
        "file's content, not its name.",
    )
    max_size_mb = fields.Float(
        "Maximum Size (MB)", default=5.0, required=True, digits=(6, 1)
    )
    mandatory = fields.Boolean(default=True)

    @api.constrains("allowed_types", "max_size_mb")
    def _check_rules(self):
        for requirement in self:
            types = requirement.allowed_type_list()
            unknown = set(types) - set(DOCUMENT_TYPES)
            if not types or unknown:
                raise ValidationError(
                    _(
                        "Allowed types must be among: %(types)s.",
                        types=", ".join(DOCUMENT_TYPES),
                    )
                )
            if not 0 < requirement.max_size_mb <= 50:
                raise ValidationError(
                    _("The maximum size of a document must be 0.1 to 50 MB.")
                )

    def allowed_type_list(self):
        self.ensure_one()
        return (self.allowed_types or "").lower().split()

    def allowed_mimes(self):
        return frozenset(DOCUMENT_TYPES[t] for t in self.allowed_type_list())

    def max_bytes(self):
        self.ensure_one()
        return int(self.max_size_mb * 1024 * 1024)

    def input_name(self):
        """Name of the file input of this requirement on the apply page."""
        self.ensure_one()
        return f"document_{self.id}"
