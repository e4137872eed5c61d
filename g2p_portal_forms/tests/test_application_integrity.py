"""Application IDs, concurrent submissions and the mapping wizard."""

import json
import threading
import uuid

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tests.common import get_db_name

from ..models.g2p_program_portal_apply import schema_digest
from .common import GOOD_ANSWERS, SCHEMA


@tagged("post_install", "-at_install")
class TestApplicationIds(TransactionCase):
    def test_ten_thousand_ids_in_one_day_are_unique(self):
        partner = self.env["res.partner"].create(
            {"name": "Many", "is_registrant": True, "is_group": False}
        )
        program = self.env["g2p.program"].create({"name": "Ids"})
        applications = self.env["g2p.program.registrant_info"].create(
            [{"registrant_id": partner.id, "program_id": program.id}] * 10000
        )
        ids = applications.mapped("application_id")
        self.assertEqual(len(set(ids)), 10000)
        self.assertTrue(all(ids))
        # The database refuses a duplicate, whatever the code does.
        with self.assertRaises(psycopg2.IntegrityError), self.cr.savepoint():
            applications[1].write({"application_id": ids[0]})
            self.env.flush_all()


@tagged("post_install", "-at_install")
class TestMapFormWizard(TransactionCase):
    def _builder(self, schema, state="CURRENT"):
        name = f"4.0.{uuid.uuid4().hex[:6]}"
        version = self.env["formio.version"].create({"name": name})
        builder = self.env["formio.builder"].create(
            {
                "name": f"form_{uuid.uuid4().hex[:6]}",
                "title": "Form",
                "formio_version_id": version.id,
                "schema": json.dumps(schema),
            }
        )
        builder.state = state
        return builder

    def test_a_good_form_is_mapped(self):
        program = self.env["g2p.program"].create({"name": "Mapped"})
        wizard = self.env["g2p.program.map.form.wizard"].create(
            {"program_id": program.id, "builder_id": self._builder(SCHEMA).id}
        )
        self.assertFalse(wizard.problems)
        wizard.action_map()
        self.assertEqual(program.self_service_portal_form, wizard.builder_id)

    def test_problems_are_shown_and_mapping_refused(self):
        program = self.env["g2p.program"].create({"name": "Refused"})
        schema = {
            "components": [
                {"type": "textfield", "key": "name", "label": "A", "input": True},
                {"type": "textfield", "key": "name", "label": "B", "input": True},
                {"type": "mystery", "key": "odd", "label": "C", "input": True},
            ]
        }
        for builder in (self._builder(schema), self._builder(SCHEMA, "DRAFT")):
            wizard = self.env["g2p.program.map.form.wizard"].create(
                {"program_id": program.id, "builder_id": builder.id}
            )
            self.assertTrue(wizard.problems)
            with self.assertRaises(UserError):
                wizard.action_map()
        self.assertFalse(program.self_service_portal_form)


@tagged("post_install", "-at_install")
class TestConcurrentSubmissions(BaseCase):
    """Two tabs (or a double click) submitting at the same moment.

    Each submission runs in its own committed transaction, as on a server
    with workers; what the test creates is removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        tag = uuid.uuid4().hex[:8]
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            version = env["formio.version"].create({"name": f"4.98.{tag}"})
            builder = env["formio.builder"].create(
                {
                    "name": f"concurrent_{tag}",
                    "title": "Concurrent",
                    "formio_version_id": version.id,
                    "schema": json.dumps(SCHEMA),
                }
            )
            builder.state = "CURRENT"
            program = env["g2p.program"].create(
                {
                    "name": f"Concurrent {tag}",
                    "portal_published": True,
                    "self_service_portal_form": builder.id,
                }
            )
            partner, other = env["res.partner"].create(
                [
                    {"name": "Ana Lima", "is_registrant": True, "is_group": False},
                    {"name": "Kwame Asante", "is_registrant": True, "is_group": False},
                ]
            )
            cls.ids = {
                "version": version.id,
                "builder": builder.id,
                "program": program.id,
                "partner": partner.id,
                "other": other.id,
            }
        cls.addClassCleanup(cls._remove_what_was_created)

    def setUp(self):
        super().setUp()
        self._remove_applications()

    @classmethod
    def _remove_applications(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["g2p.program.registrant_info"].search(
                [("program_id", "=", cls.ids["program"])]
            ).unlink()
            env["g2p.program_membership"].search(
                [("program_id", "=", cls.ids["program"])]
            ).unlink()
            # A program without members, as before its first applications.
            env["g2p.program"].browse(cls.ids["program"]).write({"have_members": False})

    @classmethod
    def _remove_what_was_created(cls):
        cls._remove_applications()
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ids = cls.ids
            # OpenG2P keeps managers pointing at a program: retire it instead.
            env["g2p.program"].browse(ids["program"]).write(
                {"portal_published": False, "active": False}
            )
            env["res.partner"].browse([ids["partner"], ids["other"]]).unlink()

    def _race(self, tokens, partners=None):
        """Submit at once, one thread and transaction per token; a conflict
        between them is retried, never an error in the log."""
        partners = partners or [self.ids["partner"]] * len(tokens)
        barrier = threading.Barrier(len(tokens))
        outcomes, errors = [], []

        def submit(token, partner_id):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    program = env["g2p.program"].browse(self.ids["program"])
                    partner = env["res.partner"].browse(partner_id)
                    barrier.wait(timeout=10)
                    application = program._portal_submit(
                        partner, dict(GOOD_ANSWERS), {}, token, schema_digest(SCHEMA)
                    )
                    outcomes.append(application.id)
            except UserError as refusal:
                outcomes.append(getattr(refusal, "code", "refused"))
            except Exception as error:  # reported by the assertion below
                errors.append(repr(error))

        threads = [
            threading.Thread(target=submit, args=pair)
            for pair in zip(tokens, partners, strict=True)
        ]
        with self.assertNoLogs("odoo.sql_db", level="ERROR"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertEqual(errors, [])
        return outcomes

    def _count(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["g2p.program.registrant_info"].search_count(
                [("program_id", "=", self.ids["program"])]
            )

    def test_two_tabs_at_once_give_one_application(self):
        tokens = [uuid.uuid4().hex for _ in range(2)]
        outcomes = self._race(tokens)
        self.assertEqual(self._count(), 1)
        self.assertEqual(
            sorted(o for o in outcomes if isinstance(o, str)), ["application.exists"]
        )

    def test_a_double_click_gives_one_application(self):
        token = uuid.uuid4().hex
        outcomes = self._race([token, token])
        self.assertEqual(self._count(), 1)
        self.assertEqual(len(set(outcomes)), 1, outcomes)

    def test_first_applicants_of_a_program_at_once(self):
        """Two people at once are a program's first applicants: OpenG2P's
        ``have_members`` on the program row is written once, no conflict."""
        tokens = [uuid.uuid4().hex for _ in range(2)]
        outcomes = self._race(tokens, [self.ids["partner"], self.ids["other"]])
        self.assertEqual(self._count(), 2)
        self.assertTrue(all(isinstance(o, int) for o in outcomes), outcomes)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertTrue(env["g2p.program"].browse(self.ids["program"]).have_members)
