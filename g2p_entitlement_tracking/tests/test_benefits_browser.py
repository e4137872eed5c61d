"""The benefits pages in Chromium (axe-core, 360 px) and in French."""

from odoo.tests import tagged

from odoo.addons.g2p_self_service_portal.tests.accessibility import (
    NO_SIDEWAYS_SCROLL,
    PageChecks,
)
from odoo.addons.g2p_self_service_portal.tests.test_portal_french import (
    french_terms,
    page_text,
)

from .common import BenefitsCase


@tagged("post_install", "-at_install")
class TestBenefitsBrowser(PageChecks, BenefitsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._serve_axe()
        # browser_js signs in with the login as password.
        cls.ana.user_ids.password = cls.ana.user_ids.login

    def _pages(self):
        return [
            "/my/benefits",
            f"/my/benefits/{self.paid.id}",
            f"/my/benefits/{self.food_paid.id}",
            "/my/notifications",
        ]

    def test_benefits_pages_are_accessible(self):
        self._check(self._pages(), login=self.ana.user_ids.login)

    def test_benefits_pages_in_french(self):
        env = self.env
        env["res.lang"]._activate_lang("fr_FR")
        env["ir.module.module"].search(
            [("name", "in", ["g2p_entitlement_tracking", "portal", "website"])]
        )._update_translations(["fr_FR"])
        env["website"].get_current_website().language_ids |= env.ref("base.lang_fr")
        terms = french_terms(("g2p_entitlement_tracking",))
        login = self.ana.user_ids.login
        self.authenticate(login, login)
        for url in self._pages():
            with self.subTest(url=url):
                english = page_text(self, url, "en_US")
                french = page_text(self, url, "fr_FR")
                shown = [term for term in terms if term in english]
                self.assertTrue(shown, url)
                left = [term for term in shown if term in french]
                self.assertFalse(left, f"{url}: still in English in French: {left}")


@tagged("post_install", "-at_install")
class TestBenefitsSmallScreen(PageChecks, BenefitsCase):
    browser_size = "360x740"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ana.user_ids.password = cls.ana.user_ids.login

    def test_benefits_pages_fit_a_phone(self):
        self._check(
            [
                "/my",
                "/my/benefits",
                f"/my/benefits/{self.paid.id}",
                "/my/notifications",
            ],
            login=self.ana.user_ids.login,
            code=NO_SIDEWAYS_SCROLL,
        )
