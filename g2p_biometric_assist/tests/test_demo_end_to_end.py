"""The demo, end to end: its data, its configuration and both emulators.

The Odoo suite installs the addons without demo data, so the class loads
their ``demo/`` files into the test database as an installation with demo
data would. It then configures the database with ``setup/portal_demo/demo_odoo.py``
and registers the portal with the eSignet emulator through eSignet's
client-management API with ``setup/demo.py``'s request, as the demo
command does, and walks over HTTP:

- the registrant's path: Kofi signs in with his national ID (OTP) and is
  linked to his existing record, browses the programs, applies to Medical
  Assistance with a document, finds the application among his others, and
  sees his benefits and payments;
- the officer's path: the demo officer finds Ana, records her consent,
  captures two fingers through the SBI emulator and applies for her to
  Cash for Families with the capture.
"""

import importlib
import json
import sys
import unittest
from pathlib import Path
from urllib.parse import urlsplit

import requests

from odoo.modules.module import get_manifest
from odoo.tests import HttpCase, tagged
from odoo.tools import convert_file

from odoo.addons.g2p_auth_esignet.oidc import load_private_key, public_jwk
from odoo.addons.g2p_auth_esignet.tests.common import KOFI, EsignetEmulator
from odoo.addons.g2p_portal_forms.tests.common import PDF

from .common import _HIDDEN, free_port, master_key, sbi

SETUP_DIR = Path(__file__).resolve().parents[2] / "setup"
# The addons with demo data, in installation order.
DEMO_MODULES = (
    "g2p_portal_forms",
    "g2p_self_service_portal",
    "g2p_entitlement_tracking",
    "g2p_biometric_assist",
)


def load_demo_module(name):
    """``setup/portal_demo/<name>.py`` of the checkout, as ``portal_demo.<name>``
    (skips the class without one). Importing the package puts ``tests/`` on
    ``sys.path``: ``tooling`` is importable afterwards."""
    path = SETUP_DIR / "portal_demo" / f"{name}.py"
    if not path.is_file():
        raise unittest.SkipTest(
            f"{path} is missing: run the demo test from a checkout of the repository"
        )
    if str(SETUP_DIR) not in sys.path:
        sys.path.append(str(SETUP_DIR))
    return importlib.import_module(f"portal_demo.{name}")


def load_demo_data(env):
    """Every demo file of the addons, as an installation with demo loads it."""
    for module in DEMO_MODULES:
        for filename in get_manifest(module).get("demo", []):
            convert_file(
                env, module, filename, {}, mode="init", noupdate=True, kind="demo"
            )


