"""The officer's rules on the models, without the pages: the assisted
submission refusing bad input with nothing written, the captures an
application may use, the consent recorded only for a known method."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.exceptions import (
    ApplicationRefused,
    SubmissionInvalid,
)

from .common import GOOD_ANSWERS, PDF, AssistCase

TOKEN = "t" * 32


@tagged("post_install", "-at_install")
class TestOfficerModel(AssistCase):
    def as_officer(self, model):
        return self.env(user=self.officer)[model]

    def program_of_officer(self):
        return self.program.with_user(self.officer)

    def consent(self, partner=None):
        return self.as_officer("g2p.biometric.consent")._g2p_record(
            partner or self.ana, "spoken"
        )

    def written(self):
        """What an assisted submission may write, counted."""
        env = self.env
        ana = [("partner_id", "=", self.ana.id)]
        return {
            "applications": len(self._applications(self.ana)),
            "memberships": env["g2p.program_membership"].sudo().search_count(ana),
            "linked captures": env["g2p.biometric.capture"]
            .sudo()
            .search_count(ana + [("application_id", "!=", False)]),
        }

    def make_capture(self, **values):
        # sudo: officers cannot create captures (only verified ones enter).
        return (
            self.env["g2p.biometric.capture"]
            .sudo()
            .with_context(g2p_capture_internal=True)
            .create(
                dict(
                    {
                        "partner_id": self.ana.id,
                        "officer_id": self.officer.id,
                        "program_id": self.program.id,
                        "captured_at": fields.Datetime.now(),
                        "device_serial": "SN-1",
                    },
                    **values,
                )
            )
        )

    def submit(self, capture_ids="", token=TOKEN):
        return self.program_of_officer()._assist_submit(
            self.ana, dict(GOOD_ANSWERS), {}, token, "digest", capture_ids
        )

    # -- g2p.program._assist_submit ------------------------------------------

    def test_submission_without_consent_writes_nothing(self):
        capture = self.make_capture()
        before = self.written()
        with self.assertRaises(SubmissionInvalid) as refused:
            self.submit(str(capture.id))
        self.assertIn("consent", str(refused.exception))
        self.assertEqual(self.written(), before)
        self.assertFalse(capture.application_id)

    def test_submission_without_a_usable_capture_writes_nothing(self):
        self.consent()
        # Another officer's capture is no capture of this visit.
        other = self._user(
            "Otto Officer",
            "otto.officer",
            "otto.officer-Pass-123",
            "g2p_biometric_assist.group_registration_officer",
        )
        theirs = self.make_capture(officer_id=other.id)
        before = self.written()
        for capture_ids in ("", "not,ids", str(theirs.id)):
            with self.subTest(capture_ids=capture_ids):
                with self.assertRaises(SubmissionInvalid) as refused:
                    self.submit(capture_ids)
                self.assertIn("biometrics", str(refused.exception))
                self.assertEqual(self.written(), before)

    def test_submission_with_an_expired_form_writes_nothing(self):
        self.consent()
        capture = self.make_capture()
        before = self.written()
        with self.assertRaises(ApplicationRefused) as refused:
            self.submit(str(capture.id), token="short")
        self.assertEqual(refused.exception.code, "form.expired")
        self.assertEqual(self.written(), before)

    def test_submission_not_needing_a_capture_is_marked_assisted(self):
        self.program.biometric_capture_required = False
        self.consent()
        inputs, _page = self.signed_in_apply_inputs()
        application = self.program_of_officer()._assist_submit(
            self.ana, dict(GOOD_ANSWERS), self.documents(), TOKEN, inputs["digest"], ""
        )
        self.assertEqual(application.env.uid, self.officer.id)
        application = application.sudo()
        self.assertTrue(application.assisted)
        self.assertEqual(application.assisted_by_id, self.officer)
        self.assertFalse(application.assisted_device)

    def documents(self):
        """The proof of income, as the page's upload hands it over."""
        return {self.requirement.id: ("income.pdf", PDF[:64], len(PDF), lambda: PDF)}

    def signed_in_apply_inputs(self):
        self.sign_in_officer()
        return self.apply_inputs()

    # -- g2p.biometric.capture._g2p_usable -----------------------------------

    def test_usable_captures_are_the_officers_unused_ones_of_this_visit(self):
        mine = self.make_capture()
        other_officer = self._user(
            "Otto Officer",
            "otto.officer",
            "otto.officer-Pass-123",
            "g2p_biometric_assist.group_registration_officer",
        )
        other_program = self.env["g2p.program"].create({"name": "Another program"})
        others = (
            self.make_capture(officer_id=other_officer.id)
            | self.make_capture(partner_id=self.ben.id)
            | self.make_capture(program_id=other_program.id)
            | self.make_capture(captured_at=fields.Datetime.now() - timedelta(hours=3))
        )
        used = self.make_capture()
        self.program.biometric_capture_required = False
        self.consent()
        inputs, _page = self.signed_in_apply_inputs()
        application = self.program_of_officer()._assist_submit(
            self.ana,
            dict(GOOD_ANSWERS),
            self.documents(),
            TOKEN,
            inputs["digest"],
            str(used.id),
        )
        self.assertEqual(used.application_id, application.sudo())
        Capture = self.as_officer("g2p.biometric.capture")
        posted = ",".join(str(i) for i in (mine | others | used).ids)
        self.assertEqual(Capture._g2p_usable(self.ana, self.program, posted), mine)
        self.assertEqual(
            Capture._g2p_usable(self.ana, self.program, f" x, {mine.id} ,-3,"), mine
        )
        for posted in ("", None, "abc", "-1", "1" * 10, ["1"], {"id": mine.id}):
            with self.subTest(posted=posted):
                self.assertFalse(Capture._g2p_usable(self.ana, self.program, posted))

    # -- g2p.biometric.consent._g2p_record ------------------------------------

    def test_consent_is_recorded_only_for_a_known_method(self):
        Consent = self.as_officer("g2p.biometric.consent")
        for method in ("", "telepathy", None, ["spoken"]):
            with self.subTest(method=method):
                self.assertFalse(Consent._g2p_record(self.ana, method))
        self.assertFalse(Consent.sudo().search([("partner_id", "=", self.ana.id)]))
        self.assertFalse(self.audit(action="consent"))
        consent = Consent._g2p_record(self.ana, "signed")
        self.assertEqual(consent.officer_id, self.officer)
        self.assertEqual(consent.statement, Consent._g2p_statement())
        self.assertEqual(len(self.audit(action="consent")), 1)
