import logging
import random
import time

from psycopg2 import errors as pg_errors

from odoo import _, api, fields, models

from ..exceptions import ApplicationRefused, SubmissionInvalid
from ..field_messages import translated
from ..formio_core import (
    DocumentError,
    check_document,
    sanitize_filename,
    validate_submission,
)
from .g2p_program_portal_apply import schema_digest

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


class G2PProgram(models.Model):
    """Turning a submission into an application (the apply page's POST)."""

    # One concern of g2p.program per file (g2p_program.py has its fields):
    # each file stays readable, under 500 lines.
    _inherit = "g2p.program"  # pylint: disable=consider-merging-classes-inherited

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


def _field_messages(errors):
    """The validator's errors as {path: [message, …]}, in the person's language."""
    return {
        path: [translated(item.code, item.params) for item in items]
        for path, items in errors.items()
    }
