from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    g2p_portal_password_login = fields.Boolean(
        "Password sign-in on the portal",
        config_parameter="g2p_self_service_portal.password_login",
        help="Show a login and password form on the self-service portal's "
        "sign-in page, besides the national-ID buttons. Staff can always sign "
        "in at /web/login.",
    )
