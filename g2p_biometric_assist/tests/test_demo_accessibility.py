"""The demo website in Chromium: every page a visitor, a registrant and an
officer meets, with axe-core, at 1280 px and 360 px, in English and French.

The suite installs the addons without demo data; the class loads the demo
data as an installation with demo data does (``load_demo_data``, with the
website's own demo content), so the pages are those a deployer trying
``setup/demo.py`` meets: the demo agency's branding, Odoo's default
website content, Kofi Mensah's programs, applications and benefits.
"""

from odoo.modules.module import get_manifest
from odoo.tests import HttpCase, tagged
from odoo.tools import convert_file

from odoo.addons.g2p_self_service_portal.tests.accessibility import PageChecks

from .test_demo_end_to_end import load_demo_data, load_demo_module


def load_website_demo(env):
    """The website addon's demo content, as the demo database has it: a
    second website and its test pages (its visitors need base's demo
    partners, which the suite does not have)."""
    for filename in get_manifest("website").get("demo", []):
        if "visitor" not in filename:
            convert_file(
                env, "website", filename, {}, mode="init", noupdate=True, kind="demo"
            )


class DemoWebsitePages(PageChecks, HttpCase):
    phone = False

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        load_website_demo(env)
        load_demo_data(env)
        cls._serve_axe()
        # The demo's eSignet provider, as setup/portal_demo/demo_odoo.py makes it (its
        # endpoints are not discovered: the pages only link to them).
        settings = load_demo_module("settings")
        demo_odoo = load_demo_module("demo_odoo")
        issuer = "https://esignet.example.org"
        provider = env["auth.oauth.provider"].create(
            dict(
                demo_odoo.esignet_provider_values(
                    env, issuer=issuer, client_id=settings.CLIENT_ID
                ),
                auth_endpoint=issuer + "/authorize",
            )
        )
        demo_odoo.disable_other_login_providers(env, provider)
        ref = env.ref
        cls.kofi = ref("g2p_self_service_portal.demo_registrant_kofi")
        # Kofi signs in with his national ID in the demo; here with a
        # password (browser_js's: the login).
        cls.kofi_user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": "kofi.demo",
                    "password": "kofi.demo",
                    "partner_id": cls.kofi.id,
                    "groups_id": [(6, 0, [ref("base.group_portal").id])],
                }
            )
        )
        cls.officer = ref("g2p_biometric_assist.demo_user_officer")
        cls.officer.password = cls.officer.login
        cls.cash = ref("g2p_portal_forms.demo_program_cash")
        cls.medical = ref("g2p_portal_forms.demo_program_medical")
        cls.application = ref("g2p_self_service_portal.demo_application_kofi_cash")
        cls.entitlement = ref("g2p_entitlement_tracking.demo_entitlement_kofi_1")
        env["g2p.biometric.consent"].with_user(cls.officer).create(
            {"partner_id": cls.kofi.id, "statement": "I agree."}
        )
        env["res.lang"]._activate_lang("fr_FR")
        env["ir.module.module"].search(
            [
                (
                    "name",
                    "in",
                    [
                        "web",
                        "portal",
                        "website",
                        "auth_signup",
                        "g2p_auth_esignet",
                        "g2p_portal_forms",
                        "g2p_self_service_portal",
                        "g2p_entitlement_tracking",
                        "g2p_biometric_assist",
                    ],
                )
            ]
        )._update_translations(["fr_FR"])
        ref("website.default_website").language_ids |= ref("base.lang_fr")

    def _visitor_pages(self):
        return ["/", "/selfservice/login", "/about", "/help", "/contactus"]

    def _registrant_pages(self):
        return [
            "/my",
            "/my/programs",
            f"/my/programs/{self.cash.id}",
            f"/my/programs/{self.medical.id}/apply",
            "/my/applications",
            f"/my/applications/{self.application.id}",
            "/my/account",
            "/my/submissions",
            "/my/benefits",
            f"/my/benefits/{self.entitlement.id}",
            "/my/notifications",
            "/about",
            "/help",
            "/contactus",
        ]

    def _officer_pages(self):
        base = f"/assist/registrant/{self.kofi.id}"
        return [
            "/assist",
            "/assist?q=Mensah",
            base,
            f"{base}/program/{self.medical.id}/apply",
        ]

    def _walk_all(self, prefix=""):
        for who, urls, login in (
            ("visitor", self._visitor_pages(), None),
            ("registrant", self._registrant_pages(), self.kofi_user.login),
            ("officer", self._officer_pages(), self.officer.login),
        ):
            with self.subTest(who=who, lang=prefix or "en"):
                self._walk(
                    [prefix + url for url in urls], login=login, phone=self.phone
                )

    def test_pages_in_english(self):
        self._walk_all()

    def test_pages_in_french(self):
        self._walk_all("/fr")


@tagged("post_install", "-at_install")
class TestDemoWebsiteDesktop(DemoWebsitePages):
    browser_size = "1280x800"


@tagged("post_install", "-at_install")
class TestDemoWebsitePhone(DemoWebsitePages):
    browser_size = "360x740"
    touch_enabled = True
    phone = True
