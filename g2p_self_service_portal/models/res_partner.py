from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _portal_forms_locked_fields(self):
        # Fields verified through the national ID are locked in every form.
        return super()._portal_forms_locked_fields() | self._esignet_locked_field_set()
