"""The findings of the security review of the login, each with its test."""

import json
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..oidc import LinkingError, OidcError
from .common import JWKS_PATH, KOFI, MARIA, PRIYA, EsignetHttpCase


@tagged("post_install", "-at_install")
class TestSecurityReview(EsignetHttpCase):
    # -- 1. an account's national ID is never replaced ----------------------

    def _without_reg_id(self):
        self.provider.write({"g2p_use_reg_id": False, "g2p_id_type": False})

    def test_manual_link_refused_when_account_has_an_identity_without_reg_id(self):
        self._without_reg_id()
        partner = self._registrant("LINKED BY UID")
        user = self._portal_user(partner, "linked.uid")
        user.write({"oauth_provider_id": self.provider.id, "oauth_uid": "psut-a"})
        self.authenticate("linked.uid", "linked.uid-Pass-123")
        page = self._error_page(self._post_link())
        self.assertIn("already linked to another national ID", page.text)
        self.assertEqual(user.oauth_uid, "psut-a")

    def test_manual_link_callback_never_overwrites_oauth_uid(self):
        # The account gets an identity between the start and the callback
        # of a link (another tab): the callback still refuses.
        self._without_reg_id()
        partner = self._registrant("RACE")
        user = self._portal_user(partner, "race.uid")
        self.authenticate("race.uid", "race.uid-Pass-123")
        authorize_url = self._start(
            f"/auth_esignet/link/{self.provider.id}",
            data={"csrf_token": self._csrf_token()},
        )
        user.write({"oauth_provider_id": self.provider.id, "oauth_uid": "psut-a"})
        page = self._error_page(
            self._callback(self.emulator.login(authorize_url, PRIYA))
        )
        self.assertIn("already linked to another national ID", page.text)
        self.assertEqual(user.oauth_uid, "psut-a")

    def test_automatic_link_never_moves_an_account_without_reg_id(self):
        self._without_reg_id()
        self._enable_automatic_linking(esignet_link_registration=False)
        user = self._portal_user(self._kofi_registrant(), "kofi.uid")
        user.write({"oauth_provider_id": self.provider.id, "oauth_uid": "psut-a"})
        self._error_page(self._login(KOFI))
        self.assertEqual(user.oauth_uid, "psut-a")

    # -- 2. the stock OAuth callback never serves a managed provider --------

    def test_stock_callback_shape_is_refused_for_a_managed_provider(self):
        token_calls = len(self.emulator.requests_log)
        for state in (
            json.dumps({"d": self.env.cr.dbname, "p": self.provider.id, "r": "/my"}),
            json.dumps({"p": 999999}),
            "{not json",
            json.dumps(["p"]),
        ):
            with self.assertNoLogs("odoo.addons.auth_oauth", "ERROR"):
                response = self.url_open(
                    "/auth_oauth/signin?" + urlencode({"state": state, "code": "c"}),
                    allow_redirects=False,
                )
            self._error_page(response)
        self.assertEqual(
            len(self.emulator.requests_log), token_calls, "no call to the provider"
        )

    # -- 5. new users are portal users --------------------------------------

    def test_default_group_must_be_a_portal_type_group(self):
        with self.assertRaises(ValidationError):
            self.provider.default_group_user_creation = self.env.ref("base.group_user")
        # Even if the row says otherwise (older data), a new user is portal.
        self.env.cr.execute(
            "UPDATE auth_oauth_provider SET default_group_user_creation = %s "
            "WHERE id = %s",
            (self.env.ref("base.group_system").id, self.provider.id),
        )
        self.provider.invalidate_recordset()
        response = self._login(MARIA)
        self.assertEqual(response.status_code, 303)
        user = self._user_of(MARIA)
        self.assertTrue(user.share)
        self.assertFalse(user.has_group("base.group_user"))

    # -- 6. the authentication method a login asked for ---------------------

    def _method(self, fragment):
        return self.provider.esignet_login_method_ids.filtered(
            lambda m: fragment in m.acr_values
        )

    def _with_acr(self, authorize_url, acr):
        parts = urlsplit(authorize_url)
        query = parse_qs(parts.query)
        query["acr_values"] = [acr]
        return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))

    def test_changed_acr_values_are_refused(self):
        biometrics = self._method("biometrics")
        authorize_url = self._start(
            f"/auth_esignet/login/{self.provider.id}?method={biometrics.id}"
        )
        forged = self._with_acr(authorize_url, "mosip:idp:acr:generated-code")
        page = self._error_page(self._callback(self.emulator.login(forged, MARIA)))
        self.assertIn("id_token.acr", page.text)
        self.assertFalse(self._user_of(MARIA))

    def test_requested_acr_is_accepted(self):
        otp = self._method("generated-code")
        authorize_url = self._start(
            f"/auth_esignet/login/{self.provider.id}?method={otp.id}"
        )
        response = self._callback(self.emulator.login(authorize_url, MARIA))
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/my")

    # -- 7. smaller points ----------------------------------------------------

    def test_name_parts_are_locked_with_the_name(self):
        locked_names = self.env["ir.model.fields"].search(
            [("model", "=", "res.partner"), ("name", "=", "name")]
        )
        self.provider.esignet_locked_field_ids = locked_names
        self._login(MARIA)
        user = self._user_of(MARIA)
        for part in ("given_name", "family_name", "addl_name"):
            with self.assertRaises(AccessError, msg=part):
                user.partner_id.with_user(user).sudo().write({part: "Someone"})

    def test_automatic_linking_ignores_unsigned_userinfo(self):
        # A generic provider answering userinfo as plain JSON: the login
        # works, but an unsigned claim never picks whose account it opens.
        self._enable_automatic_linking(esignet_userinfo_format="json")
        self.emulator.clients[self.provider.client_id].plain_userinfo = True
        kofi = self._kofi_registrant()
        response = self._login(KOFI)
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/my")
        user = self._user_of(KOFI)
        self.assertTrue(user)
        self.assertNotEqual(user.partner_id, kofi, "registered, not linked")
        self.assertNotIn(self._psut(KOFI), kofi.reg_ids.mapped("value"))

    def test_endpoints_must_be_https_except_loopback(self):
        for url in (
            "http://esignet.example.org/token",
            "http://10.0.0.5/token",
            "ftp://esignet.example.org/token",
        ):
            with self.assertRaises(ValidationError, msg=url):
                self.provider.token_endpoint = url
        for url in (
            "https://esignet.example.org/token",
            "http://127.0.0.1:8088/token",
            "http://localhost:8088/token",
        ):
            self.provider.token_endpoint = url

    def test_settings_administrators_cannot_read_the_private_keys(self):
        admin = self.env["res.users"].create(
            {
                "name": "Settings Admin",
                "login": "settings.admin",
                "groups_id": [(6, 0, [self.env.ref("base.group_system").id])],
            }
        )
        provider = self.provider.with_user(admin)
        for field in ("client_private_key", "esignet_userinfo_decryption_key"):
            with self.assertRaises(AccessError, msg=field):
                provider.read([field])
            self.assertNotIn(field, provider.fields_get())
        self.assertNotIn("client_private_key", provider.search_read([])[0])
        # They set a key through the write-only input and see its public half.
        provider.client_private_key_new = self.client_pem
        self.assertIn('"kty"', provider.client_public_jwk)
        self.assertNotIn('"d"', provider.client_public_jwk)

    # -- 4. pictures come from public addresses only -------------------------

    def test_picture_url_on_an_internal_address_is_not_fetched(self):
        fetch = self.provider._esignet_picture_fetcher()
        for url in (
            f"https://127.0.0.1:{self.emulator.port}{JWKS_PATH}",
            "https://10.1.2.3/picture.png",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::1]/picture.png",
            "http://example.org/picture.png",
        ):
            with self.assertRaises(OidcError, msg=url):
                fetch(url)
        partner = self._registrant("PICTURE")
        values = partner._esignet_kyc_picture(
            {"url": "https://127.0.0.1/picture.png"}, None, fetch
        )
        self.assertEqual(values, {})


@tagged("post_install", "-at_install")
class TestLinkingGuards(EsignetHttpCase):
    """The model-level guard, whatever the controller did before."""

    def test_signin_refuses_to_replace_oauth_uid(self):
        from ..oidc import LoginTransaction

        self.provider.write({"g2p_use_reg_id": False, "g2p_id_type": False})
        partner = self._registrant("GUARDED")
        user = self._portal_user(partner, "guarded.uid")
        user.write({"oauth_provider_id": self.provider.id, "oauth_uid": "psut-a"})
        transaction = LoginTransaction.new(
            self.provider.id, 0, purpose="link", link_partner_id=partner.id
        )

        class Result:
            sub = "psut-b"
            claims = verified_claims = {}
            mapped = type("Mapped", (), {"values": {}, "ignored": []})()

        with self.assertRaises(LinkingError):
            self.env["res.users"]._esignet_signin(self.provider, transaction, Result())
        self.assertEqual(user.oauth_uid, "psut-a")
