"""Applying over HTTP: documents, bad input, replays, re-apply rules, access."""

import json
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import GOOD_ANSWERS, PDF, PNG, PortalFormsCase
from .test_formiojs_install import npm_tarball


@tagged("post_install", "-at_install")
class TestApply(PortalFormsCase):
    def test_the_page_loads_formiojs_renderer_and_its_own_css_only(self):
        version = self.env["formio.version"]._g2p_install_from_npm_tarball(
            npm_tarball(version="4.0.0-g2ptest.2", renderer=True), make_default=False
        )
        self.builder.formio_version_id = version
        self._sign_in(self.ana)
        page = self.url_open(self._apply_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("/formio.form.min.js", page.text)
        self.assertIn("/formio.form.min.css", page.text)
        # Not the full build (with the builder), not a second Bootstrap.
        self.assertNotIn("formio.full.min", page.text)
        self.assertNotIn("/formio/static/lib/bootstrap/", page.text)

    def test_apply_with_a_document(self):
        self._sign_in(self.ana)
        inputs, page = self._form_inputs()
        self.assertIn("Proof of income", page.text)
        self.assertIn("o_g2p_apply_config", page.text)
        self.assertIn('"locked": ["full_name"]', page.text, "raw JSON in the page")
        response = self._submit(
            inputs=inputs,
            files={
                self.requirement.input_name(): (
                    "../../etc/passwd.pdf",
                    PDF,
                    "application/pdf",
                )
            },
        )
        self.assertEqual(response.status_code, 303, response.text[:800])
        application = self._applications(self.ana)
        self.assertEqual(len(application), 1)
        self.assertTrue(application.application_id.startswith("APP-"))
        self.assertEqual(application.program_registrant_info["household_size"], 4)
        self.assertEqual(application.state, "active")
        self.assertTrue(application.program_membership_id)
        document = application.portal_document_ids
        self.assertEqual(len(document), 1)
        self.assertNotIn("/", document.name)
        self.assertTrue(document.name.endswith(".pdf"))
        self.assertEqual(document.portal_requirement_id, self.requirement)
        # Officers find it on the program and on the registrant.
        self.assertEqual(self.program.portal_application_count, 1)
        self.assertEqual(self.ana.portal_application_count, 1)
        action = self.program.action_portal_applications()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]), application
        )
        self.assertIn("Household size", application.portal_answers_html)
        done = self.url_open(response.headers["Location"])
        self.assertIn(application.application_id, done.text)
        receipt = self.url_open(f"/my/applications/{application.id}/receipt")
        self.assertEqual(receipt.status_code, 200)
        self.assertEqual(receipt.headers["Content-Type"], "application/pdf")
        # Odoo renders reports as HTML under tests unless forced: the receipt
        # itself, through wkhtmltopdf.
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(
                "g2p_portal_forms.action_report_application_receipt", application.ids
            )
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "g2p_portal_forms.action_report_application_receipt", application.ids
            )[0]
            .decode()
        )
        for text in (application.application_id, "Household size", "First Bank"):
            self.assertIn(text, html)
        self.assertIn("Proof of income", html)

    # -- bad input: the form again, answers kept, nothing saved -------------

    def _assert_refused(self, response, text):
        self.assertEqual(response.status_code, 422, response.text[:800])
        self.assertIn(text, response.text)
        self.assertFalse(self._applications(self.ana))
        # The person's answers come back in the form.
        self.assertIn("ana@example.org", response.text)

    def test_missing_document(self):
        self._sign_in(self.ana)
        self._assert_refused(self._submit(files={}), "Please attach this document")

    def test_wrong_file_type_by_content(self):
        self._sign_in(self.ana)
        files = {self.requirement.input_name(): ("income.pdf", PNG, "application/pdf")}
        self._assert_refused(self._submit(files=files), "not one of the accepted types")

    def test_oversized_document(self):
        self._sign_in(self.ana)
        big = PDF + b"0" * (1024 * 1024)
        files = {self.requirement.input_name(): ("income.pdf", big, "application/pdf")}
        self._assert_refused(self._submit(files=files), "larger than")

    def test_invalid_value(self):
        self._sign_in(self.ana)
        answers = dict(GOOD_ANSWERS, household_size=99)
        response = self._submit(answers=answers)
        self._assert_refused(response, "need your attention")
        # Next to the field, the core's problem in words (field_messages).
        self.assertIn("Enter a value less than or equal to 30.", response.text)

    def test_unknown_key(self):
        self._sign_in(self.ana)
        answers = dict(GOOD_ANSWERS, bank_account_number="123")
        response = self._submit(answers=answers)
        self._assert_refused(response, "need your attention")
        self.assertIn("This field is not part of the form.", response.text)

    def test_locked_field_cannot_be_changed(self):
        self._sign_in(self.ana)
        answers = dict(GOOD_ANSWERS, full_name="Someone Else")
        self._assert_refused(self._submit(answers=answers), "need your attention")
        self.assertEqual(self.ana.name, "Ana Lima")

    def test_form_changed_since_the_page_was_loaded(self):
        self._sign_in(self.ana)
        inputs, _page = self._form_inputs()
        inputs["digest"] = "0" * 16
        self._assert_refused(self._submit(inputs=inputs), "form was changed")

    def test_expired_form_token(self):
        self._sign_in(self.ana)
        inputs, _page = self._form_inputs()
        inputs["token"] = ""
        self._assert_refused(self._submit(inputs=inputs), "expired")

    def test_submission_without_csrf_token_is_refused(self):
        self._sign_in(self.ana)
        inputs, _page = self._form_inputs()
        inputs.pop("csrf_token")
        response = self._submit(inputs=inputs)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._applications(self.ana))

    def test_a_key_named_like_a_partner_field_changes_nothing(self):
        # OpenG2P's portal wrote any key naming a partner field onto it.
        self._sign_in(self.ana)
        answers = dict(GOOD_ANSWERS, email="attacker@example.org")
        response = self._submit(answers=answers)
        self.assertEqual(response.status_code, 303, response.text[:800])
        self.assertFalse(self.ana.email)

    # -- one application per submission -----------------------------------------

    def test_replayed_submission_gives_one_application(self):
        self._sign_in(self.ana)
        inputs, _page = self._form_inputs()
        first = self._submit(inputs=inputs)
        second = self._submit(inputs=inputs)
        self.assertEqual(first.status_code, 303)
        self.assertEqual(second.status_code, 303)
        self.assertEqual(first.headers["Location"], second.headers["Location"])
        self.assertEqual(len(self._applications(self.ana)), 1)

    def test_reapplying_to_a_single_application_program_is_refused(self):
        self._sign_in(self.ana)
        self.assertEqual(self._submit().status_code, 303)
        page = self.url_open(self._apply_url())
        self.assertEqual(page.status_code, 409)
        application = self._applications(self.ana)
        self.assertIn(application.application_id, page.text)
        self.assertIn(f"/my/applications/{application.id}/receipt", page.text)

    def test_multiple_applications_within_the_program_limits(self):
        self.program.write(
            {"is_multiple_form_submission": True, "portal_max_open_applications": 2}
        )
        self._sign_in(self.ana)
        self.assertEqual(self._submit().status_code, 303)
        self.assertEqual(self._submit().status_code, 303)
        self.assertEqual(self.url_open(self._apply_url()).status_code, 409)
        self.assertEqual(len(self._applications(self.ana)), 2)
        # A decided application frees a place; the minimum gap still holds.
        self._applications(self.ana)[0].state = "rejected"
        self.program.portal_min_days_between = 30
        page = self.url_open(self._apply_url())
        self.assertEqual(page.status_code, 409)
        self.assertIn("from", page.text)
        self._applications(self.ana).write(
            {"portal_submitted_at": fields.Datetime.now() - timedelta(days=31)}
        )
        self.assertEqual(self.url_open(self._apply_url()).status_code, 200)

    def test_closed_or_unpublished_program(self):
        self._sign_in(self.ana)
        self.program.portal_open_until = fields.Date.today() - timedelta(days=1)
        self.assertEqual(self.url_open(self._apply_url()).status_code, 409)
        self.program.portal_published = False
        self.assertEqual(self.url_open(self._apply_url()).status_code, 404)

    # -- one registrant never reaches another's application ---------------------

    def test_other_registrant_cannot_reach_an_application(self):
        self._sign_in(self.ana)
        self.assertEqual(self._submit().status_code, 303)
        application = self._applications(self.ana)
        document = application.portal_document_ids
        self._sign_in(self.ben)
        for url in (
            f"/my/applications/{application.id}/receipt",
            f"/my/programs/{self.program.id}/applied/{application.id}",
        ):
            self.assertEqual(self.url_open(url).status_code, 404, url)
        for model, record in (
            ("g2p.program.registrant_info", application),
            ("storage.file", document),
        ):
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": model,
                    "method": "search_read",
                    "args": [[("id", "=", record.id)]],
                    "kwargs": {"fields": ["id"]},
                },
            )
            self.assertEqual(result, [], model)

    def test_draft_is_kept_for_the_person(self):
        self._sign_in(self.ana)
        answers = {"household_size": 3, "bank": "second"}
        saved = self.make_jsonrpc_request(
            f"/my/programs/{self.program.id}/draft", {"data": answers}
        )
        self.assertEqual(saved, {"saved": True})
        _inputs, page = self._form_inputs()
        config = page.text.split('class="o_g2p_apply_config">', 1)[1]
        config = json.loads(config.split("</script>", 1)[0])
        self.assertEqual(config["data"]["household_size"], 3)
        self.assertEqual(config["data"]["full_name"], "Ana Lima")

    def test_applications_do_not_rewrite_the_program_row(self):
        # Every first application creates a membership; OpenG2P would then
        # rewrite the program row (have_members), making all applicants to a
        # program collide on it.
        self._sign_in(self.ana)
        self.assertEqual(self._submit().status_code, 303)
        self.assertTrue(self.program.have_members)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE g2p_program SET write_date = '2000-01-01' WHERE id = %s",
            (self.program.id,),
        )
        self._sign_in(self.ben)
        self.assertEqual(
            self._submit(
                answers=dict(GOOD_ANSWERS, full_name="Ben Okafor")
            ).status_code,
            303,
        )
        self.env.cr.execute(
            "SELECT write_date::date::text FROM g2p_program WHERE id = %s",
            (self.program.id,),
        )
        self.assertEqual(self.env.cr.fetchone()[0], "2000-01-01")
        self.assertEqual(len(self._applications(self.ben)), 1)
