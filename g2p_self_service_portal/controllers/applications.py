"""Portal pages: my applications, one application, its documents.

Applications and their documents are read as the portal user: the record
rules give the person their own only. Program names are read with sudo on
programs of applications already read through the rules, because a program
unpublished after the person applied stays theirs to see by name.
"""

import base64

from werkzeug.exceptions import NotFound

from odoo import _, http
from odoo.http import content_disposition, request

from odoo.addons.g2p_portal_forms.controllers.apply import own_application
from odoo.addons.portal.controllers.portal import CustomerPortal

from .paging import paged_search

APPLICATIONS_PER_PAGE = 20


class ApplicationsPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "application_count" in counters:
            values["application_count"] = request.env[
                "g2p.program.registrant_info"
            ].search_count([])
        return values

    # -- the list ----------------------------------------------------------------

    def _application_searchbar_sortings(self):
        return {
            "newest": {"label": _("Newest"), "order": "create_date desc, id desc"},
            "oldest": {"label": _("Oldest"), "order": "create_date asc, id asc"},
        }

    def _application_searchbar_filters(self):
        Application = request.env["g2p.program.registrant_info"]
        filters = {"all": {"label": _("All"), "domain": []}}
        for key, label in Application._fields["state"]._description_selection(
            request.env
        ):
            filters[key] = {"label": label, "domain": [("state", "=", key)]}
        return filters

    @http.route(
        ["/my/applications", "/my/applications/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_applications(
        self, page=1, sortby=None, filterby=None, program=None, **kw
    ):
        Application = request.env["g2p.program.registrant_info"]
        sortings = self._application_searchbar_sortings()
        filters = self._application_searchbar_filters()
        sortby = sortby if sortby in sortings else "newest"
        filterby = filterby if filterby in filters else "all"
        domain = list(filters[filterby]["domain"])
        program_id = int(program) if program and str(program).isdigit() else 0
        if program_id:
            domain.append(("program_id", "=", program_id))
        url_args = {"sortby": sortby, "filterby": filterby}
        if program_id:
            url_args["program"] = program_id
        applications, pager = paged_search(
            Application,
            domain,
            sortings[sortby]["order"],
            "/my/applications",
            url_args,
            page,
            APPLICATIONS_PER_PAGE,
        )
        states = dict(Application._fields["state"]._description_selection(request.env))
        # Names of every program applied to, in one query; the rows then
        # find their program's name in the cache.
        # The record rules give the person's own applications.
        filter_programs = applied_programs(request.env, [])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "applications": applications,
                # sudo: names of the programs of the applications read above.
                "program_names": {p.id: p.name for p in applications.program_id.sudo()},
                "state_labels": states,
                "filter_programs": filter_programs,
                "program_id": program_id,
                "pager": pager,
                "page_name": "g2p_applications",
                "default_url": "/my/applications",
                "searchbar_sortings": sortings,
                "searchbar_filters": {
                    key: {"label": item["label"]} for key, item in filters.items()
                },
                "sortby": sortby,
                "filterby": filterby,
            }
        )
        return request.render("g2p_self_service_portal.portal_my_applications", values)

    # -- one application ---------------------------------------------------------

    def _status_history(self, application):
        """[{date, label, state}] from the submission and tracked changes."""
        return tracked_history(
            application,
            "state",
            application.portal_submitted_at or application.create_date,
            _("Submitted"),
        )

    @http.route(
        "/my/applications/<int:application_id>",
        type="http",
        auth="user",
        website=True,
        sitemap=False,
    )
    def portal_my_application(self, application_id, **kw):
        application = own_application(application_id)
        Application = request.env["g2p.program.registrant_info"]
        states = dict(Application._fields["state"]._description_selection(request.env))
        documents = application.portal_document_ids
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "application": application,
                # sudo: the program of the person's own application (above).
                "program_name": application.program_id.sudo().name,
                "state_label": states.get(application.state, ""),
                "history": self._status_history(application),
                "answers": displayed_answers(application),
                "documents": documents,
                # sudo: requirement names of the person's own documents.
                "requirement_names": {
                    doc.id: doc.portal_requirement_id.sudo().name or doc.name
                    for doc in documents
                },
                "page_name": "g2p_application",
            }
        )
        return request.render("g2p_self_service_portal.portal_my_application", values)

    @http.route(
        "/my/applications/<int:application_id>/documents/<int:document_id>",
        type="http",
        auth="user",
        methods=["GET"],
        sitemap=False,
    )
    def portal_my_application_document(self, application_id, document_id, **kw):
        application = own_application(application_id)
        document = request.env["storage.file"].search(
            [
                ("id", "=", document_id),
                ("program_registrant_info_id", "=", application.id),
            ]
        )
        if not document:
            raise NotFound()
        # sudo: the file's backend is not readable by portal users; the
        # document was read through the rules and belongs to the application.
        content = document.sudo().data
        body = base64.b64decode(content) if content else b""
        filename = document.name or f"document-{document.id}"
        if document.extension and not filename.endswith(document.extension):
            filename += document.extension
        return request.make_response(
            body,
            headers=[
                ("Content-Type", document.mimetype or "application/octet-stream"),
                ("Content-Length", len(body)),
                ("Content-Disposition", content_disposition(filename)),
                ("X-Content-Type-Options", "nosniff"),
            ],
        )


