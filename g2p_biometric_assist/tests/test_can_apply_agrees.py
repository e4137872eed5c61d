"""One rule for "can this person apply": the apply page, the program list,
the dashboard's closing-soon list and the officer's page all give the same
answer, for programs that try each part of the rule."""

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.exceptions import ApplicationRefused

from .common import AssistCase

APPLY_LINK = re.compile(r'href="/my/programs/(\d+)/apply"')


@tagged("post_install", "-at_install")
class TestCanApplyAgrees(AssistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.today()
        soon = today + timedelta(days=3)
        several = {"is_multiple_form_submission": True}
        cls.cases = {}
        for name, values in (
            ("fresh", {}),
            ("one per person", {}),
            ("one per person, rejected", {}),
            ("open limit reached", dict(several, portal_max_open_applications=1)),
            ("room for another", dict(several, portal_max_open_applications=2)),
            (
                "too soon",
                dict(
                    several, portal_max_open_applications=3, portal_min_days_between=30
                ),
            ),
            (
                "gap passed",
                dict(
                    several, portal_max_open_applications=3, portal_min_days_between=30
                ),
            ),
            ("not open yet", {"portal_open_from": today + timedelta(days=1)}),
            ("closed", {"portal_open_until": today - timedelta(days=1)}),
        ):
            cls.cases[name] = cls.env["g2p.program"].create(
                dict(
                    {
                        "name": f"Rule {name}",
                        "portal_published": True,
                        "self_service_portal_form": cls.builder.id,
                        "portal_open_until": soon,
                    },
                    **values,
                )
            )
        long_ago = fields.Datetime.now() - timedelta(days=40)
        for name, state, submitted in (
            ("one per person", "active", None),
            ("one per person, rejected", "rejected", None),
            ("open limit reached", "inprogress", None),
            ("room for another", "active", None),
            ("too soon", "completed", fields.Datetime.now()),
            ("gap passed", "active", long_ago),
            ("closed", "active", None),
        ):
            cls.env["g2p.program.registrant_info"].create(
                {
                    "registrant_id": cls.ana.id,
                    "program_id": cls.cases[name].id,
                    "state": state,
                    "portal_submitted_at": submitted,
                }
            )

    def _ids(self, names):
        return {self.cases[name].id for name in names}

    def _apply_page(self, partner):
        self._sign_in(partner)
        answers = {}
        for program in self.cases.values():
            status = self.url_open(f"/my/programs/{program.id}/apply").status_code
            self.assertIn(status, (200, 409), program.name)
            answers[program.id] = status == 200
        return {program_id for program_id, can in answers.items() if can}

    def _linked(self, partner, url):
        self._sign_in(partner)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, url)
        linked = {int(found) for found in APPLY_LINK.findall(page.text)}
        return linked & self._ids(self.cases)

    def _officer_page(self, partner):
        self.sign_in_officer()
        self.assertEqual(self.record_consent(partner).status_code, 200)
        page = self.url_open(f"/assist/registrant/{partner.id}").text
        link = re.compile(rf'/assist/registrant/{partner.id}/program/(\d+)/apply"')
        return {int(found) for found in link.findall(page)} & self._ids(self.cases)

    def test_the_four_pages_agree(self):
        expected = {
            self.ana: self._ids(
                ["fresh", "one per person, rejected", "room for another", "gap passed"]
            ),
            self.ben: self._ids(
                [
                    "fresh",
                    "one per person",
                    "one per person, rejected",
                    "open limit reached",
                    "room for another",
                    "too soon",
                    "gap passed",
                ]
            ),
        }
        for partner, can_apply in expected.items():
            with self.subTest(partner=partner.name):
                self.assertEqual(self._apply_page(partner), can_apply)
                self.assertEqual(self._linked(partner, "/my/programs"), can_apply)
                self.assertEqual(self._officer_page(partner), can_apply)
                # The dashboard names at most five programs closing soon.
                closing = self._linked(partner, "/my")
                self.assertLessEqual(closing, can_apply)
                self.assertEqual(len(closing), min(len(can_apply), 5))

    def test_the_refusals_say_why(self):
        self._sign_in(self.ana)
        for name, words in (
            ("one per person", "takes one application per person"),
            ("open limit reached", "1 open application(s)"),
            ("too soon", "takes a new application from you from"),
            ("not open yet", "not open for applications"),
            ("closed", "not open for applications"),
        ):
            with self.subTest(program=name):
                page = self.url_open(f"/my/programs/{self.cases[name].id}/apply")
                self.assertEqual(page.status_code, 409)
                self.assertIn(words, page.text)
        messages = (
            self.env["g2p.program"]
            .browse(self._ids(self.cases))
            ._portal_refusal_messages(self.ana)
        )
        for name, program in self.cases.items():
            with self.subTest(officer=name):
                try:
                    program._portal_check_can_apply(self.ana)
                    expected = None
                except ApplicationRefused as refusal:
                    expected = str(refusal.args[0])
                self.assertEqual(messages[program.id], expected)

    def test_the_open_domain_is_the_open_rule(self):
        """The pages that search open programs (the list's "open" filter, the
        dashboard) find those the decision calls open, on any day."""
        Program = self.env["g2p.program"]
        programs = Program.browse(self._ids(self.cases))
        today = fields.Date.today()
        for day in (today - timedelta(days=2), today, today + timedelta(days=1)):
            with self.subTest(day=day):
                found = Program.search(
                    [("id", "in", programs.ids), *Program._portal_open_domain(day)]
                )
                self.assertEqual(
                    set(found.ids),
                    {p.id for p in programs if p._portal_is_open(day)},
                )
