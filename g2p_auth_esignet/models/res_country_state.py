from odoo import api, models


class ResCountryState(models.Model):
    _inherit = "res.country.state"

    # res.partner._esignet_state_id caches which state a KYC address names,
    # in every worker of every server: see res_country.py.

    @api.model_create_multi
    def create(self, vals_list):
        states = super().create(vals_list)
        self.env.registry.clear_cache()
        return states

    def write(self, vals):
        result = super().write(vals)
        if {"name", "code", "country_id"} & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
