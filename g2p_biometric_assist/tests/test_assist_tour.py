"""The officer's page in a real browser: the SBI client against the emulator."""

import json

from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.formiojs.npm import NpmPackError
from odoo.addons.g2p_portal_forms.tests.common import SCHEMA
from odoo.addons.g2p_portal_forms.tests.test_apply_tour import formiojs_tarball

from .common import AssistCase


@tagged("post_install", "-at_install")
class TestAssistTour(AssistCase):
    def setUp(self):
        super().setUp()
        try:
            tarball = formiojs_tarball()
        except NpmPackError as error:
            self.skipTest(f"no formio.js tarball (npm): {error}")
        version = self.env["formio.version"]._g2p_install_from_npm_tarball(tarball)
        schema = json.loads(json.dumps(SCHEMA))
        for component in schema["components"]:
            if component["key"] == "bank":
                component["widget"] = "html5"
        self.builder.write(
            {"formio_version_id": version.id, "schema": json.dumps(schema)}
        )
        # File inputs cannot be typed into by a tour (covered over HTTP).
        self.requirement.mandatory = False
        self.officer.password = self.officer.login  # start_tour's password
        self.env["g2p.biometric.consent"].with_user(self.officer).create(
            {"partner_id": self.ana.id, "statement": "I agree."}
        )

    def test_assisted_application_in_a_browser(self):
        self.start_tour(
            self.base() + "/apply",
            "g2p_biometric_assist_apply",
            login=self.officer.login,
            timeout=120,
        )
        application = self._applications(self.ana)
        self.assertEqual(len(application), 1)
        self.assertTrue(application.assisted)
        self.assertEqual(application.assisted_by_id, self.officer)
        self.assertEqual(application.program_registrant_info["household_size"], 3)
        capture = self.captures()
        self.assertEqual(len(capture), 1)
        self.assertEqual(capture.application_id, application)
        self.assertTrue(capture.min_quality >= 60)
        self.assertEqual(sorted(self.audit().mapped("action")), ["capture"])
