"""Every portal page in headless Chromium: axe-core, and a 360-px screen."""

from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.tests.common import SCHEMA

from .accessibility import NO_SIDEWAYS_SCROLL, PageChecks
from .test_portal_programs import PortalPagesCase


@tagged("post_install", "-at_install")
class TestAccessibility(PageChecks, PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls._serve_axe()
        # browser_js signs in with the login as password.
        cls.ana.user_ids.password = cls.ana.user_ids.login
        env["ir.config_parameter"].sudo().set_param(
            "g2p_self_service_portal.password_login", "True"
        )
        cls._national_id_provider("g2p-accessibility-test")
        cls.application = cls._application(cls.ana, cls.program)
        cls.application.write(
            {
                "portal_form_schema": SCHEMA,
                "program_registrant_info": {"full_name": "Ana Lima", "bank": "first"},
            }
        )
        cls.ana.write(
            {
                "given_name": "Ana",
                "family_name": "Lima",
                "esignet_locked_fields": "family_name given_name",
            }
        )

    def _public_pages(self):
        return [
            "/selfservice/login",
            "/web/login",
            "/about",
            "/help",
            "/contactus",
            # Error pages: a page that does not exist, and a national-ID
            # sign-in that failed.
            "/my/programs/999999999",
            "/auth_esignet/callback?state=unknown&code=x",
        ]

    def _registrant_pages(self):
        return [
            "/my",
            "/my/programs",
            f"/my/programs/{self.program.id}",
            "/my/applications",
            f"/my/applications/{self.application.id}",
            "/my/account",
            "/my/submissions",
        ]

    def test_public_pages_are_accessible(self):
        self._check(self._public_pages())

    def test_registrant_pages_are_accessible(self):
        self._check(self._registrant_pages(), login=self.ana.user_ids.login)

    def test_apply_page_is_accessible(self):
        # The Form.io form is rendered by formio.js in the browser.
        self._check(
            [f"/my/programs/{self.program.id}/apply"], login=self.ana.user_ids.login
        )


@tagged("post_install", "-at_install")
class TestSmallScreen(TestAccessibility):
    """The same pages on a 360-px-wide phone: nothing scrolls sideways."""

    browser_size = "360x740"
    touch_enabled = True

    def test_public_pages_are_accessible(self):
        self._check(self._public_pages(), code=NO_SIDEWAYS_SCROLL)

    def test_registrant_pages_are_accessible(self):
        self._check(
            self._registrant_pages(),
            login=self.ana.user_ids.login,
            code=NO_SIDEWAYS_SCROLL,
        )

    def test_apply_page_is_accessible(self):
        self._check(
            [f"/my/programs/{self.program.id}/apply"],
            login=self.ana.user_ids.login,
            code=NO_SIDEWAYS_SCROLL,
        )
