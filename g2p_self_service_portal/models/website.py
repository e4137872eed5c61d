"""The portal's branding, per website: colours, the agency's contact, menus.

A deployer sets them in the website's settings (Self-service portal block);
the header, the footer and the theme read them from here, so nothing of a
particular agency is written in the addon's XML.
"""

import logging

from odoo import _, _lt, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.translate import code_translations

from ..branding_core import INVALID_COLOR, LOW_CONTRAST, MIN_CONTRAST, check_brand_color

_logger = logging.getLogger(__name__)

# The theme's colour palette: o-color-1 is Bootstrap's primary, o-color-2
# its secondary (website/static/src/scss/options/colors/).
PALETTE_URL = "/website/static/src/scss/options/colors/user_color_palette.scss"
PALETTE_KEYS = {"g2p_primary_color": "o-color-1", "g2p_secondary_color": "o-color-2"}

# The menus the settings switch on and off: field, address, label.
PORTAL_MENUS = (
    ("g2p_menu_programs", "/my/programs", _lt("Programs")),
    ("g2p_menu_help", "/help", _lt("Help")),
    ("g2p_menu_about", "/about", _lt("About")),
    ("g2p_menu_contact", "/contactus", _lt("Contact us")),
)
MENU_URLS = {name: url for name, url, _label in PORTAL_MENUS}
MENU_LABELS = {name: label for name, _url, label in PORTAL_MENUS}
MODULE = "g2p_self_service_portal"


def _color_messages():
    return {
        INVALID_COLOR: _(
            "%(field)s must be a colour written #rrggbb, such as #1a5276."
        ),
        LOW_CONTRAST: _(
            "%(field)s is too light: white text on it, and it as text on white, "
            "must have a contrast of at least %(ratio)s:1 to be readable."
        ),
    }


class Website(models.Model):
    _inherit = "website"

    g2p_primary_color = fields.Char(
        "Primary colour",
        help="Buttons, links and the header's highlights, as #rrggbb. It must "
        "be dark enough for white text on it.",
    )
    g2p_secondary_color = fields.Char(
        "Secondary colour",
        help="Secondary buttons and the signed-in person's name in the header, "
        "as #rrggbb. It must be dark enough for white text on it.",
    )
    g2p_contact_address = fields.Text(
        "Agency address", help="Shown in the footer of every page."
    )
    g2p_contact_phone = fields.Char("Agency phone", help="Shown in the footer.")
    g2p_contact_email = fields.Char("Agency email", help="Shown in the footer.")
    # One compute and inverse per menu: a shared one would overwrite, while
    # computing the others, the value being written.
    g2p_menu_programs = fields.Boolean(
        "Programs menu",
        compute="_compute_g2p_menu_programs",
        inverse="_inverse_g2p_menu_programs",
    )
    g2p_menu_help = fields.Boolean(
        "Help menu",
        compute="_compute_g2p_menu_help",
        inverse="_inverse_g2p_menu_help",
    )
    g2p_menu_about = fields.Boolean(
        "About menu",
        compute="_compute_g2p_menu_about",
        inverse="_inverse_g2p_menu_about",
    )
    g2p_menu_contact = fields.Boolean(
        "Contact us menu",
        compute="_compute_g2p_menu_contact",
        inverse="_inverse_g2p_menu_contact",
    )

    # -- colours ------------------------------------------------------------------

    @api.constrains(*PALETTE_KEYS)
    def _check_g2p_colors(self):
        messages = _color_messages()
        for website in self:
            for name in PALETTE_KEYS:
                value = website[name]
                problem = value and check_brand_color(value)
                if problem:
                    _logger.info(
                        "website %s: %s refused (%s)", website.id, name, problem
                    )
                    raise ValidationError(
                        messages[problem]
                        % {
                            "field": self._fields[name].get_description(self.env)[
                                "string"
                            ],
                            "ratio": MIN_CONTRAST,
                        }
                    )

    @api.model_create_multi
    def create(self, vals_list):
        websites = super().create(vals_list)
        for website, vals in zip(websites, vals_list, strict=True):
            website._g2p_apply_colors(vals)
        return websites

    def write(self, vals):
        # The settings write every field at each save: recompile the theme
        # only for a colour that changes.
        before = {
            website: {name: website[name] for name in PALETTE_KEYS} for website in self
        }
        result = super().write(vals)
        for website in self:
            changed = {
                name: vals[name]
                for name in PALETTE_KEYS
                if name in vals
                and (vals[name] or False) != (before[website][name] or False)
            }
            website._g2p_apply_colors(changed)
        return result

    def _g2p_apply_colors(self, vals):
        """Write the colours into the website's theme, as its editor does."""
        self.ensure_one()
        values = {
            key: (vals[name] or "null")
            for name, key in PALETTE_KEYS.items()
            if name in vals
        }
        if values:
            self.env["web_editor.assets"].with_context(
                website_id=self.id
            ).make_scss_customization(PALETTE_URL, values)

    # -- menus --------------------------------------------------------------------

    def _g2p_top_menus(self):
        self.ensure_one()
        # sudo: menus are website content; the settings are for administrators.
        return (
            self.env["website.menu"]
            .sudo()
            .search([("parent_id", "=", self.menu_id.id), ("website_id", "=", self.id)])
            if self.menu_id
            else self.env["website.menu"]
        )

    def _g2p_compute_menu(self, name):
        url = MENU_URLS[name]
        for website in self:
            website[name] = url in website._g2p_top_menus().mapped("url")

    def _g2p_inverse_menu(self, name):
        url = MENU_URLS[name]
        for website in self.filtered("menu_id"):
            existing = website._g2p_top_menus().filtered(lambda menu: menu.url == url)
            if website[name] and not existing:
                website._g2p_create_menu(url, MENU_LABELS[name]._source)
            elif not website[name] and existing:
                existing.unlink()

    def _compute_g2p_menu_programs(self):
        self._g2p_compute_menu("g2p_menu_programs")

    def _inverse_g2p_menu_programs(self):
        self._g2p_inverse_menu("g2p_menu_programs")

    def _compute_g2p_menu_help(self):
        self._g2p_compute_menu("g2p_menu_help")

    def _inverse_g2p_menu_help(self):
        self._g2p_inverse_menu("g2p_menu_help")

    def _compute_g2p_menu_about(self):
        self._g2p_compute_menu("g2p_menu_about")

    def _inverse_g2p_menu_about(self):
        self._g2p_inverse_menu("g2p_menu_about")

    def _compute_g2p_menu_contact(self):
        self._g2p_compute_menu("g2p_menu_contact")

    def _inverse_g2p_menu_contact(self):
        self._g2p_inverse_menu("g2p_menu_contact")

    def _g2p_create_menu(self, url, source):
        sequence = max(self._g2p_top_menus().mapped("sequence") or [0]) + 1
        menu = (
            self.env["website.menu"]
            .sudo()
            .with_context(lang="en_US")
            .create(
                {
                    "name": source,
                    "url": url,
                    "parent_id": self.menu_id.id,
                    "website_id": self.id,
                    "sequence": sequence,
                }
            )
        )
        translations = {}
        for lang in self.language_ids.mapped("code"):
            if lang != "en_US":
                words = code_translations.get_python_translations(MODULE, lang)
                translations[lang] = words.get(source, source)
        if translations:
            menu.update_field_translations("name", translations)
        return menu
