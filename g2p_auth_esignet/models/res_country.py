from odoo import api, models


class ResCountry(models.Model):
    _inherit = "res.country"

    # res.partner._esignet_country_id caches which country a KYC address
    # names, in every worker of every server: a country added, renamed or
    # removed clears the caches everywhere (Odoo signals it through the
    # database), so that all servers map an address alike.

    @api.model_create_multi
    def create(self, vals_list):
        countries = super().create(vals_list)
        self.env.registry.clear_cache()
        return countries

    def write(self, vals):
        result = super().write(vals)
        if {"name", "code"} & set(vals):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
