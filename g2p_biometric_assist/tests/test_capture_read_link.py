"""The one-time download link of a capture, over JSON-RPC as the web client
would send it: an officer signed in through /web/session/authenticate can
neither make a link nor extend or revive one; the server's link works once."""

from odoo.tests import JsonRpcException, get_db_name, tagged

from .common import OFFICER_PASSWORD, AssistCase

READ_MODEL = "g2p.biometric.capture.read"


@tagged("post_install", "-at_install")
class TestCaptureReadLink(AssistCase):
    def setUp(self):
        super().setUp()
        self.sign_in_officer()
        self.record_consent()
        accepted = self.capture()
        self.assertTrue(accepted["ok"], accepted)
        self.capture_id = accepted["capture_id"]
        # A new browser, signed in the way the web client does it (the
        # server makes the session and sets its cookie).
        self.authenticate(None, None)
        self.opener.cookies.clear()
        session = self.make_jsonrpc_request(
            "/web/session/authenticate",
            {"db": get_db_name(), "login": "olu.officer", "password": OFFICER_PASSWORD},
        )
        self.assertEqual(session["uid"], self.officer.id)

    def call(self, method, args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": READ_MODEL, "method": method, "args": args, "kwargs": kwargs},
        )

    def assert_refused(self, method, args, **kwargs):
        with self.assertRaises(JsonRpcException) as refused:
            self.call(method, args, **kwargs)
        self.assertEqual(refused.exception.args[0], "odoo.exceptions.AccessError")

    def values(self, **extra):
        return dict(
            capture_id=self.capture_id, reason="Appeal number 12, checking", **extra
        )

    def grants(self, read_id):
        return self.call("read", [[read_id], ["grant", "grant_until"]])[0]

    def test_an_officer_cannot_make_a_link(self):
        self.assert_refused("create", [self.values(grant="chosen-by-the-officer")])
        self.assert_refused("create", [self.values(grant_until="2099-01-01 00:00:00")])
        self.assert_refused(
            "web_save",
            [[], self.values(grant="chosen-by-the-officer")],
            specification={"grant": {}},
        )
        # Nor through a default in the context.
        read_id = self.call(
            "create",
            [self.values()],
            context={
                "default_grant": "chosen-by-the-officer",
                "default_grant_until": "2099-01-01 00:00:00",
            },
        )
        self.assertEqual(
            self.grants(read_id), {"id": read_id, "grant": False, "grant_until": False}
        )
        self.assert_refused("write", [[read_id], {"grant": "chosen-by-the-officer"}])
        self.assertFalse(self.grants(read_id)["grant"])
        answer = self.url_open(
            f"/assist/captures/{self.capture_id}/data?wizard={read_id}"
            "&grant=chosen-by-the-officer"
        )
        self.assertEqual(answer.status_code, 404)
        self.assertFalse(self.audit(action="read"))

    def test_the_servers_link_works_once_and_cannot_be_revived(self):
        read_id = self.call("create", [self.values()])
        action = self.call("action_confirm", [[read_id]])
        grant = self.grants(read_id)
        self.assertTrue(grant["grant"])
        self.assertIn(f"grant={grant['grant']}", action["url"])
        # A pending link can be neither extended nor moved to another request.
        self.assert_refused(
            "write", [[read_id], {"grant_until": "2099-01-01 00:00:00"}]
        )
        self.assert_refused("write", [[read_id], {"reason": "Something else entirely"}])
        self.assertEqual(self.grants(read_id), grant)

        first = self.url_open(action["url"])
        self.assertEqual(first.status_code, 200)
        self.assertIn(b"biometrics", first.content)
        self.assertEqual(len(self.audit(action="read")), 1)
        self.assertEqual(self.url_open(action["url"]).status_code, 404)

        # Writing the used link back does not bring it back to life.
        self.assert_refused(
            "write",
            [[read_id], {"grant": grant["grant"], "grant_until": grant["grant_until"]}],
        )
        self.assertEqual(self.url_open(action["url"]).status_code, 404)
        self.assertEqual(len(self.audit(action="read")), 1)
        # A new link needs a new confirmation (and a new audit row on use).
        again = self.call("action_confirm", [[read_id]])
        self.assertNotEqual(again["url"], action["url"])
        self.assertEqual(self.url_open(again["url"]).status_code, 200)
        self.assertEqual(len(self.audit(action="read")), 2)
