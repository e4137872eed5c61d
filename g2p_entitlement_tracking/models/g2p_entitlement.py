from odoo import api, fields, models
from odoo.tools import SQL

from ..benefit_format import Dates, Labels, Money
from ..benefit_messages import PAYMENT_LABELS, PHASE_LABELS, REJECTION_LABELS
from ..benefits_core import (
    benefit_totals,
    entitlement_event,
    entitlement_phase,
    payment_phase,
    rejection_reason,
)

ENTITLEMENT_FIELDS = [
    "code",
    "cycle_id",
    "state",
    "initial_amount",
    "journal_id",
    "company_id",
    "is_cash_entitlement",
    "valid_from",
    "valid_until",
    "date_approved",
    "create_date",
]
PAYMENT_FIELDS = [
    "entitlement_id",
    "amount_issued",
    "amount_paid",
    "issuance_date",
    "payment_datetime",
    "state",
    "status",
    "journal_id",
]


def _translated(value, lang):
    """A translatable column's text in ``lang`` (jsonb read by SQL)."""
    if isinstance(value, dict):
        return value.get(lang) or value.get("en_US") or next(iter(value.values()), "")
    return value or ""


class G2PEntitlement(models.Model):
    _name = "g2p.entitlement"
    _inherit = ["g2p.entitlement", "mail.thread"]

    # Tracked: the registrant's page shows the status history.
    state = fields.Selection(tracking=True)

    def init(self):
        # The portal reads a person's entitlements and their payments by
        # partner; OpenG2P indexes neither column.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_entitlement_partner_id_index "
            "ON g2p_entitlement (partner_id)"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_payment_entitlement_id_index "
            "ON g2p_payment (entitlement_id)"
        )

    @api.model_create_multi
    def create(self, vals_list):
        # Cycles create entitlements by the thousand: no "created" message
        # and no follower each; the history starts at the creation date.
        records = super(
            G2PEntitlement,
            self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True),
        ).create(vals_list)
        records._g2p_notify_state_changes({})
        return records.with_env(self.env)

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        before = {record.id: record.state for record in self}
        result = super().write(vals)
        self._g2p_notify_state_changes(before)
        return result

    def _g2p_notify_state_changes(self, before):
        self.env["g2p.portal.notification"].sudo()._g2p_record_changes(
            self, before, "entitlement", "partner_id", entitlement_event
        )

    @api.model
    def _portal_currencies(self, journal_ids):
        """{journal id or False: currency} in one query (the currencies'
        fields are read together when first used).

        The journals of the person's own entitlements and payments (archived
        ones too: their benefits keep their currency); only their currency
        is read. A journal without one pays in the company's currency. SQL:
        the journals' and the company's currency in one statement, without
        the journals' other (company-dependent) fields.
        """
        env = self.env
        for model in ("account.journal", "res.company"):
            env[model].flush_model(["currency_id"])
        env.cr.execute(
            SQL(
                "SELECT 0, currency_id FROM res_company WHERE id = %s "
                "UNION ALL "
                "SELECT id, currency_id FROM account_journal WHERE id = ANY(%s)",
                env.company.id,
                [int(journal_id) for journal_id in journal_ids],
            )
        )
        return self._portal_currency_map(env.cr.fetchall())

    @api.model
    def _portal_currency_map(self, rows):
        """{journal id or False: currency} from (journal id, currency id)
        rows, journal 0 giving the company's currency."""
        env = self.env
        company_currency_id = next((c for j, c in rows if j == 0), False)
        # sudo: currencies are public reference data (names and symbols).
        Currency = env["res.currency"].sudo()
        ids = {currency_id or company_currency_id for _j, currency_id in rows}
        # Records taken from one recordset share its prefetch: one query.
        by_id = {c.id: c for c in Currency.browse(sorted(i for i in ids if i))}
        currencies = {False: by_id.get(company_currency_id, Currency)}
        for journal_id, currency_id in rows:
            if journal_id:
                currencies[journal_id] = by_id.get(
                    currency_id or company_currency_id, Currency
                )
        return currencies

    @api.model
    def _portal_journal_currency_rows(self, journals):
        """SQL of ('j', journal or 0 for the company, NULL, NULL, currency)
        rows: the currencies of ``journals`` (an SQL query of journal ids)
        and the company's, as the totals' statements return them for
        ``_portal_currency_map``."""
        for model in ("account.journal", "res.company"):
            self.env[model].flush_model(["currency_id"])
        return SQL(
            "SELECT 'j', 0, NULL, NULL, currency_id FROM res_company WHERE id = %s "
            "UNION ALL "
            "SELECT 'j', j.id, NULL, NULL, j.currency_id FROM account_journal j "
            "WHERE j.id IN (%s)",
            self.env.company.id,
            journals,
        )

    # -- the portal's record rule, as the pages use it ----------------------------

    @api.model
    def _portal_partners_sql(self):
        """The partners whose entitlements the record rule
        ``rule_entitlement_portal_own`` gives the person: themselves and
        the groups (households) they are a current member of, as a query.

        The pages filter on ``partner_id`` in these, with its index, instead
        of the rule's OR with a subquery, which scans every entitlement; the
        rule itself still applies wherever the person reads through the
        ORM. Keep the two the same (``test_household_access`` checks it).
        """
        partner = self.env.user.partner_id
        Membership = self.env["g2p.group.membership"]
        Membership.flush_model()
        # sudo: the person's own current group memberships, as the record
        # rule reads them; portal users cannot read memberships.
        groups = Membership.sudo()._search(
            [("individual", "=", partner.id), ("g2p_current", "=", True)]
        )
        return SQL(
            "SELECT %s UNION (%s)",
            partner.id,
            groups.select(SQL.identifier(groups.table, "group")),
        )

    @api.model
    def _portal_partner_ids(self):
        """The ids of ``_portal_partners_sql``, found once for a page."""
        self.env.cr.execute(self._portal_partners_sql())
        return [row[0] for row in self.env.cr.fetchall()]

    # -- what the benefits pages show ----------------------------------------------

    @api.model
    def _portal_totals(self, domain, partner_ids=None, money=None):
        """(totals per currency, {journal id or False: currency}, {state:
        number of entitlements}) over the entitlements of ``domain`` and
        their payments.

        Without ``partner_ids`` the person's groups are found
        (``_portal_partners_sql``). An empty ``domain`` (everything of the
        person: the dashboard, the benefits page unfiltered) reads the sums
        PostgreSQL keeps per partner (``_portal_totals_groups``); a domain
        (a program, a cycle) groups the entitlements it selects
        (``_portal_totals_scanned``)."""
        env = self.env
        money = money or Money(env)
        if not domain:
            # All of the person's benefits: the sums kept per partner
            # (g2p_entitlement_totals), a few rows whatever the history.
            partners = (
                self._portal_partners_sql()
                if partner_ids is None
                else SQL("SELECT unnest(%s::integer[])", list(partner_ids))
            )
            groups = self._portal_totals_groups(partners)
        else:
            groups = self._portal_totals_scanned(domain, partner_ids)
        entitlement_groups, payment_groups, journals = [], [], []
        for kind, journal_id, state, amount, count in groups:
            if kind == "e":
                entitlement_groups.append((journal_id, state, amount, count))
            elif kind == "p":
                payment_groups.append((journal_id, state, amount))
            else:
                journals.append((journal_id, count))
        currencies = self._portal_currency_map(journals)

        def currency_of(journal_id):
            return currencies.get(journal_id or False, currencies[False])

        totals = benefit_totals(
            [
                (currency_of(journal), state, amount, count)
                for journal, state, amount, count in entitlement_groups
            ],
            [
                (currency_of(journal), status, amount)
                for journal, status, amount in payment_groups
            ],
            {currency: currency.decimal_places for currency in currencies.values()},
        )
        rows = [
            {
                "currency": row.currency,
                "approved": money(float(row.approved), row.currency),
                "paid": money(float(row.paid), row.currency),
                "to_come": money(float(row.to_come), row.currency),
                "in_review": money(float(row.in_review), row.currency),
                "count": row.count,
            }
            for row in totals.rows()
        ]
        state_counts = {}
        for _journal, state, _amount, count in entitlement_groups:
            state_counts[state] = state_counts.get(state, 0) + count
        return rows, currencies, state_counts

    @api.model
    def _portal_totals_scanned(self, domain, partner_ids=None):
        """The rows of ``_portal_totals_groups``, grouped from the
        entitlements of ``domain`` (of the person's partners) and their
        payments in one statement. SQL: the ORM's read_group would take one
        query for the entitlements, one for their payments (reading the
        entitlements again) and one for the currencies."""
        env = self.env
        # sudo: the entitlements and payments of the partners the record
        # rule gives the person (_portal_partners_sql), within ``domain``.
        Entitlement = env["g2p.entitlement"].sudo()
        env["g2p.payment"].flush_model()
        Entitlement.flush_model()
        if partner_ids is None:
            query = Entitlement._search(domain)
            # = ANY(ARRAY(...)): the partners are found once, then the
            # entitlements through the partner index.
            query.add_where(
                SQL(
                    "%s = ANY(ARRAY(%s))",
                    SQL.identifier(query.table, "partner_id"),
                    self._portal_partners_sql(),
                )
            )
        else:
            query = Entitlement._search([("partner_id", "in", partner_ids)] + domain)
        table = SQL.identifier(query.table)
        env.cr.execute(
            SQL(
                "WITH e AS (%s), "
                "p AS (SELECT p.journal_id, p.status, p.amount_paid "
                "FROM g2p_payment p JOIN e ON e.id = p.entitlement_id) "
                "SELECT 'e', e.journal_id, e.state, SUM(e.initial_amount), COUNT(*) "
                "FROM e GROUP BY e.journal_id, e.state "
                "UNION ALL "
                "SELECT 'p', p.journal_id, p.status, SUM(p.amount_paid), COUNT(*) "
                "FROM p GROUP BY p.journal_id, p.status "
                "UNION ALL %s",
                query.select(
                    SQL("%s.id", table),
                    SQL("%s.journal_id", table),
                    SQL("%s.state", table),
                    SQL("%s.initial_amount", table),
                ),
                self._portal_journal_currency_rows(
                    SQL("SELECT journal_id FROM e UNION SELECT journal_id FROM p")
                ),
            )
        )
        return env.cr.fetchall()

    @api.model
    def _portal_filters(self, program_id, partner_ids=None):
        """(programs, the chosen program's cycles) for the filters.

        Two queries whatever the number of cycles and entitlements: the
        programs of the person's entitlements, and the chosen program's
        cycles among them (the cycle filter lists those only). The
        entitlements are those of the partners the record rule gives the
        person (``_portal_partner_ids``), found through the partner index.
        SQL: the ORM would search the cycles and the programs, then read
        their names in a query each.
        """
        env = self.env
        for model in ("g2p.entitlement", "g2p.cycle", "g2p.program"):
            env[model].flush_model()
        if partner_ids is None:
            partner_ids = self._portal_partner_ids()
        cycles_of_own = SQL(
            "SELECT e.cycle_id FROM g2p_entitlement e WHERE e.partner_id IN %s",
            tuple(partner_ids),
        )
        env.cr.execute(
            SQL(
                "SELECT p.id, p.name FROM g2p_program p WHERE p.id IN "
                "(SELECT c.program_id FROM g2p_cycle c WHERE c.id IN (%s))",
                cycles_of_own,
            )
        )
        lang = env.lang or "en_US"
        programs = sorted(
            (
                {"id": row[0], "name": _translated(row[1], lang)}
                for row in env.cr.fetchall()
            ),
            key=lambda program: (program["name"].lower(), program["id"]),
        )
        program_cycles = []
        if program_id:
            env.cr.execute(
                SQL(
                    "SELECT c.id, c.name FROM g2p_cycle c WHERE c.program_id = %s "
                    "AND c.id IN (%s) ORDER BY c.sequence DESC, c.id DESC",
                    program_id,
                    cycles_of_own,
                )
            )
            program_cycles = [
                {"id": row[0], "name": row[1]} for row in env.cr.fetchall()
            ]
        return programs, program_cycles

    # -- the list ----------------------------------------------------------------

    def _portal_rows(self, currencies=None, money=None):
        """What the list and the page show of each entitlement of ``self``.

        A fixed number of queries: the entitlements' fields, their payments,
        cycles and programs, and the journals' currencies when ``currencies``
        (journal id → currency) does not already hold them.
        """
        env = self.env
        money = money or Money(env)
        labels = Labels()
        dates = Dates(env)
        # sudo: ``self`` was found through the record rules (the person's
        # own and their households'); their fields and payments are read
        # without evaluating the rules' subqueries a second time.
        entitlements = self.sudo()
        entitlements.fetch(ENTITLEMENT_FIELDS)
        payment_fields = PAYMENT_FIELDS + (
            ["reversal_reason"] if self._portal_has_reversal() else []
        )
        payments = (
            env["g2p.payment"]
            .sudo()
            .search_fetch(
                [("entitlement_id", "in", entitlements.ids)],
                payment_fields,
                order="issuance_date desc, id desc",
            )
        )
        # Ids straight from the cache: no display names to compute.
        journal_ids = {
            record.journal_id.id
            for record in (*entitlements, *payments)
            if record.journal_id
        }
        currencies = dict(currencies or {})
        if not currencies or journal_ids - set(currencies):
            currencies.update(self._portal_currencies(list(journal_ids)))
        # sudo: cycles and programs of the entitlements read above. Fetched
        # by query (not from the cache) so that the count never varies.
        cycles = {
            cycle.id: cycle
            for cycle in env["g2p.cycle"]
            .sudo()
            .search_fetch(
                [("id", "in", entitlements.cycle_id.ids)],
                ["name", "program_id"],
            )
        }
        program_names = {
            program.id: program.name
            for program in env["g2p.program"]
            .sudo()
            .search_fetch(
                [("id", "in", list({c.program_id.id for c in cycles.values()}))],
                ["name"],
            )
        }

        def currency_of(record):
            return currencies.get(record.journal_id.id or False, currencies[False])

        payments_of = {}
        for payment in payments:
            phase = payment_phase(payment.state, payment.status)
            payments_of.setdefault(payment.entitlement_id.id, []).append(
                {
                    "amount": money(
                        payment.amount_paid or payment.amount_issued,
                        currency_of(payment),
                    ),
                    "date": payment.payment_datetime or payment.issuance_date,
                    "date_text": dates(
                        payment.payment_datetime or payment.issuance_date
                    ),
                    "phase": phase,
                    "label": labels(PAYMENT_LABELS, phase),
                    "reason": payment["reversal_reason"] or ""
                    if "reversal_reason" in payment_fields
                    else "",
                }
            )
        rows = []
        for record in entitlements:
            cycle = cycles.get(record.cycle_id.id)
            phase = entitlement_phase(record.state)
            reason = rejection_reason(record.state)
            rows.append(
                {
                    "id": record.id,
                    "code": record.code,
                    "state": record.state,
                    "is_cash_entitlement": record.is_cash_entitlement,
                    "valid_from": record.valid_from,
                    "valid_until": record.valid_until,
                    "valid_from_text": dates(record.valid_from),
                    "valid_until_text": dates(record.valid_until),
                    "date_approved": record.date_approved,
                    "create_date": record.create_date,
                    "program_name": program_names.get(cycle.program_id.id, "")
                    if cycle
                    else "",
                    "cycle_name": cycle.name if cycle else "",
                    "amount": money(record.initial_amount, currency_of(record)),
                    "phase": phase,
                    "phase_label": labels(PHASE_LABELS, phase),
                    "reason": labels(REJECTION_LABELS, reason) if reason else "",
                    "payments": payments_of.get(record.id, []),
                }
            )
        return rows

    def _portal_has_reversal(self):
        return "reversal_reason" in self.env["g2p.payment"]._fields
