import json
import logging

from psycopg2.extras import Json

from odoo import api, fields, models

from ..exceptions import SubmissionInvalid
from ..field_messages import translated
from ..formio_core import errors as e
from ..formio_core import measure_data

_logger = logging.getLogger(__name__)

# A draft is the person's unfinished answers, nothing more: bounded.
MAX_DRAFT_BYTES = 256 * 1024


class G2PPortalApplicationDraft(models.Model):
    """A registrant's saved, unsubmitted answers to one program's form."""

    _name = "g2p.portal.application.draft"
    _description = "Portal Application Draft"

    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True
    )
    program_id = fields.Many2one("g2p.program", required=True, ondelete="cascade")
    data = fields.Json(default=dict)

    _sql_constraints = [
        (
            "one_draft_per_program",
            "unique(partner_id, program_id)",
            "One draft per registrant and program.",
        )
    ]

    @api.model
    def _g2p_draft_problem(self, data):
        """Why ``data`` cannot be kept as a draft (a core field error code),
        or None: an object, no deeper or larger than a submission, and at
        most MAX_DRAFT_BYTES of JSON."""
        if not isinstance(data, dict):
            return e.UNREADABLE
        problem = measure_data(data)
        if problem:
            return problem
        size = len(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        return e.TOO_LARGE if size > MAX_DRAFT_BYTES else None

    @api.model
    def _g2p_save(self, partner, program, data):
        """Create or replace the draft (upsert: two tabs saving never fail).

        Raises SubmissionInvalid, writing nothing, for answers that cannot
        be kept (see ``_g2p_draft_problem``)."""
        problem = self._g2p_draft_problem(data)
        if problem:
            _logger.info(
                "Draft of partner %s for program %s refused: %s",
                partner.id,
                program.id,
                problem,
            )
            raise SubmissionInvalid(translated(problem), {})
        self.env.cr.execute(
            "INSERT INTO g2p_portal_application_draft "
            "(partner_id, program_id, data, create_uid, create_date, write_uid, "
            " write_date) "
            "VALUES (%s, %s, %s, %s, now() at time zone 'UTC', %s, "
            " now() at time zone 'UTC') "
            "ON CONFLICT (partner_id, program_id) DO UPDATE "
            "SET data = EXCLUDED.data, write_uid = EXCLUDED.write_uid, "
            "    write_date = EXCLUDED.write_date",
            (
                partner.id,
                program.id,
                Json(data),
                self.env.uid,
                self.env.uid,
            ),
        )
        self.invalidate_model()

    @api.model
    def _g2p_get(self, partner, program):
        return self.search(
            [("partner_id", "=", partner.id), ("program_id", "=", program.id)],
            limit=1,
        )

    @api.model
    def _g2p_discard(self, partner, program):
        """Remove the draft, if any (the application was made)."""
        self.env.cr.execute(
            "DELETE FROM g2p_portal_application_draft "
            "WHERE partner_id = %s AND program_id = %s",
            (partner.id, program.id),
        )
        self.invalidate_model()
