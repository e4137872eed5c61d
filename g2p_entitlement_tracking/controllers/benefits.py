"""Portal pages: my benefits, one benefit, its voucher, my notifications.

Everything is read as the portal user: the record rules give a registrant
their own entitlements, payments and notifications (and those of the
groups they belong to). Names of cycles, programs and journals are read
with sudo, only for records already read through the rules. Each page runs
a fixed number of queries: one page of entitlements, one query for their
payments, and grouped queries (``read_group``) for totals and filters,
whatever the number of cycles, entitlements and payments.
"""

import base64

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.http import content_disposition, request
from odoo.tools import SQL
from odoo.tools.misc import format_amount

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
        """{journal id or False: currency} in two queries."""
        env = request.env
        # sudo: the journals of the person's own entitlements and payments;
        # only their currency is read (a journal has dozens of fields). A
        # journal without one pays in the company's currency.
        journals = (
            env["account.journal"]
            .sudo()
            .search_fetch([("id", "in", journal_ids)], ["currency_id"])
        )
        company_currency = (
            env["res.company"]
            .sudo()
            .search_fetch([("id", "=", env.company.id)], ["currency_id"])
            .currency_id
        )
        currencies = {False: company_currency}
        for journal in journals:
            currencies[journal.id] = journal.currency_id or company_currency
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
                [("individual", "=", partner.id), ("is_ended", "=", False)], ["group"]
            )
            .group
        )
        return [partner.id, *groups.ids]

    def _benefit_totals(self, domain):
        """Totals per currency over every entitlement of ``domain``."""
        env = request.env
        partners = [("partner_id", "in", self._benefit_partners())]
        # sudo: the entitlements and payments of the partners the record
        # rules give the person (see _benefit_partners), within ``domain``.
        # Grouped in SQL, without the per-group domains and labels that the
        # public read_group builds.
        entitlement_groups = (
            env["g2p.entitlement"]
            .sudo()
            ._read_group(
                partners + domain,
                ["journal_id", "state"],
                ["initial_amount:sum", "__count"],
            )
        )
        payment_groups = (
            env["g2p.payment"]
            .sudo()
            ._read_group(
                [("entitlement_id", "any", partners + domain)],
                ["journal_id", "status"],
                ["amount_paid:sum"],
            )
        )
        journal_ids = {
            journal.id
            for journal, *_rest in entitlement_groups + payment_groups
            if journal
        }
        currencies = self._benefit_currencies(list(journal_ids))

        def currency_of(journal):
            return currencies.get(journal.id or False, currencies[False])

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
        return [
            {
                "currency": row.currency,
                "approved": format_amount(env, float(row.approved), row.currency),
                "paid": format_amount(env, float(row.paid), row.currency),
                "to_come": format_amount(env, float(row.to_come), row.currency),
                "in_review": format_amount(env, float(row.in_review), row.currency),
                "count": row.count,
            }
            for row in totals.rows()
        ]

    def _benefit_filters(self, program_id):
        """(programs, the chosen program's cycles) for the filters.

        Two queries whatever the number of cycles and entitlements: the
        programs of the person's entitlements (the entitlements selected by
        the record rules, as a subquery), and the chosen program's cycles
        among them (the cycle filter lists those only).
        """
        env = request.env
        for model in ("g2p.entitlement", "g2p.cycle", "g2p.program"):
            env[model].flush_model()
        # The person's entitlements: the record rules' query, not run here.
        own = env["g2p.entitlement"]._search([])
        cycles_of_own = SQL(
            "SELECT e.cycle_id FROM g2p_entitlement e WHERE e.id IN %s",
            own.subselect(),
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
        programs, program_cycles = self._benefit_filters(program_id)
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
        entitlements, pager = paged_search(
            Entitlement,
            domain,
            sortings[sortby]["order"],
            "/my/benefits",
            url_args,
            page,
            BENEFITS_PER_PAGE,
        )
        # Totals first: they read every journal of the person's benefits, so
        # the page's rows find theirs in the cache.
        totals = self._benefit_totals(scope)
        rows = self._benefit_rows(entitlements)
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

    def _benefit_rows(self, entitlements):
        """What the list and the page show of each entitlement, in 4 queries."""
        env = request.env
        records = entitlements.read(ENTITLEMENT_FIELDS)
        payments = env["g2p.payment"].search_read(
            [("entitlement_id", "in", entitlements.ids)],
            PAYMENT_FIELDS + (["reversal_reason"] if self._has_reversal() else []),
            order="issuance_date desc, id desc",
        )
        journal_ids = {
            row["journal_id"][0] for row in records + payments if row["journal_id"]
        }
        currencies = self._benefit_currencies(list(journal_ids))
        # sudo: cycles and programs of the entitlements read above. Fetched
        # by query (not from the cache) so that the count never varies.
        cycles = {
            cycle.id: cycle
            for cycle in env["g2p.cycle"]
            .sudo()
            .search_fetch(
                [
                    (
                        "id",
                        "in",
                        [row["cycle_id"][0] for row in records if row["cycle_id"]],
                    )
                ],
                ["name", "program_id"],
            )
        }
        program_names = {
            row["id"]: row["name"]
            for row in env["g2p.program"]
            .sudo()
            .search_read(
                [("id", "in", list({c.program_id.id for c in cycles.values()}))],
                ["name"],
            )
        }
        payments_of = {}
        for payment in payments:
            currency = currencies.get(
                payment["journal_id"] and payment["journal_id"][0], currencies[False]
            )
            phase = payment_phase(payment["state"], payment["status"])
            payments_of.setdefault(payment["entitlement_id"][0], []).append(
                {
                    "amount": format_amount(
                        env,
                        payment["amount_paid"] or payment["amount_issued"],
                        currency,
                    ),
                    "date": payment["payment_datetime"] or payment["issuance_date"],
                    "phase": phase,
                    "label": label(PAYMENT_LABELS, phase),
                    "reason": payment.get("reversal_reason") or "",
                }
            )
        rows = []
        for record in records:
            cycle = cycles.get(record["cycle_id"] and record["cycle_id"][0])
            currency = currencies.get(
                record["journal_id"] and record["journal_id"][0], currencies[False]
            )
            phase = entitlement_phase(record["state"])
            reason = rejection_reason(record["state"])
            rows.append(
                dict(
                    record,
                    program_name=program_names.get(cycle.program_id.id, "")
                    if cycle
                    else "",
                    cycle_name=cycle.name if cycle else "",
                    amount=format_amount(env, record["initial_amount"], currency),
                    phase=phase,
                    phase_label=label(PHASE_LABELS, phase),
                    reason=label(REJECTION_LABELS, reason) if reason else "",
                    payments=payments_of.get(record["id"], []),
                )
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
