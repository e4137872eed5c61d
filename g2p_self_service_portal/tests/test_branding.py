"""The website as a public service: branding from the settings, no Odoo
placeholders, the registrant's cards only, visitors sign in on the portal."""

from lxml import html

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_portal_programs import PortalPagesCase

BRANDING = {
    "website_name": "Agency of Tests",
    "g2p_primary_color": "#1e3a5f",
    "g2p_secondary_color": "#14532d",
    "g2p_contact_address": "1 Test Street\nTestville",
    "g2p_contact_phone": "+233 30 200 0000",
    "g2p_contact_email": "help@agency.example.org",
    "g2p_menu_programs": True,
    "g2p_menu_help": True,
    "g2p_menu_about": True,
    "g2p_menu_contact": False,
}
# What Odoo's default website shows and a public service must not.
PLACEHOLDERS = (
    "passionate people",
    "free website",
    "Powered by",
    "Company name",
    "info@yourcompany.example.com",
    "555-0111",
    "Useful Links",
    "Fake Buena Vista",
    "My Company",
)


@tagged("post_install", "-at_install")
class TestBranding(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("website.default_website")

    def _settings(self, values):
        settings = self.env["res.config.settings"].create(
            dict(values, website_id=self.website.id)
        )
        settings.execute()
        return settings

    def _page(self, url):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return html.fromstring(response.content)

    def _top_menu_urls(self):
        return self.website.menu_id.child_id.mapped("url")

    def test_settings_brand_the_website(self):
        self._settings(BRANDING)
        website = self.website
        self.assertEqual(website.name, "Agency of Tests")
        self.assertEqual(website.g2p_contact_email, "help@agency.example.org")
        urls = self._top_menu_urls()
        for url in ("/my/programs", "/help", "/about"):
            self.assertIn(url, urls)
        self.assertNotIn("/contactus", urls)
        self.assertTrue(website.g2p_menu_programs)
        self.assertFalse(website.g2p_menu_contact)
        # Saving the settings again does not add the menus twice.
        self._settings(BRANDING)
        self.assertEqual(self._top_menu_urls().count("/my/programs"), 1)
        self._settings(dict(BRANDING, g2p_menu_about=False, g2p_menu_contact=True))
        self.assertNotIn("/about", self._top_menu_urls())
        self.assertIn("/contactus", self._top_menu_urls())

    def test_colours_go_into_the_theme(self):
        self._settings(BRANDING)
        palette = self.env["ir.attachment"].search(
            [
                ("url", "like", "%user_color_palette%"),
                ("website_id", "=", self.website.id),
            ]
        )
        self.assertTrue(palette, "no customised colour palette")
        content = palette[0].raw.decode()
        self.assertIn("'o-color-1': #1e3a5f", content)
        self.assertIn("'o-color-2': #14532d", content)
        self._settings(dict(BRANDING, g2p_primary_color="#000000"))
        self.assertIn("'o-color-1': #000000", palette[0].raw.decode())

    def test_unreadable_colours_are_refused(self):
        for color in ("#ffff00", "yellow"):
            with self.subTest(color=color), self.assertRaises(ValidationError):
                self.website.g2p_primary_color = color
                self.website.flush_recordset()

    def test_footer_shows_the_agency_and_no_placeholder(self):
        self._settings(BRANDING)
        for url in ("/about", "/selfservice/login", "/contactus"):
            page = self._page(url)
            footer = page.get_element_by_id("footer").text_content()
            copyright_ = " ".join(
                page.xpath("//div[contains(@class, 'o_footer_copyright')]//text()")
            )
            self.assertIn("Agency of Tests", footer)
            self.assertIn("Testville", footer)
            self.assertIn("help@agency.example.org", footer)
            self.assertTrue(page.xpath("//footer//a[@href='tel:+233302000000']"))
            self.assertIn("Agency of Tests", copyright_)
            text = page.text_content()
            for placeholder in PLACEHOLDERS:
                self.assertNotIn(placeholder, text, f"{url}: {placeholder}")
            menu = [a.get("href") for a in page.xpath("//header//a[@role='menuitem']")]
            self.assertIn("/my/programs", menu)
            self.assertIn("/help", menu)
            # The header's contact is the agency's too.
            self.assertTrue(page.xpath("//header//a[@href='tel:+233302000000']"), url)

    def test_no_contact_set_no_contact_in_the_header(self):
        self._settings(dict(BRANDING, g2p_contact_phone=False, g2p_contact_email=False))
        page = self._page("/about")
        self.assertFalse(page.xpath("//header//a[starts-with(@href, 'tel:')]"))
        self.assertFalse(page.xpath("//header//a[starts-with(@href, 'mailto:')]"))

    def test_visitors_sign_in_on_the_portal(self):
        page = self._page("/about")
        sign_in = page.xpath("//header//a[normalize-space()='Sign in']")
        self.assertTrue(sign_in)
        self.assertEqual({a.get("href") for a in sign_in}, {"/selfservice/login"})

    def _home_cards(self):
        return [
            a.get("href")
            for a in self._page("/my").xpath(
                "//div[contains(@class, 'o_portal_index_card')]/a"
            )
        ]

    def test_registrants_see_the_portal_cards_only(self):
        if "account.move" not in self.env:
            self.skipTest("no invoicing app installed")
        self._sign_in(self.ana)
        cards = self._home_cards()
        self.assertIn("/my/programs", cards)
        self.assertFalse([url for url in cards if url.startswith("/my/invoices")])

    def test_other_portal_users_keep_the_cards_of_their_apps(self):
        if "account.move" not in self.env:
            self.skipTest("no invoicing app installed")
        partner = self._registrant_user("Customer Example", "customer-example")
        partner.is_registrant = False
        self._sign_in(partner)
        self.assertTrue(
            [url for url in self._home_cards() if url.startswith("/my/invoices")]
        )

    def test_search_bar_buttons_have_names(self):
        self._sign_in(self.ana)
        page = self._page("/my/programs")
        form = page.xpath("//form[contains(@class, 'o_portal_search_panel')]")
        self.assertTrue(form, "the programs page has no search bar")
        for button in form[0].xpath(".//button"):
            self.assertTrue(button.get("aria-label"), html.tostring(button))
