"""Every portal page in headless Chromium: axe-core, and a 360-px screen.

axe-core (npm ``axe-core``) is served to the browser from a public
attachment and run on each page once it has loaded, its scripts included.
A serious or critical violation fails the test with the rule, the element
and what to fix. The same pages are then shown 360 px wide and must not
scroll sideways. ``.ci/run`` installs Chromium and axe-core wherever the
Odoo suite runs, so this never skips there.
"""

import base64
import os
import shutil
import subprocess
from pathlib import Path

from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.tests.common import SCHEMA

from .test_portal_programs import PortalPagesCase

AXE_URL = "/g2p_self_service_portal_test/axe.min.js"
# What the issue forbids: "no serious or critical violation on any page".
FAILING_IMPACTS = ("serious", "critical")

RUN_AXE = """
(async () => {
    await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = "%(url)s";
        script.onload = resolve;
        script.onerror = () => reject(new Error("axe-core did not load"));
        document.head.appendChild(script);
    });
    const results = await window.axe.run(document, {resultTypes: ["violations"]});
    const failing = results.violations.filter(
        (violation) => %(impacts)s.includes(violation.impact)
    );
    if (failing.length) {
        console.error("axe-core on " + location.pathname + ": " + JSON.stringify(
            failing.map((violation) => ({
                rule: violation.id,
                impact: violation.impact,
                help: violation.help,
                nodes: violation.nodes.slice(0, 5).map(
                    (node) => node.target.join(" ") + " :: " + node.html.slice(0, 160)
                ),
            })),
            null,
            1
        ));
    } else {
        console.log("test successful");
    }
})().catch((error) => console.error("axe-core failed: " + error));
"""

NO_SIDEWAYS_SCROLL = """
(() => {
    const width = document.documentElement.scrollWidth;
    const wide = [...document.querySelectorAll("body *")].filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > window.innerWidth + 1
            && getComputedStyle(element).position !== "fixed";
    }).slice(0, 5).map((element) => element.outerHTML.slice(0, 120));
    if (width > window.innerWidth + 1) {
        console.error(location.pathname + " is " + width + " px wide on a "
            + window.innerWidth + "-px screen: " + JSON.stringify(wide));
    } else {
        console.log("test successful");
    }
})();
"""
AXE_CODE = RUN_AXE % {"url": AXE_URL, "impacts": list(FAILING_IMPACTS)}
READY = "document.readyState === 'complete'"


def axe_source():
    """axe.min.js from AXE_CORE_JS or the global npm modules, or None."""
    candidates = []
    if os.environ.get("AXE_CORE_JS"):
        candidates.append(Path(os.environ["AXE_CORE_JS"]))
    npm = shutil.which("npm")
    if npm:
        root = subprocess.run(
            [npm, "root", "-g"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if root:
            candidates.append(Path(root) / "axe-core" / "axe.min.js")
    candidates.append(Path("/usr/lib/node_modules/axe-core/axe.min.js"))
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_bytes()
    return None


@tagged("post_install", "-at_install")
class TestAccessibility(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        source = axe_source()
        if source is None:
            raise AssertionError(
                "axe-core is not installed: npm install -g axe-core "
                "(or set AXE_CORE_JS to axe.min.js)"
            )
        env["ir.attachment"].create(
            {
                "name": "axe.min.js",
                "type": "binary",
                "datas": base64.b64encode(source),
                "mimetype": "text/javascript",
                "url": AXE_URL,
                "public": True,
            }
        )
        # browser_js signs in with the login as password.
        cls.ana.user_ids.password = cls.ana.user_ids.login
        env["ir.config_parameter"].sudo().set_param(
            "g2p_self_service_portal.password_login", "True"
        )
        provider = env["auth.oauth.provider"].create(
            {
                "name": "National ID",
                "flow": "id_token_code",
                "client_id": "g2p-accessibility-test",
                "enabled": True,
                "body": "Sign in with your national ID",
                "scope": "openid profile",
                "auth_endpoint": "https://esignet.example.org/authorize",
                "esignet_issuer": "https://esignet.example.org",
            }
        )
        env["g2p.esignet.login.method"].create(
            {
                "provider_id": provider.id,
                "name": "One-time code",
                "icon": "otp",
                "acr_values": "mosip:idp:acr:generated-code",
            }
        )
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

    def _check(self, urls, login=None, code=None):
        for url in urls:
            with self.subTest(url=url):
                self.browser_js(
                    url,
                    code or AXE_CODE,
                    ready=READY,
                    login=login,
                    timeout=120,
                )

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
