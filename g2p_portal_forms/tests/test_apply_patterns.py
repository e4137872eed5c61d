"""Patterns over HTTP: hostile answers, the answer cap, the form checked again.

formio.js checks ``validate.pattern`` in the browser; the server checks it
again on RE2, in time linear in the answer (issue #16, point 4). A
backtracking engine needed 1.3 s for ``((\\w+)\\s?)+`` on 24 characters and
four times more for each two more: the 28 characters below kept a worker
busy past the test client's 12-second timeout.
"""

import json

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..formio_core.limits import MAX_PATTERN_ANSWER_LENGTH
from ..models.g2p_program_portal_apply import schema_digest
from .common import GOOD_ANSWERS, SCHEMA, PortalFormsCase

NAME_PATTERN = "((\\w+)\\s?)+"  # nested quantifiers: exponential when backtracking
LOOKAHEAD_PATTERN = "(?=.*\\d)\\w+"  # "contains a digit": RE2 cannot run it
# The apply rules log a form the server cannot validate.
LOGGER = "odoo.addons.g2p_portal_forms.models.g2p_program_portal_apply"


def _pattern_schema(reference_pattern):
    schema = json.loads(json.dumps(SCHEMA))
    components = schema["components"]
    components.insert(
        -1,
        {
            "type": "textfield",
            "key": "reference",
            "label": "Community reference",
            "input": True,
            "validate": {"pattern": reference_pattern},
        },
    )
    components.insert(
        -1,
        {
            "type": "textarea",
            "key": "story",
            "label": "Your situation",
            "input": True,
            "validate": {"pattern": "[^<>]*"},
        },
    )
    return schema


@tagged("post_install", "-at_install")
class TestApplyPatterns(PortalFormsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.pattern_builder = env["formio.builder"].create(
            {
                "name": "pattern_application",
                "title": "Application with formats",
                "formio_version_id": cls.builder.formio_version_id.id,
                "schema": json.dumps(_pattern_schema(NAME_PATTERN)),
            }
        )
        cls.pattern_builder.state = "CURRENT"
        cls.pattern_program = env["g2p.program"].create(
            {
                "name": "Formats",
                "portal_published": True,
                "self_service_portal_form": cls.pattern_builder.id,
            }
        )

    def _answers(self, **values):
        answers = dict(GOOD_ANSWERS, reference="Ama Serwaa", story="Two children")
        answers.update(values)
        return answers

    def _post(self, answers, inputs=None):
        return self._submit(
            answers=answers, files={}, inputs=inputs, program=self.pattern_program
        )

    def _assert_nothing_created(self):
        self.assertFalse(self._applications(self.ana, self.pattern_program))

    def test_good_answers_pass_the_patterns(self):
        self._sign_in(self.ana)
        response = self._post(self._answers())
        self.assertEqual(response.status_code, 303, response.text[:800])
        application = self._applications(self.ana, self.pattern_program)
        self.assertEqual(application.program_registrant_info["reference"], "Ama Serwaa")

    def test_hostile_answer_is_refused_at_once(self):
        self._sign_in(self.ana)
        response = self._post(self._answers(reference="a" * 28 + "!"))
        self.assertEqual(response.status_code, 422, response.text[:800])
        self.assertIn("does not match the required format", response.text)
        self._assert_nothing_created()

    def test_pattern_checked_answer_is_capped(self):
        self._sign_in(self.ana)
        story = "a" * (MAX_PATTERN_ANSWER_LENGTH + 1)
        response = self._post(self._answers(story=story))
        self.assertEqual(response.status_code, 422, response.text[:800])
        self.assertIn(
            f"too long to check its format: enter at most "
            f"{MAX_PATTERN_ANSWER_LENGTH} characters",
            response.text,
        )
        self._assert_nothing_created()

    def test_form_changed_after_mapping_is_checked_again(self):
        """The builder now has a pattern the server cannot run: the page and
        the submission are refused, the log names the form and the field."""
        self._sign_in(self.ana)
        inputs, _page = self._form_inputs(self.pattern_program)
        changed = _pattern_schema(LOOKAHEAD_PATTERN)
        # Edited in the form builder, the change itself is refused...
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.pattern_builder.schema = json.dumps(changed)
        # ...but a form changed behind the ORM (a restored backup, SQL) is
        # still caught on the page and at submission.
        self.env.cr.execute(
            "UPDATE formio_builder SET schema = %s WHERE id = %s",
            (json.dumps(changed), self.pattern_builder.id),
        )
        self.pattern_builder.invalidate_recordset(["schema"])

        page = self.url_open(self._apply_url(self.pattern_program))
        self.assertEqual(page.status_code, 409, page.text[:800])
        self.assertIn("cannot be used right now", page.text)

        # A page loaded before the change, sent with the new form's digest.
        inputs["digest"] = schema_digest(changed)
        with self.assertLogs(LOGGER, "WARNING") as logs:
            response = self._post(self._answers(reference="abc1"), inputs=inputs)
        self.assertEqual(response.status_code, 409, response.text[:800])
        self.assertIn("cannot be used right now", response.text)
        self._assert_nothing_created()
        self.assertIn("pattern_application", logs.output[0])
        self.assertIn("reference: pattern.lookaround", logs.output[0])


@tagged("post_install", "-at_install")
class TestMapPatternForms(PortalFormsCase):
    """The mapping wizard, as an administrator's session calls it."""

    def _call(self, model, method, *args):
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "id": 1,
                    "params": {
                        "model": model,
                        "method": method,
                        "args": list(args),
                        "kwargs": {},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def _map(self, pattern):
        builder = self.env["formio.builder"].create(
            {
                "name": "map_pattern",
                "title": "Map",
                "formio_version_id": self.builder.formio_version_id.id,
                "schema": json.dumps(_pattern_schema(pattern)),
            }
        )
        builder.state = "CURRENT"
        program = self.env["g2p.program"].create({"name": "Map patterns"})
        self.authenticate("admin", "admin")
        created = self._call(
            "g2p.program.map.form.wizard",
            "create",
            {"program_id": program.id, "builder_id": builder.id},
        )
        self.assertIn("result", created, created)
        done = self._call(
            "g2p.program.map.form.wizard", "action_map", created["result"]
        )
        return program, builder, done

    def test_pattern_the_server_cannot_run_is_refused_with_its_reason(self):
        program, _builder, done = self._map(LOOKAHEAD_PATTERN)
        message = done["error"]["data"]["message"]
        self.assertIn("reference: Lookahead and lookbehind", message)
        self.assertFalse(program.self_service_portal_form)

    def test_nested_quantifiers_are_mapped(self):
        """Once refused as slow, they run in linear time now."""
        program, builder, done = self._map("(a+)+b")
        self.assertNotIn("error", done, done)
        self.assertEqual(program.self_service_portal_form, builder)
