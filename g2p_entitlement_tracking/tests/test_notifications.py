"""Registrants are told of state changes once, later, in their language."""

from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import BenefitsCase


@tagged("post_install", "-at_install")
class TestNotifications(BenefitsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ana.write({"email": "ana@example.org", "lang": "en_US"})
        cls.Notification = cls.env["g2p.portal.notification"]

    def _notifications(self, record):
        return self.Notification.search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def _mails_to(self, email):
        return self.env["mail.mail"].search([("recipient_ids.email", "=", email)])

    def test_approval_enqueues_one_notification_sent_later(self):
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 75, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            # Nothing is sent inside the transaction that changed the state.
            self.assertFalse(self._mails_to("ana@example.org"))
            trap.assert_jobs_count(1)
            notification = self._notifications(entitlement)
            self.assertEqual(len(notification), 1)
            self.assertEqual(notification.status, "pending")
            self.assertEqual(notification.event, "entitlement_approved")
            trap.perform_enqueued_jobs()
        self.assertEqual(notification.status, "sent")
        self.assertEqual(notification.channels, "email")
        # The mail queue (hourly) is woken for it, not left for the hour.
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", mail_cron.id)])
        )
        mails = self._mails_to("ana@example.org")
        self.assertEqual(len(mails), 1)
        self.assertIn("75.00", mails.body_html)
        self.assertIn("Cash for Families", mails.subject)
        # One email leaves for it, to her.
        outgoing = mails._prepare_outgoing_list()
        self.assertEqual(len(outgoing), 1)
        self.assertEqual(outgoing[0]["partner_id"], self.ana)

    def test_retried_job_sends_nothing_more(self):
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 80, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        notification = self._notifications(entitlement)
        # The queue runs the same job again (a retry after a lost commit
        # acknowledgement, a second worker): nothing more is sent.
        notification._g2p_send()
        notification._g2p_send()
        self.assertEqual(len(self._mails_to("ana@example.org")), 1)

    def test_same_change_seen_twice_recorded_once(self):
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 90, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            entitlement.state = "approved"  # no change
            events = [
                (
                    self.ana,
                    "entitlement",
                    entitlement,
                    "entitlement_approved",
                    "approved",
                )
            ]
            self.assertFalse(self.Notification._g2p_record(events))
            trap.assert_jobs_count(1)
        self.assertEqual(len(self._notifications(entitlement)), 1)

    def test_which_changes_notify(self):
        entitlement = self._entitlement(self.ana, self.cash_cycles[0], 10, "draft")
        with trap_jobs() as trap:
            entitlement.state = "pending_validation"
            trap.assert_jobs_count(0)
            entitlement.state = "approved"
            entitlement.state = "trans2FSP"
            entitlement.state = "rdpd2ben"
            trap.assert_jobs_count(2)
        events = self._notifications(entitlement).mapped("event")
        self.assertEqual(sorted(events), ["entitlement_approved", "entitlement_paid"])

    def test_bulk_approval_batches_jobs(self):
        entitlements = self.env["g2p.entitlement"].create(
            [
                {
                    "partner_id": self.ana.id,
                    "cycle_id": self.cash_cycles[1].id,
                    "initial_amount": 5,
                    "state": "pending_validation",
                }
                for _index in range(250)
            ]
        )
        with trap_jobs() as trap:
            entitlements.write({"state": "approved"})
            # 250 notifications, sent by two jobs of at most 200.
            trap.assert_jobs_count(2)

    def test_application_state_change_notifies(self):
        application = self.env["g2p.program.registrant_info"].create(
            {
                "registrant_id": self.ana.id,
                "program_id": self.cash.id,
                "state": "active",
            }
        )
        with trap_jobs() as trap:
            application.state = "completed"
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        notification = self._notifications(application)
        self.assertEqual(notification.event, "application_state")
        self.assertIn(application.application_id or "", notification.subject)
        self.assertIn("Cash for Families", notification.body)

    def test_registrant_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "g2p_entitlement_tracking")]
        )._update_translations(["fr_FR"])
        self.ana.lang = "fr_FR"
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 60, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        notification = self._notifications(entitlement)
        self.assertIn("approuvée", notification.subject)

    def test_sms_through_the_programs_notification_manager(self):
        sent = []

        class FakeSmsManager:
            _name = "g2p.program.notification.manager.fake_sms"
            notification_types = ("sms", "both")

            def send_sms(self, phone, body):
                sent.append((phone, body))

        self.ana.phone = "+254712345678"
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 70, "pending_validation"
        )
        Notification = type(self.env["g2p.portal.notification"])
        with (
            patch.object(
                Notification, "_g2p_sms_managers", lambda self: [FakeSmsManager()]
            ),
            trap_jobs() as trap,
        ):
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        notification = self._notifications(entitlement)
        self.assertEqual(notification.channels, "email sms")
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0][0], "+254712345678")
        self.assertIn("70.00", sent[0][1])

    def test_failing_sms_provider_still_sends_the_email(self):
        class BrokenSmsManager:
            _name = "g2p.program.notification.manager.broken_sms"

            def send_sms(self, phone, body):
                raise ConnectionError("provider down")

        self.ana.phone = "+254712345678"
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 71, "pending_validation"
        )
        Notification = type(self.env["g2p.portal.notification"])
        with (
            patch.object(
                Notification, "_g2p_sms_managers", lambda self: [BrokenSmsManager()]
            ),
            trap_jobs() as trap,
        ):
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        notification = self._notifications(entitlement)
        self.assertEqual(notification.status, "sent")
        self.assertEqual(notification.channels, "email")

    def test_no_email_wakes_no_mail_queue(self):
        self.ana.write({"email": False, "phone": False})
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", mail_cron.id)])
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 60, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        self.assertEqual(self._notifications(entitlement).status, "no_channel")
        self.assertEqual(Trigger.search_count([("cron_id", "=", mail_cron.id)]), before)

    def test_no_email_no_phone(self):
        entitlement = self._entitlement(
            self.ben, self.cash_cycles[0], 60, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        self.assertEqual(self._notifications(entitlement).status, "no_channel")

    def test_portal_shows_own_past_notifications(self):
        entitlement = self._entitlement(
            self.ana, self.cash_cycles[0], 65, "pending_validation"
        )
        with trap_jobs() as trap:
            entitlement.state = "approved"
            trap.perform_enqueued_jobs()
        self._sign_in(self.ana)
        page = self.url_open("/my/notifications").text
        self.assertIn("65.00", page)
        self._sign_in(self.ben)
        page = self.url_open("/my/notifications").text
        self.assertNotIn("65.00", page)
        self.assertIn("We have not sent you any message yet.", page)
        found = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "g2p.portal.notification",
                "method": "search_read",
                "args": [[]],
                "kwargs": {"fields": ["body"]},
            },
        )
        self.assertFalse(found)
