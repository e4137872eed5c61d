"""Hostile or unexpected input on the apply routes, through real sessions:
answers nested to exhaust the parser, a portal user who is not a registrant,
drafts beyond their size."""

import json
import logging
import re

from odoo.tests import tagged

from .common import GOOD_ANSWERS, PortalFormsCase

APPLY_LOGGER = "odoo.addons.g2p_portal_forms.controllers.apply"
# The session's CSRF token, in the script every page of the site carries.
CSRF = re.compile(r'csrf_token: "([^"]+)"')


def nested(depth):
    value = 1
    for _ in range(depth):
        value = {"a": value}
    return value


@tagged("post_install", "-at_install")
class TestApplyLimits(PortalFormsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A portal user of the same Odoo who is not in the registry (a
        # customer, say): signed in, but nobody who can apply.
        cls.customer = cls.env["res.partner"].create({"name": "Cora Customer"})
        cls.env["res.users"].with_context(no_reset_password=True).create(
            {
                "login": "cora.portal",
                "password": "cora.portal-Pass-123",
                "partner_id": cls.customer.id,
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )

    def _draft_url(self):
        return f"/my/programs/{self.program.id}/draft"

    def _draft(self, partner):
        return self.env["g2p.portal.application.draft"].search(
            [("partner_id", "=", partner.id), ("program_id", "=", self.program.id)]
        )

    # -- answers nested to exhaust the parser ----------------------------------

    def test_deeply_nested_answers_are_refused_without_a_crash(self):
        self._sign_in(self.ana)
        inputs, _page = self._form_inputs()
        bomb = "[" * 200000
        with (
            self.assertNoLogs("odoo", level="ERROR"),
            # (Odoo names its level 25 "INFO": ask for Python's.)
            self.assertLogs(APPLY_LOGGER, level=logging.INFO) as logs,
        ):
            answer = self.url_open(
                self._apply_url(),
                data=dict(inputs, submission=bomb),
                allow_redirects=False,
            )
        self.assertEqual(answer.status_code, 422, answer.text[:300])
        self.assertIn("nested too deeply", answer.text)
        self.assertNotIn("Traceback", answer.text)
        self.assertFalse(self._applications(self.ana))
        refused = [record.getMessage() for record in logs.records]
        self.assertTrue(any("too_deep" in line for line in refused), refused)
        # The log line names the reason, never the answers.
        self.assertFalse([line for line in refused if "[[[" in line])
        # The form can be submitted right after.
        self.assertEqual(self._submit().status_code, 303)

    # -- only registrants apply ------------------------------------------------

    def test_a_portal_user_who_is_not_a_registrant_cannot_apply(self):
        self._sign_in(self.customer)
        message = "Only people registered in the social registry can apply"
        page = self.url_open(self._apply_url())
        self.assertEqual(page.status_code, 409)
        self.assertIn(message, page.text)
        self.assertNotIn("o_g2p_apply_config", page.text)
        program_page = self.url_open(f"/my/programs/{self.program.id}")
        self.assertIn(message, program_page.text)
        # A post made up without the form (the session's CSRF token).
        inputs = {
            "csrf_token": CSRF.search(self.url_open("/my").text).group(1),
            "token": "t" * 32,
            "digest": "",
        }
        for submission in (json.dumps({"data": GOOD_ANSWERS}), "not json"):
            with self.subTest(submission=submission[:10]):
                answer = self.url_open(
                    self._apply_url(),
                    data=dict(inputs, submission=submission),
                    allow_redirects=False,
                )
                self.assertEqual(answer.status_code, 409, answer.text[:300])
                self.assertIn(message, answer.text)
        self.assertFalse(
            self.env["g2p.program.registrant_info"].search(
                [("registrant_id", "=", self.customer.id)]
            )
        )
        self.assertFalse(
            self.env["g2p.program_membership"].search(
                [("partner_id", "=", self.customer.id)]
            )
        )
        saved = self.make_jsonrpc_request(self._draft_url(), {"data": {"x": 1}})
        self.assertFalse(saved["saved"])
        self.assertIn(message, saved["message"])
        self.assertFalse(self._draft(self.customer))

    # -- drafts ------------------------------------------------------------------

    def test_drafts_are_bounded_by_their_own_size(self):
        self._sign_in(self.ana)
        small = {"household_size": 3, "notes": "x" * (200 * 1024)}
        self.assertEqual(
            self.make_jsonrpc_request(self._draft_url(), {"data": small}),
            {"saved": True},
        )
        # Between the draft limit (256 KB) and the submission limit (512 KB).
        for data in (
            {"household_size": 5, "notes": "x" * (300 * 1024)},
            # Multi-byte characters count as what they weigh.
            {"household_size": 5, "notes": "é" * (150 * 1024)},
            {"household_size": 5, "nested": nested(40)},
            [1, 2, 3],
        ):
            with self.subTest(data=str(data)[:40]):
                saved = self.make_jsonrpc_request(self._draft_url(), {"data": data})
                self.assertFalse(saved["saved"])
                self.assertTrue(saved["message"])
                self.assertEqual(self._draft(self.ana).data["household_size"], 3)
