import hashlib
import json
import logging
import random
import secrets
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..exceptions import ApplicationRefused, SubmissionInvalid
from ..field_messages import translated
from ..formio_core import (
    DocumentError,
    SchemaError,
    check_document,
    check_prefill_mapping,
    check_schema,
    compile_form,
    prefill_values,
    sanitize_filename,
    validate_submission,
)
from .g2p_program_registrant_info import BLOCKING_STATES, OPEN_STATES

_logger = logging.getLogger(__name__)

# Two submissions for one registrant and program at the same moment: the
# second waits for the first, then runs again on a snapshot that sees it.
CONFLICTS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.UniqueViolation,
)
MAX_SUBMIT_ATTEMPTS = 5
# Applications and memberships made from the portal: no "created" message
# and no follower each (as OpenG2P's entitlements by the thousand); the
# status history starts at the submission date.
QUIET_CREATE = {"mail_create_nolog": True, "mail_create_nosubscribe": True}


def schema_digest(schema):
    """A short fingerprint of a form schema (did the form change?)."""
    text = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class G2PProgram(models.Model):
    _inherit = "g2p.program"

    portal_published = fields.Boolean(
        "Shown on the Portal",
        help="Registrants see the program on the portal and can apply while "
        "its application window is open.",
    )
    portal_open_from = fields.Date("Applications Open From")
    portal_open_until = fields.Date("Applications Open Until")
    portal_max_open_applications = fields.Integer(
        "Open Applications at Once",
        default=1,
        help="When several applications are allowed: how many a registrant "
        "may have open (applied or in progress) at the same time.",
    )
    portal_min_days_between = fields.Integer(
        "Minimum Days Between Applications",
        default=0,
        help="When several applications are allowed: days a registrant waits "
        "after an application before the next.",
    )
    portal_document_requirement_ids = fields.One2many(
        "g2p.program.document.requirement", "program_id", "Required Documents"
    )
    portal_form_field_ids = fields.One2many(
        "g2p.program.form.field", "program_id", "Registrant Fields"
    )
    portal_application_count = fields.Integer(
        "Applications", compute="_compute_portal_application_count"
    )

    def _compute_portal_application_count(self):
        counts = dict(
            self.env["g2p.program.registrant_info"]._read_group(
                [("program_id", "in", self.ids)], ["program_id"], ["__count"]
            )
        )
        for program in self:
            program.portal_application_count = counts.get(program, 0)

    def action_portal_applications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "g2p_portal_forms.action_portal_applications"
        )
        action["domain"] = [("program_id", "=", self.id)]
        action["context"] = {"default_program_id": self.id}
        return action

    # -- what the apply page shows ------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("self_service_portal_form") for vals in vals_list):
            self._portal_check_form_write()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("self_service_portal_form"):
            self._portal_check_form_write()
        return super().write(vals)

    def _portal_check_form_write(self):
        """A form is mapped by the mapping wizard (after its checks) only."""
        if self.env.su or self.env.context.get("g2p_portal_form_checked"):
            return
        _logger.warning(
            "Refused a direct mapping of a portal form by user %s", self.env.uid
        )
        raise AccessError(
            _(
                "Map a form to a program with the 'Map Self-Service Portal Form' "
                "wizard, which checks it."
            )
        )

    def _portal_form_problems(self, builder, fatal_only=False):
        """What makes ``builder`` unusable as this program's application form.

        The mapping wizard refuses a form with any problem; ``fatal_only``
        keeps those that make server-side validation impossible.
        """
        self.ensure_one()
        if not builder:
            return []
        if builder.state != "CURRENT":
            return [_("The form is not published: publish it in the form builder.")]
        mapping = [
            (line.partner_field_id.name, line.form_key, line.locked)
            for line in self.portal_form_field_ids
        ]
        try:
            schema = json.loads(builder.schema or "{}")
            problems = check_schema(schema)
            if not any(problem.fatal for problem in problems):
                # The program's registrant fields must name fields of the form.
                problems += check_prefill_mapping(schema, mapping)
        except (ValueError, SchemaError) as error:
            return [_("The form cannot be read: %(error)s", error=str(error))]
        return [
            f"{problem.path or _('form')}: {problem.message}"
            for problem in problems
            if problem.fatal or not fatal_only
        ]

    def _portal_check_builder_change(self, builder):
        """The mapping wizard's checks, again, when a mapped form changes: a
        change that makes the form impossible to validate on the server is
        refused (a warning the wizard would have refused is not: the form
        stays usable)."""
        for program in self:
            problems = program._portal_form_problems(builder, fatal_only=True)
            if problems:
                _logger.warning(
                    "Refused a change of form %s mapped to program %s: %d problem(s)",
                    builder.id,
                    program.id,
                    len(problems),
                )
                raise UserError(
                    _(
                        "This form is the application form of %(program)s and "
                        "the change makes it unusable:\n%(problems)s",
                        program=program.name,
                        problems="\n".join(problems),
                    )
                )

    def _portal_is_open(self, today=None):
        """Published, a form mapped, and inside the application window."""
        self.ensure_one()
        if (
            not (self.portal_published and self.self_service_portal_form)
            or self.state != "active"
        ):
            return False
        if not (self.portal_open_from or self.portal_open_until):
            return True
        # Today in the person's time zone: read only for a window.
        today = today or fields.Date.context_today(self)
        return (not self.portal_open_from or self.portal_open_from <= today) and (
            not self.portal_open_until or today <= self.portal_open_until
        )

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

    # -- the rules of applying -----------------------------------------------

    def _portal_check_can_apply(self, partner, today=None, applications=None):
        """Raise ApplicationRefused saying why ``partner`` cannot apply now.

        ``applications``: the person's applications to the program, newest
        first, when the caller has them (else they are searched).
        """
        self.ensure_one()
        if not partner.is_registrant:
            raise ApplicationRefused(
                "applicant.not_registrant",
                _(
                    "Only people registered in the social registry can apply to "
                    "programs. Please contact the program office to be registered."
                ),
            )
        if not self._portal_is_open(today):
            raise ApplicationRefused(
                "program.closed", _("This program is not open for applications.")
            )
        if applications is None:
            applications = self._portal_applications_of(partner)
        applications = applications.filtered(lambda a: a.state in BLOCKING_STATES)
        if not applications:
            return
        if not self.is_multiple_form_submission:
            raise ApplicationRefused(
                "application.exists",
                _(
                    "You have already applied to this program (application "
                    "%(application)s). This program takes one application per "
                    "person.",
                    application=applications[0].application_id,
                ),
                applications[0],
            )
        open_ones = applications.filtered(lambda a: a.state in OPEN_STATES)
        if len(open_ones) >= max(self.portal_max_open_applications, 1):
            raise ApplicationRefused(
                "application.too_many_open",
                _(
                    "You already have %(count)s open application(s) to this "
                    "program, the most it allows at once. You can apply again "
                    "when one of them is decided.",
                    count=len(open_ones),
                ),
                open_ones[0],
            )
        if self.portal_min_days_between > 0:
            last = applications[0].portal_submitted_at or applications[0].create_date
            next_date = (last + timedelta(days=self.portal_min_days_between)).date()
            if fields.Date.context_today(self) < next_date:
                raise ApplicationRefused(
                    "application.too_soon",
                    _(
                        "This program takes a new application from you from "
                        "%(date)s on.",
                        date=fields.Date.to_string(next_date),
                    ),
                    applications[0],
                )

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

    def _portal_save_draft(self, partner, data):
        """Keep ``partner``'s unfinished answers to this program's form.

        Only for someone who can apply now (ApplicationRefused otherwise);
        answers too large or too deep raise SubmissionInvalid.
        """
        self.ensure_one()
        self._portal_check_can_apply(partner)
        self.env["g2p.portal.application.draft"]._g2p_save(partner, self, data)

    # -- turning a submission into an application ------------------------------

    def _portal_submit(self, partner, data, documents, token, digest, own_draft=True):
        """Validate a submission and create the application, or raise.

        ``documents`` maps a requirement to an uploaded file
        (``(filename, first_bytes, size, read)``, ``read()`` giving at most
        the requirement's size). Runs as superuser on the current user's own
        partner; retried on conflicts with a concurrent submission, whose
        application the retry then sees. The caller commits. With
        ``own_draft`` (the person applies for themselves) their draft is
        removed; an officer's application leaves it to its owner.
        """
        self.ensure_one()
        if not isinstance(token, str) or not 16 <= len(token) <= 64:
            raise ApplicationRefused(
                "form.expired",
                _("This form has expired. Please reload the page and submit again."),
            )
        contents = self._portal_read_documents(documents)
        cr = self.env.cr
        for attempt in range(1, MAX_SUBMIT_ATTEMPTS + 1):
            try:
                application = self._portal_submit_once(
                    partner, data, contents, token, digest, own_draft
                )
                self.env.flush_all()
                return application
            except CONFLICTS as error:
                cr.rollback()
                if attempt == MAX_SUBMIT_ATTEMPTS:
                    # A double click whose twin won every round: answer with
                    # the twin's application rather than an error.
                    done = self._portal_application_from_token(partner, self, token)
                    if done:
                        return done
                    raise
                _logger.info(
                    "Application conflicted with a concurrent one (%s), attempt %s",
                    type(error).__name__,
                    attempt,
                )
                time.sleep(random.uniform(0.01, 0.05 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    def _portal_read_documents(self, documents):
        """Check each uploaded document by its content; returns the bytes.

        Raises SubmissionInvalid with one message per refused document.
        """
        errors, contents = {}, {}
        for requirement in self.portal_document_requirement_ids:
            upload = documents.get(requirement.id)
            key = requirement.input_name()
            if not upload:
                if requirement.mandatory:
                    errors[key] = [_("Please attach this document.")]
                continue
            filename, head, size, read = upload
            try:
                mime = check_document(
                    head,
                    size,
                    allowed_mimes=requirement.allowed_mimes(),
                    max_bytes=requirement.max_bytes(),
                )
                body = read()
                # The size seen while reading is the one that counts.
                check_document(
                    body[:16],
                    len(body),
                    allowed_mimes=requirement.allowed_mimes(),
                    max_bytes=requirement.max_bytes(),
                )
            except DocumentError as error:
                errors[key] = [self._portal_document_message(error, requirement)]
                continue
            contents[requirement.id] = (sanitize_filename(filename, mime), mime, body)
        if errors:
            raise SubmissionInvalid(
                _("Some documents could not be accepted."), field_errors=errors
            )
        return contents

    def _portal_document_message(self, error, requirement):
        if error.code == "document.size":
            return _(
                "This file is larger than %(size)s MB.", size=requirement.max_size_mb
            )
        if error.code == "document.empty":
            return _("This file is empty.")
        return _(
            "This file is not one of the accepted types (%(types)s).",
            types=", ".join(t.upper() for t in requirement.allowed_type_list()),
        )

    def _portal_submit_once(self, partner, data, contents, token, digest, own_draft):
        Application = (
            self.env["g2p.program.registrant_info"].sudo().with_context(**QUIET_CREATE)
        )
        # A second click, a replay or a retry finds its own application; the
        # others decide whether this one may be made (one query for both).
        applications = self._portal_applications_of(partner, token).with_env(
            Application.env
        )
        done = applications.filtered(lambda a: a.portal_submission_token == token)
        if done:
            return done[:1]
        membership = self._portal_lock_membership(partner)
        self._portal_check_can_apply(partner, applications=applications)
        schema = self._portal_schema()
        if digest != schema_digest(schema):
            raise ApplicationRefused(
                "form.changed",
                _(
                    "The form was changed while you were filling it. Your answers "
                    "are kept: please check them and submit again."
                ),
            )
        form = self._portal_compiled_form(schema)
        _prefill, locked = self._portal_registrant_mapping(partner)
        result = validate_submission(form, data, locked=locked)
        if result.errors:
            raise SubmissionInvalid(
                _("Some answers need your attention."),
                field_errors=_field_messages(result.errors),
            )
        application = Application.create(
            {
                "registrant_id": partner.id,
                "program_id": self.id,
                # Known here: not computed again with queries of their own.
                "program_membership_id": membership.id,
                "application_id": Application._g2p_new_application_id(),
                "state": "active",
                "program_registrant_info": result.cleaned_data,
                "portal_submission_token": token,
                "portal_form_id": self.self_service_portal_form.id,
                "portal_form_schema": schema,
                "portal_submitted_by": self.env.uid,
                "portal_submitted_at": fields.Datetime.now(),
            }
        )
        # OpenG2P computes an application's membership by searching it again;
        # it is the one locked above, given at creation.
        self.env.remove_to_compute(
            Application._fields["program_membership_id"], application
        )
        self._portal_store_documents(application, membership, contents)
        self._portal_update_registrant(partner, result.cleaned_data, locked)
        if own_draft:
            self.env["g2p.portal.application.draft"].sudo()._g2p_discard(partner, self)
        _logger.info(
            "Application %s created for program %s (partner %s)",
            application.id,
            self.id,
            partner.id,
        )
        return application

    def _portal_lock_membership(self, partner):
        """The registrant's membership, created if new, after touching the
        registrant's row.

        The registrant's row is the meeting point of concurrent submissions
        by one person (a double click, two tabs, two servers): the second
        waits for the first, then fails with a serialization error, and is
        retried on a snapshot that sees the first one's application. The
        touch comes before anything the two would both insert (the
        membership), and fails quietly: a retried conflict is no error in
        the log.
        """
        self.env.cr.execute(
            "UPDATE res_partner SET write_date = write_date WHERE id = %s",
            (partner.id,),
            log_exceptions=False,
        )
        Membership = (
            self.env["g2p.program_membership"].sudo().with_context(**QUIET_CREATE)
        )
        membership = Membership.search(
            [("partner_id", "=", partner.id), ("program_id", "=", self.id)], limit=1
        )
        if not membership:
            self._portal_mark_has_members()
            # OpenG2P's stored ``have_members`` is recomputed on every new
            # membership: it reads every membership of the program and
            # rewrites the program row, so concurrent applications to a
            # program would all collide on that row. It is set above, once.
            with self.env.protecting([self._fields["have_members"]], self):
                membership = Membership.create(
                    {"partner_id": partner.id, "program_id": self.id, "state": "draft"}
                )
                self.env.flush_all()
        return membership

    def _portal_mark_has_members(self):
        """``have_members`` true, written once and without conflicts.

        Only the first applications to a program find it false. Among
        concurrent ones, the first writes it; the others wait for it and,
        finding the row changed, leave it as it is (true): a savepoint keeps
        their transaction, and the error stays out of the log.
        """
        self.ensure_one()
        if self.have_members:
            return
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "UPDATE g2p_program SET have_members = true "
                    "WHERE id = %s AND have_members IS NOT TRUE",
                    (self.id,),
                    log_exceptions=False,
                )
        except pg_errors.SerializationFailure:
            _logger.debug("Program %s: have_members set concurrently", self.id)
        self.invalidate_recordset(["have_members"])

    def _portal_store_documents(self, application, membership, contents):
        if not contents:
            return
        store = self.supporting_documents_store
        if not store:
            _logger.error(
                "Program %s requires documents but has no document store", self.id
            )
            raise ApplicationRefused(
                "documents.no_store",
                _(
                    "This program cannot receive documents right now. Please try "
                    "later or contact the program office."
                ),
            )
        requirements = self.portal_document_requirement_ids
        for requirement_id, (filename, _mime, body) in contents.items():
            name, _dot, extension = filename.rpartition(".")
            document = store.sudo().add_file(
                body,
                name=name or filename,
                extension=f".{extension}" if extension else None,
                program_membership=membership,
            )
            document.write(
                {
                    "program_registrant_info_id": application.id,
                    "portal_requirement_id": requirements.browse(requirement_id).id,
                }
            )

    def _portal_update_registrant(self, partner, cleaned, locked):
        """Write the mapped, unlocked answers onto the registrant, those that
        differ from what the registrant has (an unchanged value is no write,
        and none of the partner's write checks)."""
        values = {}
        names = self.portal_form_field_ids._partner_field_names()
        for line in self.portal_form_field_ids.filtered("update_registrant"):
            name = names[line]
            if line.form_key in locked or line.locked:
                continue
            if name in partner._portal_forms_locked_fields():
                continue
            if line.form_key in cleaned and not _same_value(
                partner, name, cleaned[line.form_key]
            ):
                values[name] = cleaned[line.form_key]
        if values:
            partner.sudo().write(values)

    @api.model
    def _portal_application_from_token(self, partner, program, token):
        return (
            self.env["g2p.program.registrant_info"]
            .sudo()
            .search(
                [
                    ("registrant_id", "=", partner.id),
                    ("program_id", "=", program.id),
                    ("portal_submission_token", "=", token),
                ],
                limit=1,
            )
        )


def _same_value(record, name, value):
    """Whether writing ``value`` to ``record[name]`` would change nothing."""
    field = record._fields[name]
    try:
        wanted = field.convert_to_record(field.convert_to_cache(value, record), record)
    except (ValueError, TypeError):
        return False
    return wanted == record[name]


def merge_answers(answers, values):
    """``answers`` with ``values`` written over them, nested objects merged."""
    merged = dict(answers)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_answers(merged[key], value)
        else:
            merged[key] = value
    return merged


def _field_messages(errors):
    """The validator's errors as {path: [message, …]}, in the person's language."""
    return {
        path: [translated(item.code, item.params) for item in items]
        for path, items in errors.items()
    }