def tracked_history(record, field_name, start_date, start_label):
    """[{date, label, state}] of a tracked selection field, newest first.

    The first step is the value ``record`` started with at ``start_date``
    (before the first tracked change); ``start_label`` names it when the
    value is unknown. ``record`` must have been read through the record
    rules: the tracking values themselves are read with sudo.
    """
    env = record.env
    field = record._fields[field_name]
    labels = dict(field._description_selection(env))
    # Tracking stores the label in the language of the change: map it back
    # to the value to show it in the person's language.
    english = env(context=dict(env.context, lang="en_US"))
    by_label = {label: key for key, label in field._description_selection(english)}
    field_id = env["ir.model.fields"]._get(record._name, field_name).id
    # sudo: portal users cannot read tracking values; this reads only the
    # tracked changes of one field of a record already read through the
    # record rules (see the docstring).
    trackings = (
        env["mail.tracking.value"]
        .sudo()
        .search(
            [
                ("mail_message_id.model", "=", record._name),
                ("mail_message_id.res_id", "=", record.id),
                ("field_id", "=", field_id),
            ],
            order="id asc",
        )
    )
    history = []
    for tracking in trackings:
        new = tracking.new_value_char or ""
        value = by_label.get(new)
        history.append(
            {
                "date": tracking.create_date,
                "label": labels.get(value, new),
                "state": value or "",
            }
        )
    first = (
        by_label.get(trackings[0].old_value_char or "")
        if trackings
        else record[field_name]
    )
    history.insert(
        0,
        {
            "date": start_date,
            "label": labels.get(first, start_label),
            "state": first or "",
        },
    )
    history.reverse()
    return history


def applied_programs(env, domain):
    """Programs of the applications ``domain`` finds, by name, in two queries.

    Read first on a page, they put every name in the cache: the page's rows
    then find their program's name without another query.
    """
    groups = env["g2p.program.registrant_info"]._read_group(domain, ["program_id"])
    programs = env["g2p.program"].browse([program.id for (program,) in groups])
    # sudo: names of programs of applications read through the record rules
    # (the person's own); a program unpublished since stays theirs to see.
    return programs.sudo().sorted("name")


def displayed_answers(application):
    """(label, text, depth) of each answer of an application, in form order."""
    return [
        (label, _answer_text(value), depth)
        for label, value, depth in application._portal_answers_layout()
    ]


def _answer_text(value):
    """An answer as the person reads it."""
    if value is None or value is False:
        return ""
    if value is True:
        return _("Yes")
    if isinstance(value, list | tuple):
        return ", ".join(_answer_text(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_answer_text(item)}" for key, item in value.items())
    return str(value)
