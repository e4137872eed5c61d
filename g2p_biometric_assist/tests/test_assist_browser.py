"""The officer's pages in Chromium: axe-core, and a 360 px wide screen."""

from odoo.tests import tagged

from odoo.addons.g2p_self_service_portal.tests.accessibility import (
    NO_SIDEWAYS_SCROLL,
    PageChecks,
)

from .common import AssistCase


class AssistPages(PageChecks, AssistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer.password = cls.officer.login  # browser_js's password
        cls.env["g2p.biometric.consent"].with_user(cls.officer).create(
            {"partner_id": cls.ana.id, "statement": "I agree."}
        )

    def _pages(self):
        return [
            "/assist",
            "/assist?q=Lima",
            "/assist/register",
            f"/assist/registrant/{self.ana.id}",
            f"/assist/registrant/{self.ben.id}",
            self.base() + "/apply",
        ]


@tagged("post_install", "-at_install")
class TestAssistAccessible(AssistPages):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._serve_axe()

    def test_officer_pages_are_accessible(self):
        self._check(self._pages(), login=self.officer.login)


@tagged("post_install", "-at_install")
class TestAssistSmallScreen(AssistPages):
    browser_size = "360x740"
    touch_enabled = True

    def test_officer_pages_fit_a_phone(self):
        self._check(self._pages(), login=self.officer.login, code=NO_SIDEWAYS_SCROLL)
