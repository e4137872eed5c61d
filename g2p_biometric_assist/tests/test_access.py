"""Only registration officers reach captures, consents and the audit log:
not a registrant, not another portal user, not an internal user without
the group — by route or by JSON-RPC."""

from odoo.tests import JsonRpcException, tagged

from odoo.addons.g2p_self_service_portal.tests.test_portal_access import READ_METHODS

from .common import AssistCase

MODELS = (
    "g2p.biometric.capture",
    "g2p.biometric.consent",
    "g2p.biometric.audit",
    "g2p.biometric.capture.read",
)


@tagged("post_install", "-at_install")
class TestAssistAccess(AssistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A capture, consent and audit row of Ana's, made as the officer.
        env = cls.env
        cls.consent = (
            env["g2p.biometric.consent"]
            .with_user(cls.officer)
            .create({"partner_id": cls.ana.id, "statement": "I agree."})
        )
        cls.capture_record = (
            env["g2p.biometric.capture"]
            .sudo()
            .create(
                {
                    "partner_id": cls.ana.id,
                    "officer_id": cls.officer.id,
                    "consent_id": cls.consent.id,
                    "program_id": cls.program.id,
                    "captured_at": "2026-11-01 10:00:00",
                    "bio_type": "Finger",
                    "data_envelope": {"v": 1},
                }
            )
        )
        env["g2p.biometric.audit"].with_user(cls.officer)._g2p_log(
            "capture", capture=cls.capture_record, reason="test"
        )
        cls.read_wizard = (
            env["g2p.biometric.capture.read"]
            .with_user(cls.officer)
            .create(
                {"capture_id": cls.capture_record.id, "reason": "checking the test"}
            )
        )

    def routes(self):
        base = self.base()
        return [
            "/assist",
            "/assist?q=Ana",
            "/assist/register",
            f"/assist/registrant/{self.ana.id}",
            base + "/apply",
            f"/assist/captures/{self.capture_record.id}/data?wizard={self.read_wizard.id}&grant=x",
        ]

    def assert_no_route(self):
        for route in self.routes():
            with self.subTest(route=route):
                page = self.url_open(route, allow_redirects=False)
                self.assertIn(page.status_code, (303, 404), route)
                if page.status_code == 303:
                    self.assertIn("login", page.headers["Location"])
        for suffix in ("/capture/start", "/capture"):
            with self.subTest(route=suffix), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(self.base() + suffix, {"transaction_id": "x"})

    def assert_no_rpc(self):
        records = {
            "g2p.biometric.capture": self.capture_record.ids,
            "g2p.biometric.consent": self.consent.ids,
            "g2p.biometric.audit": self.env["g2p.biometric.audit"]
            .sudo()
            .search([])
            .ids,
            "g2p.biometric.capture.read": self.read_wizard.ids,
        }
        for model in MODELS:
            for method, (arguments, _answered) in READ_METHODS.items():
                args, kwargs = arguments(records[model])
                with (
                    self.subTest(model=model, method=method),
                    self.assertRaises(JsonRpcException),
                ):
                    self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {
                            "model": model,
                            "method": method,
                            "args": args,
                            "kwargs": kwargs,
                        },
                    )
        for model, values in (
            ("g2p.biometric.capture", {"partner_id": self.ana.id}),
            ("g2p.biometric.consent", {"partner_id": self.ana.id, "statement": "x"}),
            ("g2p.biometric.audit", {"action": "read"}),
        ):
            with (
                self.subTest(model=model, method="create"),
                self.assertRaises(JsonRpcException),
            ):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": model,
                        "method": "create",
                        "args": [values],
                        "kwargs": {},
                    },
                )

    def test_registrant_reaches_nothing(self):
        self._sign_in(self.ana)
        self.assert_no_route()
        self.assert_no_rpc()

    def test_other_portal_user_reaches_nothing(self):
        self._sign_in(self.ben)
        self.assert_no_route()
        self.assert_no_rpc()

    def test_internal_user_without_the_group_reaches_nothing(self):
        self.authenticate("cleo.clerk", "cleo.clerk-Pass-123")
        self.assert_no_route()
        self.assert_no_rpc()

    def test_visitor_reaches_nothing(self):
        self.assert_no_route()

    def test_officer_reads_but_cannot_forge_or_alter(self):
        self.sign_in_officer()
        found = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "g2p.biometric.capture",
                "method": "search_read",
                "args": [[("id", "=", self.capture_record.id)]],
                "kwargs": {"fields": ["partner_id", "min_quality"]},
            },
        )
        self.assertEqual([row["id"] for row in found], self.capture_record.ids)
        # The envelope is not readable, even by officers, outside the audited read.
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "g2p.biometric.capture",
                    "method": "read",
                    "args": [self.capture_record.ids, ["data_envelope"]],
                    "kwargs": {},
                },
            )
        for model, ids, values in (
            ("g2p.biometric.capture", self.capture_record.ids, {"min_quality": 99}),
            ("g2p.biometric.consent", self.consent.ids, {"method": "signed"}),
            (
                "g2p.biometric.audit",
                self.env["g2p.biometric.audit"].sudo().search([]).ids[:1],
                {"reason": "erased"},
            ),
        ):
            for method, args in (("write", [ids, values]), ("unlink", [ids])):
                with (
                    self.subTest(model=model, method=method),
                    self.assertRaises(JsonRpcException),
                ):
                    self.make_jsonrpc_request(
                        "/web/dataset/call_kw",
                        {"model": model, "method": method, "args": args, "kwargs": {}},
                    )
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "g2p.biometric.capture",
                    "method": "create",
                    "args": [{"partner_id": self.ana.id, "captured_at": "2026-01-01"}],
                    "kwargs": {},
                },
            )
