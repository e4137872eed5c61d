import contextlib
import logging

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import MissingError

from ..formio_core import SchemaError, form_layout

_logger = logging.getLogger(__name__)

# Applications that stop a non-multiple program from being applied to again
# (applied, in progress, approved), and those that count as open.
BLOCKING_STATES = ("active", "inprogress", "completed")
OPEN_STATES = ("active", "inprogress")


class G2PProgramRegistrantInfo(models.Model):
    """An application: the answers of one submission of a program's form."""

    _name = "g2p.program.registrant_info"
    _inherit = ["g2p.program.registrant_info", "mail.thread"]

    state = fields.Selection(tracking=True)
    application_id = fields.Char(readonly=True, copy=False, index=True)
    portal_submission_token = fields.Char(
        readonly=True,
        copy=False,
        help="Random value of the form page the application was submitted "
        "from: a second click or a replayed request finds this application "
        "instead of creating another.",
    )
    portal_form_id = fields.Many2one("formio.builder", "Form", readonly=True)
    portal_form_schema = fields.Json(
        "Form Schema", readonly=True, help="The form as it was when submitted."
    )
    portal_submitted_by = fields.Many2one("res.users", readonly=True)
    portal_submitted_at = fields.Datetime(readonly=True)
    portal_document_ids = fields.One2many(
        "storage.file", "program_registrant_info_id", "Documents", readonly=True
    )
    portal_answers_html = fields.Html(
        "Answers", compute="_compute_portal_answers_html", sanitize=False
    )

    def _portal_answers_layout(self):
        """(label, value, depth) of each answer, in the form's order."""
        self.ensure_one()
        data = self.program_registrant_info or {}
        schema = self.portal_form_schema
        if isinstance(schema, dict):
            try:
                return form_layout(schema, data)
            except SchemaError:
                _logger.info("Application %s: form schema unreadable", self.id)
        # Applications made with OpenG2P's own screens: keys as labels.
        return [(key, value, 0) for key, value in sorted(data.items())]

    @api.depends("program_registrant_info", "portal_form_schema")
    def _compute_portal_answers_html(self):
        for application in self:
            rows = Markup("").join(
                Markup('<tr><th style="padding-left: %sem">%s</th><td>%s</td></tr>')
                % (0.5 + depth, escape(str(label)), escape(_display(value)))
                for label, value, depth in application._portal_answers_layout()
            )
            application.portal_answers_html = (
                Markup('<table class="table table-sm">%s</table>') % rows
            )

    def init(self):
        cr = self.env.cr
        # OpenG2P's own IDs (date + random number) can collide: ours come from
        # a sequence and the database refuses a duplicate. A database that
        # already holds OpenG2P duplicates keeps working without the index.
        cr.execute(
            "SELECT application_id FROM g2p_program_registrant_info "
            "WHERE application_id IS NOT NULL "
            "GROUP BY application_id HAVING count(*) > 1 LIMIT 1"
        )
        if cr.fetchone():
            _logger.warning(
                "Applications with duplicate application IDs exist: the unique "
                "index on application IDs is not created until they are fixed."
            )
        else:
            cr.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS "
                "g2p_program_registrant_info_application_id_unique "
                "ON g2p_program_registrant_info (application_id) "
                "WHERE application_id IS NOT NULL"
            )
        cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS "
            "g2p_program_registrant_info_submission_token_unique "
            "ON g2p_program_registrant_info "
            "(registrant_id, program_id, portal_submission_token) "
            "WHERE portal_submission_token IS NOT NULL"
        )
        cr.execute(
            "CREATE INDEX IF NOT EXISTS g2p_program_registrant_info_registrant_index "
            "ON g2p_program_registrant_info (registrant_id, program_id)"
        )

    @api.depends("registrant_id", "program_id")
    def _compute_application_id(self):
        # Computed once: a new ID from the sequence, never changed after.
        for application in self:
            if not application.application_id:
                application.application_id = self._g2p_new_application_id()

    @api.model
    def _g2p_new_application_id(self):
        """A new application ID from the suite's sequence."""
        # sudo: the sequence is configuration; taking a number is all we do.
        Sequence = self.env["ir.sequence"].sudo()
        # The sequence by its XML ID (cached by Odoo), not searched by code.
        _model, sequence_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
            "g2p_portal_forms.seq_portal_application", raise_if_not_found=False
        )
        if sequence_id:
            with contextlib.suppress(MissingError):
                return Sequence.browse(sequence_id).next_by_id()
        return Sequence.next_by_code("g2p.portal.application")


def _display(value):
    if value is None or value is False:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_display(item) for item in value)
    return str(value)
