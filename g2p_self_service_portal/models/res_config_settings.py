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
    # The portal's branding lives on the website (models/website.py).
    g2p_primary_color = fields.Char(
        related="website_id.g2p_primary_color", readonly=False
    )
    g2p_secondary_color = fields.Char(
        related="website_id.g2p_secondary_color", readonly=False
    )
    g2p_contact_address = fields.Text(
        related="website_id.g2p_contact_address", readonly=False
    )
    g2p_contact_phone = fields.Char(
        related="website_id.g2p_contact_phone", readonly=False
    )
    g2p_contact_email = fields.Char(
        related="website_id.g2p_contact_email", readonly=False
    )
    g2p_menu_programs = fields.Boolean(
        related="website_id.g2p_menu_programs", readonly=False
    )
    g2p_menu_help = fields.Boolean(related="website_id.g2p_menu_help", readonly=False)
    g2p_menu_about = fields.Boolean(related="website_id.g2p_menu_about", readonly=False)
    g2p_menu_contact = fields.Boolean(
        related="website_id.g2p_menu_contact", readonly=False
    )
