"""Two registrants: Ben never reaches Ana's records, by page or by JSON-RPC.

Ana applies (with a document), is a program member, has a registrant ID and a
saved draft. Ben, signed in, tries every route that takes a record id with
Ana's ids, and the generic ORM endpoint ``/web/dataset/call_kw`` on every
model holding personal data that a portal user can read in these addons and
their OpenG2P dependencies.
"""

import json

from odoo.tests import JsonRpcException, tagged

from .test_portal_programs import PortalPagesCase

# Every read method of the ORM a web client may call, as
# (method, how to call it on some ids, the ids it answered).
READ_METHODS = {
    "search_read": (
        lambda ids: ([[("id", "in", ids)]], {"fields": ["id", "display_name"]}),
        lambda result: [row["id"] for row in result],
    ),
    "read": (
        lambda ids: ([ids, ["id", "display_name"]], {}),
        lambda result: [row["id"] for row in result],
    ),
    "read_group": (
        lambda ids: (
            [],
            {
                "domain": [("id", "in", ids)],
                "fields": ["id:count"],
                "groupby": ["create_uid"],
                "lazy": False,
            },
        ),
        # A group counting any record is already a leak (that it exists).
        lambda result: [group["__count"] for group in result if group["__count"]],
    ),
    "name_search": (
        lambda ids: ([], {"name": "", "args": [("id", "in", ids)], "limit": 100}),
        lambda result: [row[0] for row in result],
    ),
    "web_read": (
        lambda ids: ([ids], {"specification": {"display_name": {}}}),
        lambda result: [row["id"] for row in result],
    ),
    "web_search_read": (
        lambda ids: (
            [],
            {"domain": [("id", "in", ids)], "specification": {"display_name": {}}},
        ),
        lambda result: (
            [row["id"] for row in result["records"]]
            + ([result["length"]] if result["length"] else [])
        ),
    ),
}


