"""The officer's page in a real browser: the SBI client against the emulator."""

from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.tests.test_apply_tour import use_real_formiojs

from .common import AssistCase


@tagged("post_install", "-at_install")
class TestAssistTour(AssistCase):
    def setUp(self):
        super().setUp()
        use_real_formiojs(self)
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
