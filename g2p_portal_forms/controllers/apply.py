import json
import logging

from markupsafe import Markup
from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..exceptions import ApplicationRefused, SubmissionInvalid
from ..field_messages import translated
from ..formio_core import SubmissionUnreadable, read_bounded, read_submission
from ..formiojs import browser_layout
from ..models.g2p_program_portal_apply import merge_answers

_logger = logging.getLogger(__name__)

# The whole request: answers plus every document of the largest program.
MAX_REQUEST_BYTES = 64 * 1024 * 1024
# Bytes of a file read before its type is decided.
SNIFF_BYTES = 16


class PortalApply(http.Controller):
    """The apply page of a program: its form, its documents, the submission.

    Runs as the portal user: the program is read through the portal's
    record rules (published programs only). The apply logic lives in
    ``g2p.program._portal_*``.
    """

    def _program(self, program_id):
        # search, not browse: the portal's record rules hide unpublished ones.
        program = request.env["g2p.program"].search([("id", "=", program_id)])
        if not program:
            raise NotFound()
        return program

    @http.route(
        "/my/programs/<int:program_id>/apply",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def apply_page(self, program_id, **kw):
        program = self._program(program_id)
        partner = request.env.user.partner_id
        try:
            # sudo: the apply rules read the person's own applications and
            # the form builder, which portal users cannot read.
            context = program.sudo()._portal_apply_context(partner)
        except ApplicationRefused as refusal:
            return self._refused(program, refusal)
        return self._render_form(program, context)

    def _render_form(self, program, context, errors=None, status=200, **extra):
        """The apply page; ``extra`` values override the page's defaults
        (``apply_action``, ``draft_url``: empty for no drafts)."""
        builder = program.sudo().self_service_portal_form
        # Filling a form needs formio.js's renderer only, not its builder.
        css_urls, js_urls = builder.formio_version_id._g2p_form_asset_urls()
        values = dict(
            context,
            apply_action=f"/my/programs/{program.id}/apply",
            draft_url=f"/my/programs/{program.id}/draft",
            program=program,
            builder=builder,
            formio_js_urls=js_urls,
            formio_css_urls=css_urls,
            form_config=_script_json(
                {
                    "schema": context["schema"],
                    "data": context["data"],
                    "locked": context["locked_keys"],
                    "errors": (errors or {}),
                    "cdn": _cdn_config(builder),
                }
            ),
            errors=errors or {},
            page_name="g2p_apply",
        )
        values.update(extra)
        return request.render("g2p_portal_forms.apply_page", values, status=status)

    def _refused(self, program, refusal, status=409):
        _logger.info(
            "Application to program %s refused for user %s: %s",
            program.id,
            request.env.uid,
            refusal.code,
        )
        return request.render(
            "g2p_portal_forms.apply_refused",
            {
                "program": program,
                "message": str(refusal.args[0]),
                "application": refusal.application,
                "page_name": "g2p_apply",
            },
            status=status,
        )

    @http.route(
        "/my/programs/<int:program_id>/apply",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        sitemap=False,
        max_content_length=MAX_REQUEST_BYTES,
    )
    def apply_submit(self, program_id, submission="", token="", digest="", **kw):
        program = self._program(program_id)
        partner = request.env.user.partner_id
        sudo_program = program.sudo()  # the person's own application, see above
        data = None
        try:
            data = read_answers(submission, program)
            application = sudo_program._portal_submit(
                partner, data, self._uploads(program), token, digest
            )
            request.env.cr.commit()
        except ApplicationRefused as refusal:
            request.env.cr.rollback()
            if refusal.code in ("form.changed", "form.expired"):
                return self._form_again(program, partner, data, refusal, {})
            return self._refused(program, refusal)
        except SubmissionInvalid as invalid:
            request.env.cr.rollback()
            return self._form_again(
                program, partner, data, invalid, invalid.field_errors
            )
        return request.redirect(
            f"/my/programs/{program.id}/applied/{application.id}", code=303
        )

    def _form_again(
        self, program, partner, data, error, field_errors, own_draft=True, **extra
    ):
        """The form with the person's answers kept and each error in place
        (``own_draft``: see ``g2p.program._portal_apply_context``)."""
        try:
            context = program.sudo()._portal_apply_context(partner, own_draft)
        except ApplicationRefused as refusal:
            return self._refused(program, refusal)
        if isinstance(data, dict):
            # The person's answers, the registrant's locked values over them.
            locked = set(context["locked_keys"])
            prefill = context["prefill"]
            context["data"] = merge_answers(
                data, {k: v for k, v in prefill.items() if _locks(k, locked)}
            )
        context["alert"] = str(error.args[0])
        return self._render_form(
            program, context, errors=field_errors, status=422, **extra
        )

    def _uploads(self, program):
        """requirement id → (filename, first bytes, declared size, read)."""
        uploads = {}
        files = request.httprequest.files
        for requirement in program.sudo().portal_document_requirement_ids:
            storage = files.get(requirement.input_name())
            if not storage or not storage.filename:
                continue
            stream = storage.stream
            head = stream.read(SNIFF_BYTES)
            stream.seek(0, 2)
            size = stream.tell()
            stream.seek(0)
            max_bytes = requirement.max_bytes()

            def read(stream=stream, max_bytes=max_bytes):
                try:
                    return read_bounded(stream, max_bytes)
                finally:
                    stream.seek(0)

            uploads[requirement.id] = (storage.filename, head, size, read)
        return uploads

    @http.route(
        "/my/programs/<int:program_id>/applied/<int:application_id>",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def applied(self, program_id, application_id, **kw):
        application = self._own_application(application_id)
        if application.program_id.id != program_id:
            raise NotFound()
        return request.render(
            "g2p_portal_forms.apply_done",
            {"application": application, "page_name": "g2p_apply"},
        )

    @http.route(
        "/my/programs/<int:program_id>/draft",
        type="json",
        auth="user",
        methods=["POST"],
    )
    def save_draft(self, program_id, data=None, **kw):
        program = self._program(program_id)
        try:
            # sudo: the person's own draft for a program they can read; the
            # apply rules read their applications (as on the apply page).
            program.sudo()._portal_save_draft(request.env.user.partner_id, data)
        except (ApplicationRefused, SubmissionInvalid) as error:
            return {"saved": False, "message": str(error.args[0])}
        return {"saved": True}

    @http.route(
        "/my/applications/<int:application_id>/receipt",
        type="http",
        auth="user",
        methods=["GET"],
        sitemap=False,
    )
    def receipt(self, application_id, **kw):
        application = self._own_application(application_id)
        # sudo: rendering reads the program and form, already checked above.
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "g2p_portal_forms.action_report_application_receipt",
                application.ids,
            )
        )
        filename = f"application-{application.application_id}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
            ],
        )

    def _own_application(self, application_id):
        return own_application(application_id)


