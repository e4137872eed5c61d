import psycopg2

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.g2p_biometric_capture import CaptureRefused
from .common import AssistCase


@tagged("post_install", "-at_install")
class TestCaptureOnce(AssistCase):
    """One capture per capture request, whichever server an answer reaches.

    Pending requests live in the HTTP session, which every server reads; an
    answer sent twice (a double click, or the request started on one server
    and answered on two) must not store two captures.
    """

    def _answered_request(self):
        self.sign_in_officer()
        self.record_consent()
        started = self.start_capture()
        self.assertTrue(started["ok"], started)
        return started, self.device_capture(started)

    def _accept(self, user, started, raw):
        env = self.env(user=user)
        consent = env["g2p.biometric.consent"]._g2p_current(self.ana)
        return env["g2p.biometric.capture"]._g2p_accept(
            self.ana, self.program, consent, started["body"], raw
        )

    def test_an_answer_given_twice_is_one_capture(self):
        started, raw = self._answered_request()
        first = self._accept(self.officer, started, raw)
        second = self._accept(self.officer, started, raw)
        self.assertEqual(first, second)
        self.assertEqual(len(self.captures()), 1)
        self.assertEqual(len(self.audit(action="capture")), 1)

    def test_another_officer_cannot_take_the_request(self):
        started, raw = self._answered_request()
        self._accept(self.officer, started, raw)
        other = self._user(
            "Otto Officer",
            "otto.officer",
            "otto.officer-Pass-123",
            "g2p_biometric_assist.group_registration_officer",
        )
        with self.assertRaises(CaptureRefused) as refused:
            self._accept(other, started, raw)
        self.assertEqual(refused.exception.code, "expired_request")
        self.assertEqual(len(self.captures()), 1)

    def test_the_database_refuses_a_second_capture_of_a_request(self):
        started, raw = self._answered_request()
        capture = self._accept(self.officer, started, raw).sudo()
        with (
            self.assertRaises(psycopg2.IntegrityError),
            mute_logger("odoo.sql_db"),
            self.cr.savepoint(),
        ):
            capture.copy()
            self.env.flush_all()