@tagged("post_install", "-at_install")
class TestDemoEndToEnd(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        settings = load_demo_module("settings")
        services = load_demo_module("services")
        state_folder = load_demo_module("state_folder")
        demo_odoo = load_demo_module("demo_odoo")
        tooling = importlib.import_module("tooling")
        load_demo_data(cls.env)

        cls.esignet = EsignetEmulator(psut_secret="demo-end-to-end").start()
        cls.addClassCleanup(cls.esignet.stop)
        key_pem = state_folder.new_rsa_private_key_pem()
        registration = services.client_registration_request(
            public_jwk(load_private_key(key_pem)),
            [cls.base_url() + "/auth_oauth/signin"],
            cls.base_url() + "/web/binary/company_logo",
        )
        assert tooling.register_client(cls.esignet.issuer, registration) == "registered"
        cls.provider = demo_odoo.configure_esignet(
            cls.env,
            issuer=cls.esignet.issuer,
            client_id=settings.CLIENT_ID,
            private_key_pem=key_pem,
            acr_values=list(settings.GUIDE_ACR_VALUES),
        )
        demo_odoo.disable_other_login_providers(cls.env, cls.provider)

        cls.sbi = sbi.SbiEmulator(
            sbi.Device(keys=sbi.DeviceKeys.generate()), port=free_port()
        ).start()
        cls.addClassCleanup(cls.sbi.stop)
        _status, ca_pem = tooling.http_get(cls.sbi.base_url + "/_emulator/ca.pem")
        demo_odoo.trust_device_provider(cls.env, ca_pem.decode("ascii"))

        ref = cls.env.ref
        cls.kofi = ref("g2p_self_service_portal.demo_registrant_kofi")
        cls.ana = ref("g2p_self_service_portal.demo_registrant_ana")
        cls.cash = ref("g2p_portal_forms.demo_program_cash")
        cls.medical = ref("g2p_portal_forms.demo_program_medical")
        cls.officer = ref("g2p_biometric_assist.demo_user_officer")

    def setUp(self):
        super().setUp()
        key = master_key()
        key.__enter__()
        self.addCleanup(key.__exit__, None, None, None)

    # -- helpers -------------------------------------------------------------

    def _sign_in_with_national_id(self, individual_id):
        """Press the OTP button, log in at the emulator, come back."""
        button = self.provider.esignet_login_method_ids.filtered(
            lambda m: m.acr_values == "mosip:idp:acr:generated-code"
        )
        self.assertEqual(len(button), 1, "the OTP button of the guide's client")
        page = self.url_open("/selfservice/login")
        self.assertIn(f"/auth_esignet/login/{self.provider.id}", page.text)
        start = self.url_open(
            f"/auth_esignet/login/{self.provider.id}?method={button.id}",
            allow_redirects=False,
        )
        self.assertEqual(start.status_code, 303, start.text[:500])
        callback = self.esignet.login(start.headers["Location"], individual_id)
        parts = urlsplit(callback)
        self.assertEqual(parts.path, "/auth_oauth/signin")
        return self.url_open(f"{parts.path}?{parts.query}", allow_redirects=False)

    def _session_uid(self):
        return self.make_jsonrpc_request("/web/session/get_session_info", {})["uid"]

    def _form_inputs(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, page.text[:500])
        return dict(_HIDDEN.findall(page.text))

    def _applications(self, partner, program):
        return self.env["g2p.program.registrant_info"].search(
            [("registrant_id", "=", partner.id), ("program_id", "=", program.id)]
        )

    # -- the registrant ------------------------------------------------------

    def test_registrant_signs_in_applies_and_follows_benefits(self):
        answer = self._sign_in_with_national_id(KOFI)
        self.assertEqual(answer.status_code, 303, answer.text[:500])
        # Linked automatically to the demo's record of him: no new registrant.
        user = self.kofi.user_ids
        self.assertEqual(len(user), 1)
        self.assertTrue(user.share)
        self.assertEqual(self._session_uid(), user.id)
        self.assertEqual(
            self.env["res.partner"].search_count([("name", "ilike", "Kofi Mensah")]), 1
        )

        programs = self.url_open("/my/programs")
        self.assertEqual(programs.status_code, 200)
        for program in (
            "Cash for Families",
            "Medical Assistance",
            "School Meals",
            "Farm Inputs Support",
        ):
            self.assertIn(program, programs.text)
        closed = self.url_open(
            f"/my/programs/{self.env.ref('g2p_portal_forms.demo_program_farm_inputs').id}"
            "/apply"
        )
        self.assertEqual(closed.status_code, 409, "its application window closed")
        self.assertIn("not open for applications", closed.text)

        apply_url = f"/my/programs/{self.medical.id}/apply"
        inputs = self._form_inputs(apply_url)
        inputs["submission"] = json.dumps(
            {
                "data": {
                    "full_name": self.kofi.name,
                    "care": "medicines",
                    "facility": "Korle Bu Teaching Hospital",
                    "estimated_cost": 80,
                    "details": "Monthly treatment.",
                }
            }
        )
        prescription = self.env.ref(
            "g2p_portal_forms.demo_requirement_medical_prescription"
        )
        sent = self.url_open(
            apply_url,
            data=inputs,
            files={
                prescription.input_name(): (
                    "prescription.pdf",
                    PDF,
                    "application/pdf",
                )
            },
            allow_redirects=False,
        )
        self.assertEqual(sent.status_code, 303, sent.text[:1000])
        applications = self._applications(self.kofi, self.medical)
        new = applications.filtered(lambda a: a.state == "active")
        self.assertEqual(len(new), 1)
        self.assertEqual(len(applications), 2, "the rejected one and the new one")
        self.assertEqual(new.portal_document_ids.portal_requirement_id, prescription)

        mine = self.url_open("/my/applications")
        self.assertEqual(mine.status_code, 200)
        demo_application = self.env.ref(
            "g2p_self_service_portal.demo_application_kofi_cash"
        )
        for application in (new, demo_application):
            self.assertIn(application.application_id, mine.text)
        detail = self.url_open(f"/my/applications/{new.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn("Korle Bu Teaching Hospital", detail.text)
        self.assertIn("Prescription or invoice", detail.text)

        benefits = self.url_open("/my/benefits")
        self.assertEqual(benefits.status_code, 200)
        for xmlid in ("demo_cycle_cash_1", "demo_cycle_cash_4"):
            cycle = self.env.ref(f"g2p_entitlement_tracking.{xmlid}")
            self.assertIn(cycle.name, benefits.text)
        retried = self.env.ref("g2p_entitlement_tracking.demo_entitlement_kofi_2")
        benefit = self.url_open(f"/my/benefits/{retried.id}")
        self.assertEqual(benefit.status_code, 200)
        self.assertEqual(len(retried.payment_ids), 2, "a failed payment, then paid")
        grace = self.env.ref("g2p_entitlement_tracking.demo_entitlement_grace_1")
        self.assertEqual(
            self.url_open(f"/my/benefits/{grace.id}").status_code,
            404,
            "another registrant's benefit",
        )

    # -- the officer ---------------------------------------------------------

    def test_officer_applies_for_a_registrant_with_a_capture(self):
        self.authenticate("officer", "officer")
        found = self.url_open("/assist?q=Lima")
        self.assertEqual(found.status_code, 200)
        registrant_url = f"/assist/registrant/{self.ana.id}"
        self.assertIn(registrant_url, found.text)

        csrf = self._form_inputs("/assist/register")["csrf_token"]
        consent = self.url_open(
            registrant_url + "/consent",
            data={"csrf_token": csrf, "agreed": "1", "method": "spoken"},
        )
        self.assertEqual(consent.status_code, 200)

        base = f"{registrant_url}/program/{self.cash.id}"
        device = requests.request(
            "MOSIPDISC",
            self.sbi.base_url + "/device",
            json={"type": "Biometric Device"},
            timeout=5,
        ).json()[0]
        started = self.make_jsonrpc_request(
            base + "/capture/start",
            {
                "device": {
                    "deviceId": device["deviceId"],
                    "deviceSubId": device["deviceSubId"][0],
                    "port": self.sbi.port,
                },
                "bio_type": "Finger",
                "bio_sub_types": ["Right IndexFinger", "Right Thumb"],
                "count": 2,
                "exceptions": [],
            },
        )
        self.assertTrue(started["ok"], started)
        raw = requests.request(
            started["method"],
            self.sbi.base_url + "/capture",
            data=json.dumps(started["body"]),
            timeout=30,
        ).text
        accepted = self.make_jsonrpc_request(
            base + "/capture",
            {"transaction_id": started["transaction_id"], "response": raw},
        )
        self.assertTrue(accepted["ok"], accepted)
        self.assertTrue(
            all(
                b["quality_score"] >= self.cash.biometric_min_quality
                for b in accepted["biometrics"]
            )
        )

        inputs = self._form_inputs(base + "/apply")
        inputs["submission"] = json.dumps(
            {
                "data": {
                    "full_name": self.ana.name,
                    "phone": self.ana.phone,
                    "household_size": 4,
                    "monthly_income": 95,
                    "payment_method": "mobile",
                    "declaration": True,
                }
            }
        )
        inputs["capture_ids"] = str(accepted["capture_id"])
        income = self.env.ref("g2p_portal_forms.demo_requirement_cash_income")
        sent = self.url_open(
            base + "/apply",
            data=inputs,
            files={income.input_name(): ("payslip.pdf", PDF, "application/pdf")},
            allow_redirects=False,
        )
        self.assertEqual(sent.status_code, 303, sent.text[:1000])
        application = self._applications(self.ana, self.cash)
        self.assertEqual(len(application), 1)
        self.assertTrue(application.assisted)
        self.assertEqual(application.assisted_by_id, self.officer)
        capture = self.env["g2p.biometric.capture"].browse(accepted["capture_id"])
        self.assertEqual(capture.application_id, application)
        self.assertIn(capture.device_serial, application.assisted_device)
        done = self.url_open(sent.headers["Location"])
        self.assertIn(application.application_id, done.text)
