from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _portal_forms_locked_fields(self):
        """Partner fields a form may show but never change for this person.

        Empty here; the national-ID login locks the fields it verified (the
        portal addon joins both).
        """
        self.ensure_one()
        return set()