def own_application(application_id):
    """The current user's application, read through the record rules (404)."""
    # search, not browse: the record rules give the person their own only.
    application = request.env["g2p.program.registrant_info"].search(
        [("id", "=", application_id)]
    )
    if not application:
        raise NotFound()
    return application


def _locks(key, locked):
    """Whether top-level ``key`` holds a locked value (``key`` or ``key.…``)."""
    return any(path == key or path.startswith(key + ".") for path in locked)


def _cdn_config(builder):
    """Where formio.js finds the libraries it loads on demand, as on Nova
    Code's own form pages: ``formio.cdn_base_url``, this server's copy once
    ``formiojs-install`` ran (cdnjs before). None leaves formio.js's own
    default, cdn.form.io."""
    base_url = builder._cdn_base_url()
    return {"baseUrl": base_url, "layout": browser_layout()} if base_url else None


def _script_json(value):
    """JSON to embed in a <script type="application/json"> element.

    The element's text is not entity-decoded, so the JSON goes in raw, with
    the characters that could end the element or open markup escaped.
    """
    text = json.dumps(value, default=str)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)


def read_answers(text, program):
    """The posted answers (the form's ``data`` object), bounded before they
    are parsed; raises SubmissionInvalid saying why they cannot be read.
    The log line names the reason, never the answers."""
    try:
        return read_submission(text)
    except SubmissionUnreadable as error:
        _logger.info(
            "Answers to program %s from user %s refused: %s (%s characters)",
            program.id,
            request.env.uid,
            error.code,
            len(text) if isinstance(text, str) else 0,
        )
        raise SubmissionInvalid(translated(error.code), {}) from None
