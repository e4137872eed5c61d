"""Portal pages: all programs, and one program's page.

Everything runs as the portal user: the record rules show published
programs only, and the person's own applications and memberships. Each page
runs a fixed number of queries whatever the number of programs: one page of
programs, then one grouped query each for the person's applications and
memberships on that page.
"""

from werkzeug.exceptions import NotFound

from odoo import _, fields, http
from odoo.http import request
from odoo.osv import expression

from odoo.addons.g2p_portal_forms.exceptions import ApplicationRefused
from odoo.addons.g2p_portal_forms.models.g2p_program_registrant_info import (
    BLOCKING_STATES,
)
from odoo.addons.portal.controllers.portal import CustomerPortal

from .paging import paged_search

PROGRAMS_PER_PAGE = 20


def listed_programs_domain():
    """Programs the portal lists: published (the record rule) and running.

    Ended programs are neither listed nor reachable by their URL.
    """
    return [("state", "=", "active")]


class ProgramsPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "program_count" in counters:
            values["program_count"] = request.env["g2p.program"].search_count(
                listed_programs_domain()
            )
        return values

    # -- the list ----------------------------------------------------------------

    def _program_searchbar_sortings(self):
        return {
            "name": {"label": _("Name"), "order": "name asc, id asc"},
            "newest": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "closing": {
                "label": _("Closing soon"),
                "order": "portal_open_until asc nulls last, name asc, id asc",
            },
        }

    def _program_searchbar_filters(self):
        Program = request.env["g2p.program"]
        today = fields.Date.context_today(Program)
        return {
            "all": {"label": _("All"), "domain": []},
            "open": {
                "label": _("Open for applications"),
                "domain": Program._portal_open_domain(today),
            },
            "applied": {"label": _("Applied"), "domain": self._applied_domain},
            "enrolled": {"label": _("Enrolled"), "domain": self._enrolled_domain},
        }

    def _applied_domain(self):
        # One grouped query over the person's own applications (record rule).
        groups = request.env["g2p.program.registrant_info"]._read_group(
            [("state", "in", BLOCKING_STATES)], ["program_id"]
        )
        return [("id", "in", [program.id for (program,) in groups])]

    def _enrolled_domain(self):
        # Memberships the rules give the person (their own, their group's).
        groups = request.env["g2p.program_membership"]._read_group(
            [("state", "=", "enrolled")], ["program_id"]
        )
        return [("id", "in", [program.id for (program,) in groups])]

    def _prepare_programs_domain(self, search, filterby):
        domain = listed_programs_domain()
        filter_domain = self._program_searchbar_filters()[filterby]["domain"]
        if callable(filter_domain):
            filter_domain = filter_domain()
        domain = expression.AND([domain, filter_domain])
        if search:
            domain = expression.AND(
                [
                    domain,
                    [
                        "|",
                        ("name", "ilike", search),
                        ("description", "ilike", search),
                    ],
                ]
            )
        return domain

    @http.route(
        ["/my/programs", "/my/programs/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_programs(self, page=1, sortby=None, filterby=None, search=None, **kw):
        Program = request.env["g2p.program"]
        sortings = self._program_searchbar_sortings()
        filters = self._program_searchbar_filters()
        sortby = sortby if sortby in sortings else "name"
        filterby = filterby if filterby in filters else "all"
        search = (search or "").strip()[:200]
        domain = self._prepare_programs_domain(search, filterby)
        programs, pager = paged_search(
            Program,
            domain,
            sortings[sortby]["order"],
            "/my/programs",
            {"sortby": sortby, "filterby": filterby, "search": search},
            page,
            PROGRAMS_PER_PAGE,
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "programs": programs,
                "program_status": self._programs_status(programs),
                "pager": pager,
                "page_name": "g2p_programs",
                "default_url": "/my/programs",
                "searchbar_sortings": sortings,
                "searchbar_filters": {
                    key: {"label": item["label"]} for key, item in filters.items()
                },
                "searchbar_inputs": {
                    "all": {"input": "all", "label": _("Search in programs")}
                },
                "search_in": "all",
                "search": search,
                "sortby": sortby,
                "filterby": filterby,
            }
        )
        return request.render("g2p_self_service_portal.portal_my_programs", values)

    def _programs_status(self, programs):
        """{program id: {"state", "application", "can_apply"}} for the person.

        ``state`` is ``enrolled``, ``applied``, ``open`` (can apply) or
        ``closed``. ``application`` is the latest application that counts
        (applied, in progress, approved), if any; ``can_apply`` is the
        apply page's own decision (``g2p.program._portal_refusals``).
        """
        env = request.env
        decisions = programs._portal_refusals(env.user.partner_id)
        enrolled = {
            program.id
            for (program,) in env["g2p.program_membership"]._read_group(
                [("program_id", "in", programs.ids), ("state", "=", "enrolled")],
                ["program_id"],
            )
        }
        Application = env["g2p.program.registrant_info"]
        status = {}
        for program in programs:
            decision, latest = decisions[program.id]
            # The person's own application, read through the record rules.
            application = Application.browse(latest.ids)
            if program.id in enrolled:
                state = "enrolled"
            elif application:
                state = "applied"
            else:
                state = "open" if program._portal_is_open() else "closed"
            status[program.id] = {
                "state": state,
                "application": application,
                "can_apply": not decision,
            }
        return status

    # -- one program ---------------------------------------------------------------

    def _listed_program(self, program_id):
        # search, not browse: the portal's record rules hide unpublished ones.
        program = request.env["g2p.program"].search(
            expression.AND([[("id", "=", program_id)], listed_programs_domain()])
        )
        if not program:
            raise NotFound()
        return program

    @http.route(
        "/my/programs/<int:program_id>",
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_program(self, program_id, **kw):
        program = self._listed_program(program_id)
        partner = request.env.user.partner_id
        refusal = None
        try:
            # sudo: the apply rules read the form builder and count the
            # person's own applications, which portal users cannot read
            # whole; the program itself was read through the rules above.
            program.sudo()._portal_check_can_apply(partner)
        except ApplicationRefused as error:
            refusal = error
        applications = request.env["g2p.program.registrant_info"].search(
            [("program_id", "=", program.id)],
            order="create_date desc, id desc",
            limit=5,
        )
        membership = request.env["g2p.program_membership"].search(
            [("program_id", "=", program.id)], limit=1
        )
        target_types = dict(
            program._fields["target_type"]._description_selection(request.env)
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "program": program,
                "refusal": refusal,
                "refusal_message": str(refusal.args[0]) if refusal else "",
                "refusal_application": (
                    refusal.application.with_env(request.env)
                    if refusal and refusal.application
                    else None
                ),
                "applications": applications,
                "membership": membership,
                "target_type_label": target_types.get(program.target_type, ""),
                "requirements": program.portal_document_requirement_ids,
                "page_name": "g2p_program",
            }
        )
        return request.render("g2p_self_service_portal.portal_my_program", values)