@tagged("post_install", "-at_install")
class TestPortalAccess(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.hidden = env["g2p.program"].create(
            {
                "name": "Hidden Help",
                "portal_published": False,
                "self_service_portal_form": cls.builder.id,
                "supporting_documents_store": cls.store.id,
            }
        )
        cls.hidden_requirement = env["g2p.program.document.requirement"].create(
            {
                "program_id": cls.hidden.id,
                "name": "Secret requirement",
                "allowed_types": "pdf",
                "max_size_mb": 1,
            }
        )
        # A second published program, where Ana keeps a draft (applying to
        # the first one deletes its draft).
        cls.second = env["g2p.program"].create(
            {
                "name": "Food Support",
                "portal_published": True,
                "self_service_portal_form": cls.builder.id,
            }
        )
        id_type = env["g2p.id.type"].create({"name": "Access test national ID"})
        cls.ana_reg_id = env["g2p.reg.id"].create(
            {"partner_id": cls.ana.id, "id_type": id_type.id, "value": "ANA-778899"}
        )

    def setUp(self):
        super().setUp()
        # Ana's records, made the way she makes them: through the portal.
        self._sign_in(self.ana)
        self.assertEqual(
            self.make_jsonrpc_request(
                f"/my/programs/{self.second.id}/draft",
                {"data": {"full_name": "Ana draft answer"}},
            ),
            {"saved": True},
        )
        self.assertEqual(self._submit().status_code, 303)
        self.application = self._applications(self.ana)
        self.document = self.application.portal_document_ids
        self.membership = self.application.program_membership_id
        self.draft = self.env["g2p.portal.application.draft"].search(
            [("partner_id", "=", self.ana.id)]
        )
        self.assertEqual(len(self.application), 1)
        self.assertEqual(len(self.document), 1)
        self.assertEqual(len(self.membership), 1)
        self.assertEqual(len(self.draft), 1)
        self.number = self.application.application_id
        self._sign_in(self.ben)

    # -- pages -------------------------------------------------------------------

    def test_routes_with_the_other_registrants_ids(self):
        app, doc = self.application, self.document
        urls = [
            f"/my/applications/{app.id}",
            f"/my/applications/{app.id}/receipt",
            f"/my/applications/{app.id}/documents/{doc.id}",
            f"/my/programs/{self.program.id}/applied/{app.id}",
            f"/my/programs/{self.hidden.id}",
            f"/my/programs/{self.hidden.id}/apply",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (403, 404), response.text[:300])
                self.assertNotIn(self.number, response.text)
                self.assertNotIn("Hidden Help", response.text)
        # The draft route (JSON) takes a program id: refused for a hidden one.
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                f"/my/programs/{self.hidden.id}/draft", {"data": {"x": 1}}
            )
        self.assertFalse(
            self.env["g2p.portal.application.draft"].search(
                [("program_id", "=", self.hidden.id)]
            )
        )

    def test_own_pages_filtered_by_the_other_registrants_program(self):
        # Pages that list the person's own records, asked for Ana's program
        # and application: Ben's pages show nothing of hers.
        app = self.application
        urls = [
            "/my",
            "/selfservice/home",
            f"/my/applications?program={self.program.id}",
            f"/my/submissions?program={self.program.id}",
            "/my/submissions",
            f"/my/account?id={self.ana.id}&partner_id={self.ana.id}",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertNotIn(self.number, response.text)
                self.assertNotIn(f"/my/applications/{app.id}", response.text)
                self.assertNotIn("Ana draft answer", response.text)
                self.assertNotIn("ANA-778899", response.text)

    # -- JSON-RPC reads ------------------------------------------------------------

    def _targets(self):
        """(model, Ana's records or hidden ones, a text that must not appear)."""
        return [
            ("g2p.program.registrant_info", self.application, self.number),
            ("storage.file", self.document, self.document.name),
            ("g2p.program_membership", self.membership, "Ana Lima"),
            ("g2p.reg.id", self.ana_reg_id, "ANA-778899"),
            ("g2p.portal.application.draft", self.draft, "Ana draft answer"),
            ("res.partner", self.ana, "Ana Lima"),
            (
                "g2p.program.document.requirement",
                self.hidden_requirement,
                "Secret requirement",
            ),
            ("g2p.program", self.hidden, "Hidden Help"),
        ]

    def _call_kw(self, model, method, args, kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def test_jsonrpc_reads_show_none_of_the_other_registrants_records(self):
        cases = [
            (model, records, secret, method)
            for model, records, secret in self._targets()
            for method in READ_METHODS
        ]
        self.assertEqual(len(cases), 48)
        for model, records, secret, method in cases:
            with self.subTest(model=model, method=method):
                call, answered = READ_METHODS[method]
                args, kwargs = call(records.ids)
                try:
                    result = self._call_kw(model, method, args, kwargs)
                except JsonRpcException:
                    continue  # refused (AccessError, MissingError ...)
                self.assertFalse(answered(result), f"{model}.{method}: {result}")
                self.assertNotIn(secret, json.dumps(result))
                self.assertNotIn(self.number, json.dumps(result))

    def test_jsonrpc_probes_answer_for_readable_records(self):
        # The control: the same calls answer Ben's own partner and the
        # published program, so an empty answer above is the rules' doing.
        controls = (("res.partner", self.ben), ("g2p.program", self.program))
        for model, records in controls:
            for method, (call, answered) in READ_METHODS.items():
                with self.subTest(model=model, method=method):
                    args, kwargs = call(records.ids)
                    result = self._call_kw(model, method, args, kwargs)
                    self.assertTrue(answered(result), f"{model}.{method}: {result}")

    # -- JSON-RPC writes -----------------------------------------------------------

    def test_jsonrpc_writes_are_refused(self):
        Application = self.env["g2p.program.registrant_info"]
        cases = [
            (
                "g2p.program",
                "write",
                [[self.program.id], {"name": "Taken over"}],
            ),
            (
                "g2p.program.registrant_info",
                "create",
                [
                    {
                        "registrant_id": self.ana.id,
                        "program_id": self.program.id,
                        "program_registrant_info": {"full_name": "Forged"},
                    }
                ],
            ),
            (
                "g2p.program.registrant_info",
                "write",
                [self.application.ids, {"state": "rejected"}],
            ),
            ("g2p.program.registrant_info", "unlink", [self.application.ids]),
        ]
        for model, method, args in cases:
            with (
                self.subTest(model=model, method=method),
                self.assertRaises(JsonRpcException),
            ):
                self._call_kw(model, method, args, {})
        self.env.invalidate_all()
        self.assertEqual(self.program.name, "Cash for Families")
        self.assertEqual(self.application.state, "active")
        self.assertEqual(
            len(Application.search([("registrant_id", "=", self.ana.id)])), 1
        )
