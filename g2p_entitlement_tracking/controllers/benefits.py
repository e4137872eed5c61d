"""Portal pages: my benefits, one benefit, its voucher, my notifications.

Everything is read as the portal user: the record rules give a registrant
their own entitlements, payments and notifications (and those of the
groups they belong to). Names of cycles, programs and journals are read
with sudo, only for records already read through the rules. Each page runs
a fixed number of queries: one page of entitlements, one query for their
payments, and grouped queries (``read_group``) for totals and filters,
whatever the number of cycles, entitlements and payments.
"""

import ast
import base64
import datetime

import babel.dates
from werkzeug.exceptions import NotFound

from odoo import _, fields, http
from odoo.http import content_disposition, request
from odoo.tools import SQL, float_round
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from odoo.addons.g2p_self_service_portal.controllers.applications import (
    tracked_history,
)
from odoo.addons.g2p_self_service_portal.controllers.paging import paged_search
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..benefit_messages import (
    PAYMENT_LABELS,
    PHASE_LABELS,
    REJECTION_LABELS,
    label,
)
from ..benefits_core import (
    MoneyStyle,
    benefit_totals,
    entitlement_phase,
    payment_phase,
    rejection_reason,
    states,
    states_of,
)

BENEFITS_PER_PAGE = 20
NOTIFICATIONS_PER_PAGE = 20
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


def own_entitlement(entitlement_id):
    """The person's entitlement with this id, or 404 (record rules decide)."""
    entitlement = request.env["g2p.entitlement"].search([("id", "=", entitlement_id)])
    if not entitlement:
        raise NotFound()
    return entitlement


class Money:
    """Amounts in the request's language, as ``format_amount`` writes them,
    with the language's separators read once (a list writes dozens)."""

    def __init__(self, env):
        lang = get_lang(env)
        self.style = MoneyStyle(
            tuple(ast.literal_eval(lang.grouping or "[]")),
            lang.thousands_sep or "",
            lang.decimal_point or ".",
        )
        self._currencies = {}

    def __call__(self, amount, currency):
        known = self._currencies.get(currency.id)
        if known is None:
            known = self._currencies[currency.id] = (
                currency.rounding,
                currency.decimal_places,
                currency.symbol,
                currency.position == "before",
            )
        rounding, decimals, symbol, before = known
        value = float_round(amount or 0.0, precision_rounding=rounding)
        return self.style.format(value, decimals, symbol, before)


class Dates:
    """Dates as the QWeb ``date`` widget writes them, with the language's
    pattern and locale looked up once per page."""

    def __init__(self, env):
        self.env = env
        lang = get_lang(env)
        self.locale = babel_locale_parse(lang.code)
        self.pattern = posix_to_ldml(lang.date_format, locale=self.locale)

    def __call__(self, value):
        if not value:
            return ""
        if isinstance(value, datetime.datetime) and not value.tzinfo:
            value = fields.Datetime.context_timestamp(self.env["res.lang"], value)
        return babel.dates.format_date(value, format=self.pattern, locale=self.locale)


class Labels:
    """``label`` with each sentence translated once per page."""

    def __init__(self):
        self._seen = {}

    def __call__(self, labels, code):
        key = (id(labels), code)
        if key not in self._seen:
            self._seen[key] = label(labels, code)
        return self._seen[key]


