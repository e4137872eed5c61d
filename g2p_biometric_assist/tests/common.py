"""An officer, two registrants, a program, and the SBI emulator over HTTP.

The emulator (``tests/emulators/sbi``) runs in this process on a free port
of 127.0.0.1; its device-provider CA is trusted in the settings. The test
plays the officer's browser: it talks to the device and hands the raw
answers to the server, as ``assist_capture.js`` does.
"""

import base64
import json
import re
import socket
from contextlib import contextmanager
from unittest.mock import patch

import requests

from odoo.tools import config

from odoo.addons.g2p_auth_esignet.tests.repo_emulators import load_emulator
from odoo.addons.g2p_portal_forms.tests.common import (
    GOOD_ANSWERS,
    PDF,
    PortalFormsCase,
)

sbi = load_emulator("sbi")

MASTER_KEY = base64.b64encode(b"k" * 32).decode()
OFFICER_PASSWORD = "officer-Pass-123"
_HIDDEN = re.compile(
    r'<input type="hidden" name="(\w+)"(?: class="[^"]*")? value="([^"]*)"'
)


def free_port(first=4501, last=4600):
    """A free port of the SBI range (the browser client scans it)."""
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError("no free port in the SBI range")


@contextmanager
def master_key(value=MASTER_KEY):
    with patch.dict(config.options, {"g2p_biometric_master_key": value}):
        yield


class AssistCase(PortalFormsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.keys = sbi.DeviceKeys.generate()
        cls.emulator = sbi.SbiEmulator(sbi.Device(keys=cls.keys), port=free_port())
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        env["g2p.sbi.trusted.certificate"].create(
            {"name": "SBI emulator provider", "pem": cls.keys.ca_pem}
        )
        cls.program.biometric_min_quality = 60
        cls.officer = cls._user(
            "Olu Officer",
            "olu.officer",
            OFFICER_PASSWORD,
            "g2p_biometric_assist.group_registration_officer",
        )
        # An internal user without the officer group.
        cls.clerk = cls._user(
            "Cleo Clerk", "cleo.clerk", "cleo.clerk-Pass-123", "base.group_user"
        )

    @classmethod
    def _user(cls, name, login, password, group):
        return (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": name,
                    "login": login,
                    "password": password,
                    "groups_id": [(6, 0, [cls.env.ref(group).id])],
                }
            )
        )

    def setUp(self):
        super().setUp()
        self.emulator.device.faults = sbi.Faults()
        key = master_key()
        key.__enter__()
        self.addCleanup(key.__exit__, None, None, None)

    # -- the officer's browser ---------------------------------------------------

    def sign_in_officer(self):
        self.authenticate("olu.officer", OFFICER_PASSWORD)

    def base(self, partner=None, program=None):
        partner = partner or self.ana
        program = program or self.program
        return f"/assist/registrant/{partner.id}/program/{program.id}"

    def record_consent(self, partner=None):
        partner = partner or self.ana
        # The register form always carries a CSRF token (the registrant's
        # page has no form once consent is recorded).
        page = self.url_open("/assist/register")
        self.assertEqual(page.status_code, 200, page.text[:300])
        csrf = dict(_HIDDEN.findall(page.text))["csrf_token"]
        return self.url_open(
            f"/assist/registrant/{partner.id}/consent",
            data={"csrf_token": csrf, "agreed": "1", "method": "spoken"},
        )

    def discover(self):
        answer = requests.request(
            "MOSIPDISC",
            self.emulator.base_url + "/device",
            json={"type": "Biometric Device"},
            timeout=5,
        )
        return answer.json()[0]

    def start_capture(self, partner=None, program=None, **overrides):
        device = self.discover()
        params = {
            "device": {
                "deviceId": device["deviceId"],
                "deviceSubId": device["deviceSubId"][0],
                "port": self.emulator.port,
            },
            "bio_type": "Finger",
            "bio_sub_types": ["Left IndexFinger", "Left MiddleFinger"],
            "count": 2,
            "exceptions": [],
        }
        params.update(overrides)
        return self.make_jsonrpc_request(
            self.base(partner, program) + "/capture/start", params
        )

    def device_capture(self, started):
        answer = requests.request(
            started["method"],
            self.emulator.base_url + "/capture",
            data=json.dumps(started["body"]),
            timeout=30,
        )
        return answer.text

    def submit_capture(self, transaction_id, response, partner=None, program=None):
        return self.make_jsonrpc_request(
            self.base(partner, program) + "/capture",
            {"transaction_id": transaction_id, "response": response},
        )

    def capture(self, partner=None, program=None):
        started = self.start_capture(partner, program)
        self.assertTrue(started["ok"], started)
        return self.submit_capture(
            started["transaction_id"], self.device_capture(started), partner, program
        )

    def apply_inputs(self, partner=None, program=None):
        page = self.url_open(self.base(partner, program) + "/apply")
        self.assertEqual(page.status_code, 200, page.text[:500])
        return dict(_HIDDEN.findall(page.text)), page

    def assisted_submit(self, capture_ids, partner=None, program=None, answers=None):
        inputs, _page = self.apply_inputs(partner, program)
        inputs["submission"] = json.dumps({"data": answers or GOOD_ANSWERS})
        inputs["capture_ids"] = ",".join(str(i) for i in capture_ids)
        name = self.requirement.input_name()
        return self.url_open(
            self.base(partner, program) + "/apply",
            data=inputs,
            files={name: ("income.pdf", PDF, "application/pdf")},
            allow_redirects=False,
        )

    def captures(self, partner=None):
        return (
            self.env["g2p.biometric.capture"]
            .sudo()
            .search([("partner_id", "=", (partner or self.ana).id)])
        )

    def audit(self, partner=None, action=None):
        domain = [("partner_id", "=", (partner or self.ana).id)]
        if action:
            domain.append(("action", "=", action))
        return self.env["g2p.biometric.audit"].sudo().search(domain)
