"""The demo's configuration quiets Odoo's own demo events and meetings
(``event`` comes with OpenG2P's ``event_sms`` dependency, ``calendar`` with
the mail stack): their queued emails to made-up people are cancelled and
their reminders removed, and nothing else."""

from odoo.tests import TransactionCase, tagged

from .test_demo_end_to_end import load_demo_module


@tagged("post_install", "-at_install")
class TestDemoEventMails(TransactionCase):
    def _event(self, name, xmlid=None):
        event = self.env["event.event"].create(
            {
                "name": name,
                "date_begin": "2027-01-10 09:00:00",
                "date_end": "2027-01-10 17:00:00",
            }
        )
        if xmlid:
            # As Odoo's demo data names its events.
            self.env["ir.model.data"].create(
                {
                    "module": "event",
                    "name": xmlid,
                    "model": "event.event",
                    "res_id": event.id,
                }
            )
        registration = self.env["event.registration"].create(
            {"event_id": event.id, "name": f"{name} guest", "email": "g@example.com"}
        )
        mail = self.env["mail.mail"].create(
            {
                "subject": f"Your registration at {name}",
                "email_to": "g@example.com",
                "model": "event.registration",
                "res_id": registration.id,
            }
        )
        return event, mail

    def test_only_odoo_demo_events_are_quieted(self):
        demo_odoo = load_demo_module("demo_odoo")
        demo_event, demo_mail = self._event("Design Fair", "g2p_test_demo_event")
        own_event, own_mail = self._event("Agency open day")
        self.env["event.mail"].create(
            [
                {
                    "event_id": event.id,
                    "interval_unit": "now",
                    "interval_type": "after_sub",
                    "template_ref": "mail.template,"
                    f"{self.env.ref('event.event_subscription').id}",
                }
                for event in (demo_event, own_event)
            ]
        )
        notification = self.env["mail.mail"].create(
            {"subject": "Your benefit was approved", "email_to": "k@example.org"}
        )
        Mail = self.env["mail.mail"]

        def queued(event):
            return Mail.search(
                [
                    ("state", "=", "outgoing"),
                    ("model", "=", "event.registration"),
                    ("res_id", "in", event.registration_ids.ids),
                ]
            )

        # Their own email, and what a scheduler may have queued at once.
        demo_queued = queued(demo_event)
        self.assertIn(demo_mail, demo_queued)
        own_queued = queued(own_event)
        self.assertEqual(demo_odoo.quiet_odoo_app_demo(self.env), len(demo_queued))
        self.assertEqual(set(demo_queued.mapped("state")), {"cancel"})
        self.assertEqual(set(own_queued.mapped("state")), {"outgoing"})
        self.assertFalse(demo_event.event_mail_ids)
        self.assertEqual(own_mail.state, "outgoing")
        self.assertTrue(own_event.event_mail_ids)
        self.assertEqual(notification.state, "outgoing")
        # Again: nothing more to do.
        self.assertEqual(demo_odoo.quiet_odoo_app_demo(self.env), 0)

    def test_odoo_demo_meetings_are_quieted(self):
        demo_odoo = load_demo_module("demo_odoo")
        alarm = self.env["calendar.alarm"].create(
            {"name": "Email 1h", "alarm_type": "email", "duration": 1}
        )
        meetings = self.env["calendar.event"].create(
            [
                {
                    "name": name,
                    "start": "2027-01-10 09:00:00",
                    "stop": "2027-01-10 10:00:00",
                    "alarm_ids": [(6, 0, alarm.ids)],
                }
                for name in ("Requirements review", "Agency staff meeting")
            ]
        )
        demo_meeting, own_meeting = meetings
        self.env["ir.model.data"].create(
            {
                "module": "calendar",
                "name": "g2p_test_demo_meeting",
                "model": "calendar.event",
                "res_id": demo_meeting.id,
            }
        )
        mails = self.env["mail.mail"].create(
            [
                {
                    "subject": f"Invitation to {meeting.name}",
                    "email_to": "m@example.com",
                    "model": "calendar.event",
                    "res_id": meeting.id,
                }
                for meeting in meetings
            ]
        )
        self.assertEqual(demo_odoo.quiet_odoo_app_demo(self.env), 1)
        self.assertEqual(mails.mapped("state"), ["cancel", "outgoing"])
        self.assertFalse(demo_meeting.alarm_ids)
        self.assertEqual(own_meeting.alarm_ids, alarm)
        self.assertEqual(demo_odoo.quiet_odoo_app_demo(self.env), 0)
