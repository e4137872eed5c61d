import logging

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import SQL, split_every
from odoo.tools.misc import format_amount

from ..benefits_core import notification_key

_logger = logging.getLogger(__name__)

# Notifications sent by one job: a cycle approved for a whole district
# becomes a few thousand small jobs, not one per person nor one huge one.
JOB_BATCH = 200


class G2PPortalNotification(models.Model):
    """One message to a registrant about their application or benefit.

    Created in the transaction that changed the state (one row per key: the
    record, the event and the state reached), sent later by a queue job. The
    job locks its rows and sends only those still pending, and marks them in
    the same transaction that queues the email: however often the job runs,
    each notification is sent once.
    """

    _name = "g2p.portal.notification"
    _description = "Registrant notification"
    _order = "id desc"

    partner_id = fields.Many2one(
        "res.partner", "Registrant", required=True, ondelete="cascade"
    )
    key = fields.Char(required=True, readonly=True, copy=False)
    kind = fields.Selection(
        [("application", "Application"), ("entitlement", "Benefit")],
        required=True,
        readonly=True,
    )
    event = fields.Selection(
        [
            ("application_state", "Application status changed"),
            ("entitlement_approved", "Benefit approved"),
            ("entitlement_paid", "Benefit paid"),
        ],
        required=True,
        readonly=True,
    )
    res_model = fields.Char("Document Model", readonly=True)
    res_id = fields.Many2oneReference(
        "Document", model_field="res_model", readonly=True
    )
    state_reached = fields.Char(readonly=True)
    program_id = fields.Many2one("g2p.program", readonly=True, ondelete="set null")
    status = fields.Selection(
        [
            ("pending", "To send"),
            ("sent", "Sent"),
            ("no_channel", "No email or phone"),
            ("failed", "Failed"),
        ],
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    channels = fields.Char(readonly=True, help="How the person was told: email, sms.")
    subject = fields.Char(readonly=True)
    body = fields.Text(readonly=True)
    sent_at = fields.Datetime(readonly=True)
    error = fields.Char(readonly=True)

    _sql_constraints = [
        ("key_unique", "UNIQUE(key)", "A notification is sent once."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_portal_notification_partner_id_index "
            "ON g2p_portal_notification (partner_id, id DESC)"
        )

    # -- recording ---------------------------------------------------------

    @api.model
    def _g2p_record(self, events):
        """Record notifications and queue their sending.

        ``events``: (partner, kind, record, event, state) tuples. A key
        recorded before (the same change seen again) is skipped by the
        database, so two transactions that see one change record it once.
        Returns the new notifications.
        """
        rows = []
        for partner, kind, record, event, state in events:
            if not partner:
                continue
            program = record.program_id if "program_id" in record._fields else None
            rows.append(
                (
                    self.env.uid,
                    self.env.uid,
                    partner.id,
                    notification_key(kind, record.id, event, state),
                    kind,
                    event,
                    record._name,
                    record.id,
                    state,
                    program.id if program else None,
                )
            )
        if not rows:
            return self.browse()
        ids = []
        row_sql = (
            "(%s, now() at time zone 'UTC', %s, now() at time zone 'UTC', "
            "%s, %s, %s, %s, %s, %s, %s, %s, 'pending')"
        )
        for chunk in split_every(1000, rows):
            self.env.cr.execute(
                SQL(
                    "INSERT INTO g2p_portal_notification (create_uid, create_date, "
                    "write_uid, write_date, partner_id, key, kind, event, "
                    "res_model, res_id, state_reached, program_id, status) "
                    "VALUES %s ON CONFLICT (key) DO NOTHING RETURNING id",
                    SQL(", ").join(SQL(row_sql, *row) for row in chunk),
                )
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        notifications = self.browse(ids)
        for batch in split_every(JOB_BATCH, notifications.ids):
            self.browse(batch).with_delay(
                description=_("Notify registrants of state changes")
            )._g2p_send()
        return notifications

    @api.model
    def _g2p_record_changes(self, records, before, kind, partner_field, event_of):
        """Record the notifications of ``records``' state changes.

        ``before``: {id: state before the change} ({} at creation);
        ``event_of(old, new)``: the event of a change, or None.
        """
        events = []
        for record in records:
            event = event_of(before.get(record.id), record.state)
            if event:
                events.append(
                    (record[partner_field], kind, record, event, record.state)
                )
        return self._g2p_record(events) if events else self.browse()

    # -- sending -------------------------------------------------------------

    def _g2p_send(self):
        """Send the pending ones among these notifications (a queue job)."""
        if not self:
            return
        self.flush_model(["status"])
        # Lock the rows still pending: another run of this job (a retry, a
        # second worker) skips them, and a row sent before is not pending.
        self.env.cr.execute(
            "SELECT id FROM g2p_portal_notification "
            "WHERE id IN %s AND status = 'pending' FOR UPDATE SKIP LOCKED",
            [tuple(self.ids)],
        )
        pending = self.browse([row[0] for row in self.env.cr.fetchall()])
        for notification in pending:
            partner = notification.partner_id.sudo()
            lang = partner.lang or self.env.context.get("lang") or "en_US"
            notification.with_context(lang=lang)._g2p_send_one(partner)
        if any("email" in (n.channels or "").split() for n in pending):
            # Odoo's mail queue runs hourly: wake it now (a cron trigger,
            # committed with the emails; any server's cron worker takes it).
            # As for every Odoo email, a server that dies between the mail
            # server's answer and recording it leaves the email to send
            # again: the same message (its Message-ID), which mailboxes show
            # once.
            mail_cron = self.env.ref(
                "mail.ir_cron_mail_scheduler_action", raise_if_not_found=False
            )
            if mail_cron:
                mail_cron.sudo()._trigger()

    def _g2p_send_one(self, partner):
        self.ensure_one()
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if not record:
            self.write({"status": "failed", "error": "record deleted"})
            return
        subject, body = self._g2p_compose(record)
        channels = []
        if partner.email:
            self.env["mail.mail"].sudo().create(
                {
                    "subject": subject,
                    # Escaped: program and cycle names are typed by people.
                    "body_html": Markup("<p>%s</p>")
                    % Markup("<br/>").join(body.split("\n")),
                    # The partner only: Odoo sends one email per recipient
                    # partner and another to ``email_to``, so both would
                    # tell the person twice.
                    "recipient_ids": [(4, partner.id)],
                    "auto_delete": True,
                }
            )
            channels.append("email")
        if partner.phone and self._g2p_send_sms(partner, body):
            channels.append("sms")
        self.write(
            {
                "status": "sent" if channels else "no_channel",
                "channels": " ".join(channels),
                "subject": subject,
                "body": body,
                "sent_at": fields.Datetime.now(),
            }
        )

    def _g2p_sms_managers(self):
        """The program's SMS notification managers (g2p_notifications_base)."""
        program = self.program_id.sudo()
        if not program or "notification_managers" not in program._fields:
            return []
        managers = []
        for wrapper in program.notification_managers:
            manager = getattr(wrapper, "manager_ref_id", None)
            if manager and hasattr(manager, "send_sms"):
                managers.append(manager)
        return managers

    def _g2p_send_sms(self, partner, body):
        sent = False
        for manager in self._g2p_sms_managers():
            preference = getattr(partner, "notification_preference", None)
            types = getattr(manager, "notification_types", None)
            if preference and types and preference not in types:
                continue
            try:
                manager.send_sms(partner.phone, body)
                sent = True
            except NotImplementedError:
                _logger.info(
                    "SMS manager %s of program %s cannot send SMS",
                    manager._name,
                    self.program_id.id,
                )
            except Exception as error:  # a provider's failure is not ours
                _logger.warning(
                    "SMS to registrant %s through %s failed: %s",
                    partner.id,
                    manager._name,
                    type(error).__name__,
                )
        return sent

    def _g2p_compose(self, record):
        """Subject and text, in the language of the context (the person's)."""
        program = self.program_id.sudo().name or ""
        if self.kind == "application":
            states = dict(record._fields["state"]._description_selection(self.env))
            state = states.get(self.state_reached, self.state_reached)
            return (
                _("Your application %(number)s", number=record.application_id or ""),
                _(
                    "Your application %(number)s to %(program)s is now: %(state)s.\n"
                    "See it on the portal: %(url)s",
                    number=record.application_id or "",
                    program=program,
                    state=state,
                    url=self._g2p_url(f"/my/applications/{record.id}"),
                ),
            )
        values = {
            "amount": self._g2p_amount(record),
            "program": program,
            "cycle": record.cycle_id.name or "",
            "url": self._g2p_url(f"/my/benefits/{record.id}"),
        }
        if self.event == "entitlement_paid":
            subject = _("Your benefit from %(program)s was paid", program=program)
            body = _(
                "Your benefit of %(amount)s from %(program)s (%(cycle)s) was "
                "paid.\nSee it on the portal: %(url)s",
                **values,
            )
        else:
            subject = _("Your benefit from %(program)s was approved", program=program)
            body = _(
                "Your benefit of %(amount)s from %(program)s (%(cycle)s) was "
                "approved.\nSee it on the portal: %(url)s",
                **values,
            )
        return subject, body

    def _g2p_amount(self, record):
        currency = record.currency_id or record.company_id.currency_id
        if not currency:
            return str(record.initial_amount)
        return format_amount(self.env, record.initial_amount, currency)

    def _g2p_url(self, path):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "")
        return base.rstrip("/") + path
