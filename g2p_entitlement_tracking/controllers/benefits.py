"""Portal pages: my benefits, one benefit, its voucher, my notifications.

Everything is read as the portal user: the record rules give a registrant
their own entitlements, payments and notifications (and those of the
groups they belong to). What the pages show of them is read by
``g2p.entitlement`` (``_portal_totals``, ``_portal_filters``,
``_portal_rows``), next to the rule it mirrors: a fixed number of queries
whatever the number of cycles, entitlements and payments.
"""

import base64

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.http import content_disposition, request

from odoo.addons.g2p_self_service_portal.controllers.applications import (
    tracked_history,
)
from odoo.addons.g2p_self_service_portal.controllers.paging import paged_search
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..benefit_format import Money
from ..benefit_messages import PHASE_LABELS, label
from ..benefits_core import entitlement_phase, states, states_of

BENEFITS_PER_PAGE = 20
NOTIFICATIONS_PER_PAGE = 20


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
        Entitlement = request.env["g2p.entitlement"]
        sortings = self._benefit_searchbar_sortings()
        filters = self._benefit_searchbar_filters()
        sortby = sortby if sortby in sortings else "newest"
        filterby = filterby if filterby in filters else "all"
        program_id = int(program) if program and str(program).isdigit() else 0
        cycle_id = int(cycle) if cycle and str(cycle).isdigit() else 0
        partner_ids = Entitlement._portal_partner_ids()
        programs, program_cycles = Entitlement._portal_filters(program_id, partner_ids)
        scope = []
        if program_id:
            scope.append(("cycle_id", "in", [c["id"] for c in program_cycles]))
        if cycle_id:
            scope.append(("cycle_id", "=", cycle_id))
        domain = scope + list(filters[filterby]["domain"])
        # (The pager leaves out the arguments that are None.)
        url_args = {"sortby": sortby, "filterby": filterby}
        url_args.update(program=program_id or None, cycle=cycle_id or None)
        # Totals first: their grouped count gives the pager its total, and
        # they read every journal of the person's benefits for the rows.
        money = Money(request.env)
        totals, currencies, state_counts = Entitlement._portal_totals(
            scope, partner_ids, money
        )
        wanted = states_of([filterby]) if filterby != "all" else state_counts
        total = sum(state_counts.get(state, 0) for state in set(wanted))
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
        rows = entitlements._portal_rows(currencies, money)
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
        (row,) = entitlement._portal_rows()
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
