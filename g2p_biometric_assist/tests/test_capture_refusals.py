"""Every bad device answer is refused with words for the officer, and
nothing is stored."""

import json

from odoo.tests import tagged

from .common import AssistCase, master_key, sbi


@tagged("post_install", "-at_install")
class TestCaptureRefusals(AssistCase):
    def setUp(self):
        super().setUp()
        self.sign_in_officer()
        self.record_consent()

    def assert_refused(self, answer, code):
        self.assertFalse(answer["ok"], answer)
        self.assertEqual(answer["code"], code, answer)
        self.assertTrue(answer["message"])
        self.assertNotIn("Traceback", answer["message"])
        self.assertFalse(self.captures())
        self.assertFalse(self.audit(action="capture"))

    def refused_with_fault(self, **fault):
        self.emulator.device.faults.update(fault)
        started = self.start_capture()
        self.assertTrue(started["ok"], started)
        return self.submit_capture(
            started["transaction_id"], self.device_capture(started)
        )

    def test_tampered_signature(self):
        self.assert_refused(
            self.refused_with_fault(bad_signature=True), "bad_signature"
        )

    def test_expired_device_certificate(self):
        self.assert_refused(
            self.refused_with_fault(expired_certificate=True), "expired_certificate"
        )

    def test_stale_timestamp(self):
        self.assert_refused(
            self.refused_with_fault(stale_timestamp=True), "stale_timestamp"
        )

    def test_wrong_transaction(self):
        self.assert_refused(
            self.refused_with_fault(wrong_transaction=True), "wrong_transaction"
        )

    def test_low_quality(self):
        answer = self.refused_with_fault(low_quality=True)
        self.assert_refused(answer, "low_quality")
        self.assertIn("quality", answer["message"])

    def test_broken_hash_chain(self):
        self.assert_refused(
            self.refused_with_fault(broken_hash=True), "broken_hash_chain"
        )

    def test_a_requested_finger_missing(self):
        answer = self.refused_with_fault(missing_segment=True)
        self.assert_refused(answer, "missing_segment")
        self.assertIn("every finger or eye", answer["message"])

    def test_the_same_finger_twice(self):
        # Left index finger twice, left middle finger never: the count is right.
        answer = self.refused_with_fault(duplicate_segment=True)
        self.assert_refused(answer, "duplicate_segment")
        self.assertIn("twice", answer["message"])

    def test_more_images_than_requested(self):
        self.emulator.device.faults.update({"extra_segment": True})
        started = self.start_capture(bio_sub_types=["UNKNOWN"], count=1)
        self.assertTrue(started["ok"], started)
        answer = self.submit_capture(
            started["transaction_id"], self.device_capture(started)
        )
        self.assert_refused(answer, "extra_segment")
        self.assertIn("more images", answer["message"])

    def test_count_must_match_the_chosen_fingers(self):
        for count in (1, 3):
            with self.subTest(count=count):
                answer = self.start_capture(count=count)
                self.assertFalse(answer["ok"])
                self.assertEqual(answer["code"], "invalid_request")
        answer = self.start_capture(
            bio_sub_types=["Left IndexFinger", "Left IndexFinger"], count=2
        )
        self.assertEqual(answer["code"], "invalid_request")

    def test_device_error_code_in_words(self):
        answer = self.refused_with_fault(error_code="101")
        self.assert_refused(answer, "sbi_error")
        self.assertIn("could not detect", answer["message"])

    def test_untrusted_device_provider(self):
        other = sbi.DeviceKeys.generate()
        self.emulator.device.keys, keys = other, self.emulator.device.keys
        self.addCleanup(setattr, self.emulator.device, "keys", keys)
        started = self.start_capture()
        self.assert_refused(
            self.submit_capture(
                started["transaction_id"], self.device_capture(started)
            ),
            "untrusted_certificate",
        )

    def test_bio_type_not_requested(self):
        started = self.start_capture()
        # The device answers another request than the one the server made.
        body = dict(started["body"])
        body["bio"] = [dict(body["bio"][0], bioSubType=["Right Thumb"], count=1)]
        raw = self.device_capture(dict(started, body=body))
        self.assert_refused(
            self.submit_capture(started["transaction_id"], raw), "unexpected_bio_type"
        )

    def test_malformed_json(self):
        started = self.start_capture()
        self.assert_refused(
            self.submit_capture(started["transaction_id"], '{"biometrics": [}'),
            "malformed",
        )

    def test_oversized_response(self):
        started = self.start_capture()
        raw = json.dumps({"biometrics": [], "pad": "x" * (17 * 1024 * 1024)})
        self.assert_refused(
            self.submit_capture(started["transaction_id"], raw), "too_large"
        )

    def test_device_vanished_mid_capture(self):
        started = self.start_capture()
        answer = self.make_jsonrpc_request(
            self.base() + "/capture",
            {
                "transaction_id": started["transaction_id"],
                "response": "",
                "device_error": {"kind": "device_gone"},
            },
        )
        self.assert_refused(answer, "device_gone")
        self.assertIn("stopped answering", answer["message"])

    def test_unknown_or_replayed_transaction(self):
        started = self.start_capture()
        raw = self.device_capture(started)
        self.assertTrue(self.submit_capture(started["transaction_id"], raw)["ok"])
        replay = self.submit_capture(started["transaction_id"], raw)
        self.assertFalse(replay["ok"])
        self.assertEqual(replay["code"], "expired_request")
        self.assertEqual(len(self.captures()), 1)

    def test_request_for_another_registrant_is_refused(self):
        started = self.start_capture()
        raw = self.device_capture(started)
        self.record_consent(self.ben)
        answer = self.submit_capture(started["transaction_id"], raw, partner=self.ben)
        self.assertFalse(answer["ok"])
        self.assertEqual(answer["code"], "expired_request")
        self.assertFalse(self.captures(self.ben))

    def test_invalid_capture_choices(self):
        answer = self.start_capture(bio_sub_types=["Left Ear"])
        self.assertFalse(answer["ok"])
        self.assertEqual(answer["code"], "invalid_request")
        answer = self.start_capture(count=99)
        self.assertEqual(answer["code"], "invalid_request")

    def test_without_master_key_nothing_is_stored(self):
        started = self.start_capture()
        raw = self.device_capture(started)
        with master_key(""):
            answer = self.submit_capture(started["transaction_id"], raw)
        self.assert_refused(answer, "not_configured")
        self.assertIn("g2p_biometric_master_key", answer["message"])

    def test_without_trusted_provider(self):
        self.env["g2p.sbi.trusted.certificate"].search([]).active = False
        started = self.start_capture()
        answer = self.submit_capture(
            started["transaction_id"], self.device_capture(started)
        )
        self.assert_refused(answer, "not_configured")
