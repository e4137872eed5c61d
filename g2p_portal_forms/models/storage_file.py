from odoo import fields, models


class StorageFile(models.Model):
    _inherit = "storage.file"

    program_registrant_info_id = fields.Many2one(
        "g2p.program.registrant_info",
        "Application",
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    portal_requirement_id = fields.Many2one(
        "g2p.program.document.requirement",
        "Required Document",
        ondelete="set null",
        readonly=True,
    )