class BenefitsPortal(CustomerPortal):
    # -- shared ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "g2p_benefit_count" in counters:
            Entitlement = request.env["g2p.entitlement"]
            values["g2p_benefit_count"] = (
                Entitlement.search_count([])
                if Entitlement.check_access_rights("read", raise_exception=False)
                else 0
            )
        return values

    def _prepare_g2p_dashboard_values(self):
        values = super()._prepare_g2p_dashboard_values()
        Entitlement = request.env["g2p.entitlement"]
        if values.get("g2p_dashboard") and Entitlement.check_access_rights(
            "read", raise_exception=False
        ):
            values["g2p_benefit_totals"] = self._benefit_totals([])
            values["g2p_benefit_phase_labels"] = {
                phase: label(PHASE_LABELS, phase) for phase in states.PHASES
            }
        return values

    def _benefit_currencies(self, journal_ids):
        """{journal id or False: currency} in one query (the currencies'
        fields are read together when first used).

        The journals of the person's own entitlements and payments (archived
        ones too: their benefits keep their currency); only their currency
        is read. A journal without one pays in the company's currency.
        """
        env = request.env
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
        return self._benefit_currency_map(env.cr.fetchall())

    def _benefit_currency_map(self, rows):
        """{journal id or False: currency} from (journal id, currency id)
        rows, journal 0 giving the company's currency."""
        env = request.env
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

    def _benefit_partners(self):
        """The person and the groups (households) they are an active member of.

        The partners whose entitlements the record rules let the person
        read, computed once: the totals then filter on ``partner_id`` with
        its index instead of the rule's OR with a subquery, which scans
        every entitlement.
        """
        partner = request.env.user.partner_id
        # sudo: the person's own group memberships, as the record rule reads
        # them; portal users cannot read memberships.
        groups = (
            request.env["g2p.group.membership"]
            .sudo()
            .search_fetch(
                [("individual", "=", partner.id), ("g2p_current", "=", True)], ["group"]
            )
            .group
        )
        return [partner.id, *groups.ids]

    def _benefit_totals(self, domain):
        """Totals per currency over every entitlement of ``domain``."""
        return self._benefit_totals_and_currencies(domain)[0]

    def _benefit_totals_and_currencies(self, domain, partner_ids=None, money=None):
        """(totals per currency, {journal id or False: currency}, {state:
        number of entitlements}) over the entitlements of ``domain`` and
        their payments.

        One statement groups the entitlements and their payments and reads
        their journals' currencies; without ``partner_ids`` it also finds
        the person's groups (see ``_benefit_partners``) itself."""
        env = request.env
        money = money or Money(env)
        # sudo: the entitlements and payments of the partners the record
        # rules give the person (see _benefit_partners), within ``domain``.
        # One statement groups both: the entitlements are read once, and
        # their payments joined to them.
        Entitlement = env["g2p.entitlement"].sudo()
        env["g2p.payment"].flush_model()
        Entitlement.flush_model()
        for model in ("account.journal", "res.company"):
            env[model].flush_model(["currency_id"])
        if partner_ids is None:
            query = Entitlement._search(domain)
            partner = env.user.partner_id
            # sudo: the person's own current group memberships, as the
            # record rule reads them (portal users cannot read memberships).
            groups = (
                env["g2p.group.membership"]
                .sudo()
                ._search([("individual", "=", partner.id), ("g2p_current", "=", True)])
            )
            # = ANY(ARRAY(...)): the partners are found once, then the
            # entitlements through the partner index.
            query.add_where(
                SQL(
                    "%s = ANY(ARRAY(SELECT %s UNION (%s)))",
                    SQL.identifier(query.table, "partner_id"),
                    partner.id,
                    groups.select(SQL.identifier(groups.table, "group")),
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
                "UNION ALL "
                "SELECT 'j', 0, NULL, NULL, currency_id FROM res_company "
                "WHERE id = %s "
                "UNION ALL "
                "SELECT 'j', j.id, NULL, NULL, j.currency_id FROM account_journal j "
                "WHERE j.id IN (SELECT journal_id FROM e "
                "UNION SELECT journal_id FROM p)",
                query.select(
                    SQL("%s.id", table),
                    SQL("%s.journal_id", table),
                    SQL("%s.state", table),
                    SQL("%s.initial_amount", table),
                ),
                env.company.id,
            )
        )
        entitlement_groups, payment_groups, journals = [], [], []
        for kind, journal_id, state, amount, count in env.cr.fetchall():
            if kind == "e":
                entitlement_groups.append((journal_id, state, amount, count))
            elif kind == "p":
                payment_groups.append((journal_id, state, amount))
            else:
                journals.append((journal_id, count))
        currencies = self._benefit_currency_map(journals)

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

    def _benefit_filters(self, program_id, partner_ids=None):
        """(programs, the chosen program's cycles) for the filters.

        Two queries whatever the number of cycles and entitlements: the
        programs of the person's entitlements, and the chosen program's
        cycles among them (the cycle filter lists those only). The
        entitlements are those of the partners the record rules give the
        person (``_benefit_partners``), found through the partner index.
        """
        env = request.env
        for model in ("g2p.entitlement", "g2p.cycle", "g2p.program"):
            env[model].flush_model()
        if partner_ids is None:
            partner_ids = self._benefit_partners()
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

    def _benefit_searchbar_sortings(self):
        return {
            "newest": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "oldest": {"label": _("Oldest"), "order": "create_date asc, id asc"},
            "valid_until": {
                "label": _("Valid until"),
                "order": "valid_until asc, id desc",
            },
        }

    def _benefit_searchbar_filters(self):
        filters = {"all": {"label": _("All"), "domain": []}}
        for phase in states.PHASES:
            filters[phase] = {
                "label": label(PHASE_LABELS, phase),
                "domain": [("state", "in", states_of([phase]))],
            }
        return filters

    @http.route(
        ["/my/benefits", "/my/benefits/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_benefits(
        self, page=1, sortby=None, filterby=None, program=None, cycle=None, **kw
    ):
        env = request.env
        Entitlement = env["g2p.entitlement"]
        sortings = self._benefit_searchbar_sortings()
        filters = self._benefit_searchbar_filters()
        sortby = sortby if sortby in sortings else "newest"
        filterby = filterby if filterby in filters else "all"
        program_id = int(program) if program and str(program).isdigit() else 0
        cycle_id = int(cycle) if cycle and str(cycle).isdigit() else 0
        partner_ids = self._benefit_partners()
        programs, program_cycles = self._benefit_filters(program_id, partner_ids)
        scope = []
        if program_id:
            scope.append(("cycle_id", "in", [c["id"] for c in program_cycles]))
        if cycle_id:
            scope.append(("cycle_id", "=", cycle_id))
        domain = scope + list(filters[filterby]["domain"])
        url_args = {"sortby": sortby, "filterby": filterby}
        if program_id:
            url_args["program"] = program_id
        if cycle_id:
            url_args["cycle"] = cycle_id
        # Totals first: their grouped count gives the pager its total, and
        # they read every journal of the person's benefits for the rows.
        money = Money(env)
        totals, currencies, state_counts = self._benefit_totals_and_currencies(
            scope, partner_ids, money
        )
        wanted = set(states_of([filterby])) if filterby != "all" else None
        total = sum(
            count
            for state, count in state_counts.items()
            if wanted is None or state in wanted
        )
        entitlements, pager = paged_search(
            Entitlement,
            # The rules decide; the partners let the index find the rows.
            [("partner_id", "in", partner_ids), *domain],
            sortings[sortby]["order"],
            "/my/benefits",
            url_args,
            page,
            BENEFITS_PER_PAGE,
            total=total,
        )
        rows = self._benefit_rows(entitlements, currencies, money)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "benefits": rows,
                "totals": totals,
                "filter_programs": programs,
                "filter_cycles": program_cycles,
                "program_id": program_id,
                "cycle_id": cycle_id,
                "has_any": bool(programs),
                "pager": pager,
                "page_name": "g2p_benefits",
                "default_url": "/my/benefits",
                "searchbar_sortings": sortings,
                "searchbar_filters": {
                    key: {"label": item["label"]} for key, item in filters.items()
                },
                "sortby": sortby,
                "filterby": filterby,
            }
        )
        return request.render("g2p_entitlement_tracking.portal_my_benefits", values)

    def _benefit_rows(self, entitlements, currencies=None, money=None):
        """What the list and the page show of each entitlement.

        A fixed number of queries: the entitlements' fields, their payments,
        cycles and programs, and the journals' currencies when ``currencies``
        (journal id → currency) does not already hold them.
        """
        env = request.env
        money = money or Money(env)
        labels = Labels()
        dates = Dates(env)
        # sudo: ``entitlements`` were found through the record rules (the
        # person's own and their households'); their fields and payments are
        # read without evaluating the rules' subqueries a second time.
        entitlements = entitlements.sudo()
        entitlements.fetch(ENTITLEMENT_FIELDS)
        payment_fields = PAYMENT_FIELDS + (
            ["reversal_reason"] if self._has_reversal() else []
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
            currencies.update(self._benefit_currencies(list(journal_ids)))
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

    def _has_reversal(self):
        return "reversal_reason" in request.env["g2p.payment"]._fields

    # -- one entitlement -----------------------------------------------------------

    @http.route(
        "/my/benefits/<int:entitlement_id>",
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_benefit(self, entitlement_id, **kw):
        entitlement = own_entitlement(entitlement_id)
        (row,) = self._benefit_rows(entitlement)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "benefit": row,
                "history": [
                    dict(
                        step,
                        label=label(PHASE_LABELS, entitlement_phase(step["state"])),
                    )
                    if step["state"]
                    else step
                    for step in tracked_history(
                        entitlement, "state", entitlement.create_date, _("Created")
                    )
                ],
                "voucher_url": (
                    f"/my/benefits/{entitlement.id}/voucher"
                    if self._voucher(entitlement)
                    else False
                ),
                "page_name": "g2p_benefit",
            }
        )
        return request.render("g2p_entitlement_tracking.portal_my_benefit", values)

    def _benefit_history(self, entitlement):
        """The status timeline, each step in the registrant's words."""
        history = tracked_history(
            entitlement, "state", entitlement.create_date, _("Created")
        )
        for step in history:
            if step["state"]:
                step["label"] = label(PHASE_LABELS, entitlement_phase(step["state"]))
        return history

    def _voucher(self, entitlement):
        """The voucher file (g2p_entitlement_voucher), or None."""
        if "voucher_document_id" not in entitlement._fields:
            return None
        # sudo: the voucher of the person's own entitlement (read through the
        # record rules); storage files are not readable by portal users.
        return entitlement.sudo().voucher_document_id or None

    @http.route(
        "/my/benefits/<int:entitlement_id>/voucher",
        type="http",
        auth="user",
        methods=["GET"],
        sitemap=False,
    )
    def portal_my_benefit_voucher(self, entitlement_id, **kw):
        entitlement = own_entitlement(entitlement_id)
        voucher = self._voucher(entitlement)
        if not voucher:
            raise NotFound()
        body = base64.b64decode(voucher.data) if voucher.data else b""
        filename = voucher.name or f"voucher-{entitlement.code}.pdf"
        return request.make_response(
            body,
            headers=[
                ("Content-Type", voucher.mimetype or "application/pdf"),
                ("Content-Length", len(body)),
                ("Content-Disposition", content_disposition(filename)),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "private, no-store"),
            ],
        )

    # -- notifications ----------------------------------------------------------------

    @http.route(
        ["/my/notifications", "/my/notifications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_notifications(self, page=1, **kw):
        Notification = request.env["g2p.portal.notification"]
        domain = [("status", "in", ("sent", "no_channel"))]
        count = Notification.search_count(domain)
        pager = portal_pager(
            url="/my/notifications",
            total=count,
            page=page,
            step=NOTIFICATIONS_PER_PAGE,
        )
        notifications = Notification.search_read(
            domain,
            ["subject", "body", "sent_at", "channels", "res_model", "res_id"],
            order="id desc",
            limit=NOTIFICATIONS_PER_PAGE,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "notifications": notifications,
                "pager": pager,
                "page_name": "g2p_notifications",
            }
        )
        return request.render(
            "g2p_entitlement_tracking.portal_my_notifications", values
        )
