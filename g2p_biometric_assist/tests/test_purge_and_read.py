import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import AssistCase, master_key

WRONG_KEY = base64.b64encode(b"w" * 32).decode()


@tagged("post_install", "-at_install")
class TestPurgeAndRead(AssistCase):
    def _captured(self):
        self.sign_in_officer()
        self.record_consent()
        accepted = self.capture()
        self.assertTrue(accepted["ok"], accepted)
        return self.env["g2p.biometric.capture"].sudo().browse(accepted["capture_id"])

    def test_purge_removes_expired_captures_and_keeps_the_audit(self):
        capture = self._captured()
        reference = capture.reference
        fresh = self._captured()
        self.env["ir.config_parameter"].sudo().set_param(
            "g2p_biometric_assist.retention_days", "30"
        )
        self.env.cr.execute(
            "UPDATE g2p_biometric_capture SET captured_at = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=31), capture.id),
        )
        self.env.invalidate_all()
        purged = self.env["g2p.biometric.capture"]._g2p_purge_expired()
        self.assertEqual(purged, 1)
        self.assertFalse(capture.exists())
        self.assertTrue(fresh.exists())
        audit = (
            self.env["g2p.biometric.audit"]
            .sudo()
            .search([("capture_reference", "=", reference)])
        )
        self.assertEqual(sorted(audit.mapped("action")), ["capture", "purge"])
        self.assertFalse(audit.capture_id)
        self.assertEqual(audit.mapped("partner_id"), self.ana)

    def test_purge_in_batches_and_never_when_retention_is_zero(self):
        capture = self._captured()
        self.env.cr.execute(
            "UPDATE g2p_biometric_capture SET captured_at = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=4000), capture.id),
        )
        self.env.invalidate_all()
        self.env["ir.config_parameter"].sudo().set_param(
            "g2p_biometric_assist.retention_days", "0"
        )
        self.assertEqual(self.env["g2p.biometric.capture"]._g2p_purge_expired(), 0)
        self.assertTrue(capture.exists())
        self.env["ir.config_parameter"].sudo().set_param(
            "g2p_biometric_assist.retention_days", "10"
        )
        self.assertEqual(
            self.env["g2p.biometric.capture"]._g2p_purge_expired(
                batch=1, max_batches=1
            ),
            1,
        )

    def test_cron_job_is_installed(self):
        cron = self.env.ref("g2p_biometric_assist.ir_cron_purge_biometric_captures")
        self.assertTrue(cron.active)
        self.assertEqual(cron.model_id.model, "g2p.biometric.capture")

    def test_audited_read_round_trip_and_wrong_master_key(self):
        capture = self._captured()
        as_officer = capture.with_user(self.officer).sudo(False)
        with self.assertRaises(UserError):
            as_officer._g2p_read_data("short")
        data = as_officer._g2p_read_data("Checking a disputed application")
        self.assertIn(b'"biometrics"', data)
        read = self.audit(action="read")
        self.assertEqual(len(read), 1)
        self.assertEqual(read.reason, "Checking a disputed application")
        self.assertEqual(read.user_id, self.officer)
        with master_key(WRONG_KEY), self.assertRaises(UserError):
            as_officer._g2p_read_data("Checking with another key")
        self.assertEqual(len(self.audit(action="read")), 1)
        with self.assertRaises(AccessError):
            capture.with_user(self.clerk)._g2p_read_data("I am curious about it")

    def test_download_through_the_wizard_once(self):
        capture = self._captured()
        wizard = (
            self.env["g2p.biometric.capture.read"]
            .with_user(self.officer)
            .create({"capture_id": capture.id, "reason": "Appeal number 12, checking"})
        )
        action = wizard.action_confirm()
        first = self.url_open(action["url"])
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.headers["Cache-Control"], "no-store")
        self.assertIn(b"biometrics", first.content)
        self.assertEqual(len(self.audit(action="read")), 1)
        again = self.url_open(action["url"])
        self.assertEqual(again.status_code, 404)
        self.assertEqual(len(self.audit(action="read")), 1)
