import hashlib
import json
import logging
import secrets

from odoo import _, api, fields, models

from ..apply_core import (
    EXISTS,
    TOO_MANY_OPEN,
    ApplicantRecord,
    ProgramTerms,
    refusal,
    takes_applications,
)
from ..apply_messages import refusal_message
from ..exceptions import ApplicationRefused
from ..formio_core import SchemaError, compile_form, prefill_values
from .g2p_program_registrant_info import BLOCKING_STATES, OPEN_STATES

_logger = logging.getLogger(__name__)


def schema_digest(schema):
    """A short fingerprint of a form schema (did the form change?)."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class G2PProgram(models.Model):
    """Whether a person can apply now, and what the apply page shows.

    The decision itself is ``apply_core.refusal``: every page asks it, with
    the program's terms and the person's applications read here.
    """

    # One concern of g2p.program per file (g2p_program.py has its fields):
    # each file stays readable, under 500 lines.
    _inherit = "g2p.program"  # pylint: disable=consider-merging-classes-inherited

    # -- the rules of applying -----------------------------------------------

    # The program's fields the apply core reads, by their ProgramTerms name.
    _portal_terms_fields = (
        "portal_published",
        "state",
        "self_service_portal_form",
        "portal_open_from",
        "portal_open_until",
        "is_multiple_form_submission",
        "portal_max_open_applications",
        "portal_min_days_between",
    )

    def _portal_terms(self):
        """The program's terms of applying, for the apply core."""
        self.ensure_one()
        return self._portal_terms_of(
            {name: self[name] for name in self._portal_terms_fields}
        )

    @api.model
    def _portal_terms_of(self, values):
        """ProgramTerms from ``values`` of ``_portal_terms_fields`` (a form
        as a record, an id or a boolean; dates as dates or ISO strings), for
        a page that read them by query."""
        return ProgramTerms(
            published=bool(values["portal_published"]),
            running=values["state"] == "active",
            has_form=bool(values["self_service_portal_form"]),
            open_from=fields.Date.to_date(values["portal_open_from"]) or None,
            open_until=fields.Date.to_date(values["portal_open_until"]) or None,
            multiple=bool(values["is_multiple_form_submission"]),
            max_open=values["portal_max_open_applications"] or 0,
            min_days_between=values["portal_min_days_between"] or 0,
        )

    @api.model
    def _portal_open_domain(self, today):
        """The programs taking applications on ``today``: ``_portal_is_open``
        as a domain, for the pages that search them."""
        return [
            ("portal_published", "=", True),
            ("state", "=", "active"),
            ("self_service_portal_form", "!=", False),
            "|",
            ("portal_open_from", "=", False),
            ("portal_open_from", "<=", today),
            "|",
            ("portal_open_until", "=", False),
            ("portal_open_until", ">=", today),
        ]

    def _portal_is_open(self, today=None):
        """Published, running, a form mapped, and inside the window."""
        self.ensure_one()
        # Today in the person's time zone.
        today = today or fields.Date.context_today(self)
        return takes_applications(self._portal_terms(), today)

    @api.model
    def _portal_applicant(self, partner, counting=0, open_count=0, last=None):
        """The apply core's view of ``partner``: how many of their
        applications count, how many are open, and when the latest was made
        (``last``: a datetime, or None)."""
        return ApplicantRecord(
            is_registrant=bool(partner.is_registrant),
            counting=counting,
            open=open_count,
            last_applied=last.date() if last else None,
        )

    def _portal_refused(self, decision, application):
        """The ApplicationRefused of the core's ``decision``, pointing to
        ``application`` (the one it is about, if any)."""
        params = {}
        if decision.code == EXISTS:
            params["application"] = application.application_id
        elif decision.code == TOO_MANY_OPEN:
            params["count"] = decision.count
        elif decision.next_date:
            params["date"] = fields.Date.to_string(decision.next_date)
        return ApplicationRefused(
            decision.code,
            refusal_message(decision.code, **params),
            application or None,
        )

    def _portal_check_can_apply(self, partner, today=None, applications=None):
        """Raise ApplicationRefused saying why ``partner`` cannot apply now.

        ``applications``: the person's applications to the program, newest
        first, when the caller has them (else they are searched, when the
        person and the program could take one at all).
        """
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        if applications is None:
            applications = self.env["g2p.program.registrant_info"].sudo()
            if partner.is_registrant and self._portal_is_open(today):
                applications = self._portal_applications_of(partner)
        counting = applications.filtered(lambda a: a.state in BLOCKING_STATES)
        open_ones = counting.filtered(lambda a: a.state in OPEN_STATES)
        latest = counting[:1]
        applicant = self._portal_applicant(
            partner,
            len(counting),
            len(open_ones),
            latest.portal_submitted_at or latest.create_date,
        )
        decision = refusal(self._portal_terms(), applicant, today)
        if decision:
            about = open_ones if decision.code == TOO_MANY_OPEN else counting
            raise self._portal_refused(decision, about[:1])

    def _portal_refusals(self, partner, today=None):
        """{program id: (core Refusal or None, the person's latest application
        that counts)} for each program of ``self``: what
        ``_portal_check_can_apply`` decides, for a page of programs.

        One grouped query over the person's applications to them, and one
        more for the date of the latest only where it decides (a program
        setting a minimum number of days between applications that would
        otherwise take one).
        """
        today = today or fields.Date.context_today(self)
        # sudo: the person's own applications, as _portal_applications_of
        # reads them (an officer cannot read them on the portal's terms).
        Application = self.env["g2p.program.registrant_info"].sudo()
        per_program = {}
        if partner.is_registrant and self:
            for program, state, count, latest in Application._read_group(
                [
                    ("registrant_id", "=", partner.id),
                    ("program_id", "in", self.ids),
                    ("state", "in", BLOCKING_STATES),
                ],
                ["program_id", "state"],
                ["__count", "id:max"],
            ):
                # [applications that count, the latest's id, open ones]
                entry = per_program.setdefault(program.id, [0, 0, 0])
                entry[0] += count
                entry[1] = max(entry[1], latest)
                if state in OPEN_STATES:
                    entry[2] += count
        terms = {program.id: program._portal_terms() for program in self}
        # The date of the latest application decides only where the rest
        # lets the person apply and the program sets a minimum gap: read
        # for those alone.
        dated = [
            per_program[program_id][1]
            for program_id, program_terms in terms.items()
            if program_id in per_program
            and program_terms.min_days_between > 0
            and not refusal(
                program_terms,
                self._portal_applicant(
                    partner, per_program[program_id][0], per_program[program_id][2]
                ),
                today,
            )
        ]
        latest_apps = {
            app.id: app
            for app in (
                Application.search_fetch(
                    [("id", "in", dated)], ["portal_submitted_at", "create_date"]
                )
                if dated
                else ()
            )
        }
        # Taken from one recordset, the applications share its prefetch: the
        # officer's page reads their numbers in one query.
        latest_of = {
            app.id: app
            for app in Application.browse(
                sorted({entry[1] for entry in per_program.values()})
            )
        }
        decisions = {}
        for program in self:
            counting, latest, open_count = per_program.get(program.id, (0, 0, 0))
            last = latest_apps.get(latest)
            applicant = self._portal_applicant(
                partner,
                counting,
                open_count,
                last and (last.portal_submitted_at or last.create_date),
            )
            decision = refusal(terms[program.id], applicant, today)
            decisions[program.id] = (decision, latest_of.get(latest, Application))
        return decisions

    def _portal_refusal_messages(self, partner, today=None):
        """{program id: why ``partner`` cannot apply, or None}, for each
        program of ``self`` (``_portal_refusals`` in the person's words)."""
        return {
            program_id: str(self._portal_refused(decision, application).args[0])
            if decision
            else None
            for program_id, (decision, application) in self._portal_refusals(
                partner, today
            ).items()
        }

    def _portal_applications_of(self, partner, token=None):
        """``partner``'s applications to this program that count against a
        new one (and, with ``token``, the one made from that form page),
        newest first."""
        domain = [("state", "in", BLOCKING_STATES)]
        if token:
            domain = ["|", ("portal_submission_token", "=", token), *domain]
        return (
            self.env["g2p.program.registrant_info"]
            .sudo()
            .search(
                [
                    ("registrant_id", "=", partner.id),
                    ("program_id", "=", self.id),
                    *domain,
                ],
                order="create_date desc, id desc",
            )
        )

    # -- what the apply page shows ------------------------------------------

    def _portal_save_draft(self, partner, data):
        """Keep ``partner``'s unfinished answers to this program's form.

        Only for someone who can apply now (ApplicationRefused otherwise);
        answers too large or too deep raise SubmissionInvalid.
        """
        self.ensure_one()
        self._portal_check_can_apply(partner)
        self.env["g2p.portal.application.draft"]._g2p_save(partner, self, data)

    def _portal_schema(self):
        self.ensure_one()
        builder = self.self_service_portal_form
        try:
            schema = json.loads(builder.schema or "{}")
        except ValueError:
            schema = None
        if not isinstance(schema, dict):
            raise ApplicationRefused(
                "form.invalid",
                _("This program's form cannot be shown right now. Please try later."),
            )
        return schema

    def _portal_compiled_form(self, schema):
        """``schema`` compiled for validation, or ApplicationRefused.

        The mapping wizard checked the form, but its builder may have been
        changed since: the current schema is checked again on every page
        and every submission (patterns are compiled once and kept by the
        core, so this costs about a millisecond).
        """
        self.ensure_one()
        try:
            form = compile_form(schema)
            form.ensure_usable()
        except SchemaError as error:
            builder = self.self_service_portal_form
            _logger.warning(
                "Program %s: form %s (%s) cannot be validated on the server: %s",
                self.id,
                builder.id,
                builder.name,
                "; ".join(
                    f"{problem.path or 'form'}: {problem.code}"
                    for problem in error.problems
                )
                or error.code,
            )
            raise ApplicationRefused(
                "form.invalid",
                _("This program's form cannot be used right now. Please try later."),
            ) from None
        return form

    def _portal_registrant_mapping(self, partner):
        """Prefilled values and locked values of the form, for ``partner``."""
        self.ensure_one()
        lines = self.portal_form_field_ids.filtered("prefill")
        names = self.portal_form_field_ids._partner_field_names()
        # The mapped fields only, in one query: reading one field prefetches
        # all of the partner's, each group of them checked for the user.
        partner.fetch([names[line] for line in lines])
        kyc_locked = partner._portal_forms_locked_fields()
        mapping = [
            (names[line], line.form_key, line.locked or names[line] in kyc_locked)
            for line in lines
        ]
        registrant_values = {}
        for field_name, _key, _locked in mapping:
            value = partner[field_name]
            if isinstance(value, models.BaseModel):
                value = value.display_name or None
            registrant_values[field_name] = value
        return prefill_values(mapping, registrant_values)

    def _portal_apply_context(self, partner, own_draft=True):
        """Everything the apply page needs to render the form for ``partner``.

        ``own_draft``: the person applies for themselves, and the answers
        they saved fill the form. An officer applying on their behalf passes
        False: a draft is its owner's alone, never shown to anybody else.
        Raises ApplicationRefused when the person cannot apply now.
        """
        self.ensure_one()
        self._portal_check_can_apply(partner)
        schema = self._portal_schema()
        self._portal_compiled_form(schema)
        prefill, locked = self._portal_registrant_mapping(partner)
        Draft = self.env["g2p.portal.application.draft"]
        draft = Draft._g2p_get(partner, self) if own_draft else Draft
        # The draft, then the registrant's values over it (locked ones are
        # in ``prefill`` too, nested where their dotted key points).
        data = merge_answers(dict(draft.data or {}) if draft else {}, prefill)
        return {
            "schema": schema,
            "schema_digest": schema_digest(schema),
            "data": data,
            "prefill": prefill,
            "locked_keys": sorted(locked),
            "requirements": self.portal_document_requirement_ids,
            "has_draft": bool(draft),
            "token": secrets.token_urlsafe(24),
        }


def merge_answers(answers, values):
    """``answers`` with ``values`` written over them, nested objects merged."""
    merged = dict(answers)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_answers(merged[key], value)
        else:
            merged[key] = value
    return merged
