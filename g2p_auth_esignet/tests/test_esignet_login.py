"""Login, linking and refusals against the eSignet emulator, over real HTTP."""

import json
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged

from ..oidc import load_private_key, messages
from ..user_messages import MESSAGES, translated
from .common import (
    AMADOU,
    CLIENT_ID,
    FATIMA,
    JWKS_PATH,
    KOFI,
    MARIA,
    PRIYA,
    EsignetHttpCase,
    _private_key_pem,
)


@tagged("post_install", "-at_install")
class TestEsignetLogin(EsignetHttpCase):
    # -- the login flow -----------------------------------------------------

    def test_new_registration(self):
        mails_before = self.env["mail.mail"].search_count([])
        response = self._login(MARIA)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/my")

        user = self._user_of(MARIA)
        self.assertEqual(len(user), 1)
        self.assertTrue(user.share, "a registrant gets a portal user")
        self.assertEqual(self._session_uid(), user.id)
        partner = user.partner_id
        self.assertTrue(partner.is_registrant)
        self.assertFalse(partner.is_group)
        self.assertEqual(partner.name, "Maria Santos Reyes")
        self.assertEqual(str(partner.birthdate), "1988-04-12")
        self.assertEqual(partner.gender, "female")
        self.assertTrue(partner.image_1920, "the KYC picture is the registrant image")
        self.assertEqual(user.login, partner.email, "login from the email claim")
        reg_id = partner.reg_ids.filtered(lambda r: r.id_type == self.psut_type)
        self.assertEqual(reg_id.value, self._psut(MARIA))
        self.assertIn("name", partner.esignet_locked_fields.split())
        # Nobody gets credentials by email: no mail was queued.
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        # No eSignet token is kept, and nothing that signs in is stored on
        # the user: the session was opened by a one-time ticket.
        self.assertFalse(user.sudo().oauth_access_token)
        self.assertFalse(
            self.env["g2p.esignet.login.ticket"].search([("user_id", "=", user.id)])
        )

    def test_second_login_reuses_registrant_without_jwks_fetch(self):
        self._login(FATIMA)
        self.opener.cookies.clear()  # a new browser session
        fetches = self.emulator.requests_log.count(("GET", JWKS_PATH))
        response = self._login(FATIMA)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(len(self._user_of(FATIMA)), 1)
        self.assertEqual(
            self.emulator.requests_log.count(("GET", JWKS_PATH)),
            fetches,
            "a warm login fetches no JWKS",
        )
        # Fatima's KYC has no email: her login derives from the PSUT.
        self.assertTrue(self._user_of(FATIMA).login.startswith("esignet-"))

    def test_key_rotation_refreshes_jwks_once(self):
        self._login(PRIYA)
        self.opener.cookies.clear()  # a new browser session
        self.emulator.rotate_keys()
        # min_interval between refreshes counts from the last fetch.
        self.provider.sudo().esignet_jwks_fetched_at -= 120
        fetches = self.emulator.requests_log.count(("GET", JWKS_PATH))
        response = self._login(PRIYA)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertEqual(
            self.emulator.requests_log.count(("GET", JWKS_PATH)), fetches + 1
        )

    def test_locale_tagged_claims(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        response = self._login(AMADOU)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertEqual(self._user_of(AMADOU).partner_id.gender, "male")

    def test_automatic_linking(self):
        self._enable_automatic_linking(esignet_link_registration=False)
        existing = self._kofi_registrant()
        response = self._login(KOFI)
        self.assertEqual(response.status_code, 303, response.text[:1000])
        user = self._user_of(KOFI)
        self.assertEqual(user.partner_id, existing)
        self.assertIn(self._psut(KOFI), existing.reg_ids.mapped("value"))

    def test_automatic_linking_needs_a_verified_id(self):
        self._enable_automatic_linking(esignet_link_registration=False)
        self._kofi_registrant(status=None)
        self._error_page(self._login(KOFI))
        self.assertFalse(self._user_of(KOFI))

    def test_manual_linking(self):
        partner = self._registrant("REYES, PRIYA")
        user = self._portal_user(partner, "priya.manual")
        self.authenticate("priya.manual", "priya.manual-Pass-123")
        authorize_url = self._start(
            f"/auth_esignet/link/{self.provider.id}",
            data={"csrf_token": self._csrf_token()},
        )
        response = self._callback(self.emulator.login(authorize_url, PRIYA))
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertIn(self._psut(PRIYA), partner.reg_ids.mapped("value"))
        self.assertEqual(user.oauth_uid, self._psut(PRIYA))
        self.assertEqual(self._session_uid(), user.id, "still signed in")

    def test_manual_linking_refuses_psut_linked_elsewhere(self):
        owner = self._registrant("OWNER")
        owner.reg_ids = [
            (0, 0, {"id_type": self.psut_type.id, "value": self._psut(PRIYA)})
        ]
        other = self._registrant("OTHER")
        self._portal_user(other, "other.manual")
        self.authenticate("other.manual", "other.manual-Pass-123")
        authorize_url = self._start(
            f"/auth_esignet/link/{self.provider.id}",
            data={"csrf_token": self._csrf_token()},
        )
        response = self._callback(self.emulator.login(authorize_url, PRIYA))
        page = self._error_page(response)
        self.assertIn("already linked to another account", page.text)
        self.assertFalse(other.reg_ids)
        self.assertEqual(owner.reg_ids.value, self._psut(PRIYA))

    def test_manual_linking_refuses_a_second_national_id(self):
        partner = self._registrant("ALREADY LINKED")
        partner.reg_ids = [(0, 0, {"id_type": self.psut_type.id, "value": "psut-a"})]
        self._portal_user(partner, "linked.manual")
        self.authenticate("linked.manual", "linked.manual-Pass-123")
        # Refused before anyone is sent to eSignet.
        page = self._error_page(self._post_link())
        self.assertIn("already linked to another national ID", page.text)
        self.assertEqual(partner.reg_ids.value, "psut-a")

    def test_automatic_linking_never_moves_an_existing_psut(self):
        self._enable_automatic_linking()
        existing = self._kofi_registrant(
            "valid", {"id_type": self.psut_type.id, "value": "psut-a"}
        )
        partners_before = self.env["res.partner"].search_count([])
        self._error_page(self._login(KOFI))
        self.assertIn("psut-a", existing.reg_ids.mapped("value"))
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)

    def test_refused_when_registration_is_off(self):
        self.provider.esignet_link_registration = False
        partners_before = self.env["res.partner"].search_count([])
        page = self._error_page(self._login(MARIA))
        self.assertIn("visit a service point", page.text)
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before)
        self.assertFalse(self._user_of(MARIA))
        self.assertFalse(self._session_uid())

    def test_locked_fields_refuse_a_write(self):
        self._login(MARIA)
        user = self._user_of(MARIA)
        partner = user.partner_id
        # The portal controllers write with sudo(): the user stays the
        # registrant and the lock still holds.
        with self.assertRaises(AccessError):
            partner.with_user(user).sudo().write({"name": "Someone Else"})
        with self.assertRaises(AccessError):
            partner.with_user(user).sudo().write({"esignet_locked_fields": ""})
        # The same value, and fields not from KYC, can be written.
        partner.with_user(user).sudo().write(
            {"name": partner.name, "function": "Farmer"}
        )
        self.assertEqual(partner.function, "Farmer")
        # Administrators can still correct a record.
        partner.write({"name": "Maria S. Reyes"})
        self.assertEqual(partner.name, "Maria S. Reyes")

    def test_two_logins_get_different_pkce_state_and_nonce(self):
        first = parse_qs(urlsplit(self._start()).query)
        second = parse_qs(urlsplit(self._start()).query)
        for name in ("state", "nonce", "code_challenge"):
            self.assertNotEqual(first[name], second[name], name)
        self.assertEqual(first["code_challenge_method"], ["S256"])
        self.assertEqual(first["client_id"], [CLIENT_ID])
        claims = json.loads(first["claims"][0])
        self.assertTrue(claims["userinfo"]["name"]["essential"])

    def test_login_buttons_carry_their_acr_values(self):
        methods = self.provider.esignet_login_method_ids
        self.assertEqual(
            set(methods.mapped("acr_values")),
            {
                "mosip:idp:acr:generated-code",
                "mosip:idp:acr:biometrics",
                "mosip:idp:acr:linked-wallet",
            },
        )
        biometrics = methods.filtered(lambda m: "biometrics" in m.acr_values)
        query = parse_qs(
            urlsplit(
                self._start(
                    f"/auth_esignet/login/{self.provider.id}?method={biometrics.id}"
                )
            ).query
        )
        self.assertEqual(query["acr_values"], ["mosip:idp:acr:biometrics"])
        page = self.url_open("/web/login").text
        for method in methods:
            self.assertIn(method.name, page)
        self.assertNotIn("PRIVATE KEY", page)

    # -- bad input ------------------------------------------------------------

    def test_replayed_callback_is_refused(self):
        callback = self.emulator.login(self._start(), PRIYA)
        self.assertEqual(self._callback(callback).status_code, 303)
        self.opener.cookies.clear()  # a new browser session
        page = self._error_page(self._callback(callback))
        self.assertIn("already used", page.text)

    def test_cancelled_consent(self):
        authorize_url = self._start()
        callback = self.emulator.login(authorize_url, MARIA, consent=False)
        with self.assertLogs(
            "odoo.addons.g2p_auth_esignet.controllers.main", "WARNING"
        ) as logs:
            page = self._error_page(self._callback(callback))
        self.assertIn("cancelled", page.text)
        self.assertIn(f"provider {self.provider.id}", logs.output[0])
        self.assertIn("callback.error", logs.output[0])
        # The state was used up by the cancelled attempt.
        self.assertIn("state.unknown", self._error_page(self._callback(callback)).text)
        self.assertFalse(self._user_of(MARIA))

    def test_tampered_userinfo(self):
        self.emulator.faults.tamper_userinfo = True
        with self.assertLogs(
            "odoo.addons.g2p_auth_esignet.controllers.main", "WARNING"
        ) as logs:
            response = self._login(MARIA)
        self._error_page(response)
        self.assertIn("userinfo.signature", " ".join(logs.output))
        self.assertNotIn(self._psut(MARIA), " ".join(logs.output))
        self.assertFalse(self._user_of(MARIA))

    def test_expired_id_token(self):
        self.emulator.faults.expired_id_token = True
        page = self._error_page(self._login(MARIA))
        self.assertIn("id_token.expired", page.text)
        self.assertFalse(self._user_of(MARIA))

    def test_esignet_unreachable(self):
        callback = self.emulator.login(self._start(), MARIA)
        token_endpoint = self.provider.token_endpoint
        self.provider.token_endpoint = "http://127.0.0.1:9/v1/esignet/oauth/v2/token"
        try:
            response = self._callback(callback)
        finally:
            self.provider.token_endpoint = token_endpoint
        page = self._error_page(response, status=503)
        self.assertIn("not reachable", page.text)

    def test_unknown_state(self):
        response = self.url_open(
            "/auth_oauth/signin?code=abc&state=not-a-state", allow_redirects=False
        )
        page = self._error_page(response)
        self.assertIn("expired or was already used", page.text)

    def test_unexpected_failure_logs_no_personal_data(self):
        users_class = type(self.env["res.users"])
        boom = ValueError("Failing row contains (maria.reyes@example.org)")
        with (
            patch.object(users_class, "_esignet_signin", side_effect=boom),
            self.assertLogs(
                "odoo.addons.g2p_auth_esignet.controllers.main", "WARNING"
            ) as logs,
        ):
            response = self._login(MARIA)
        page = self._error_page(response)
        self.assertIn("login.unexpected", page.text)
        output = " ".join(logs.output)
        self.assertIn("ValueError", output)
        self.assertNotIn("maria.reyes", output)
        self.assertFalse(self._user_of(MARIA))

    def test_callback_without_state(self):
        response = self.url_open(
            "/auth_oauth/signin?error=access_denied", allow_redirects=False
        )
        page = self._error_page(response)
        self.assertIn("state.missing", page.text)

    def test_reloaded_callback_while_signed_in_goes_home(self):
        callback = self.emulator.login(self._start(), PRIYA)
        self.assertEqual(self._callback(callback).status_code, 303)
        reload = self._callback(callback)
        self.assertEqual(reload.status_code, 303)
        self.assertEqual(urlsplit(reload.headers["Location"]).path, "/my")
        self.assertEqual(self._session_uid(), self._user_of(PRIYA).id)


@tagged("post_install", "-at_install")
class TestProviderSecrets(TransactionCase):
    def test_private_keys_never_reach_a_page(self):
        provider = self.env["auth.oauth.provider"].create(
            {
                "name": "eSignet",
                "flow": "id_token_code",
                "client_id": "c1",
                "auth_endpoint": "https://esignet.example.org/authorize",
                "body": "National ID",
            }
        )
        arch = provider.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="client_private_key"', arch)
        self.assertNotIn('name="esignet_userinfo_decryption_key"', arch)
        self.assertIn('name="client_private_key_new"', arch)

        pem = _private_key_pem()
        provider.client_private_key_new = pem
        self.assertEqual(provider.client_private_key, pem.strip())
        provider.invalidate_recordset()  # as a page reading the record later
        self.assertFalse(
            provider.read(["client_private_key_new"])[0]["client_private_key_new"]
        )
        kid = load_private_key(pem).kid
        self.assertIn(kid, provider.client_private_key_status)
        self.assertIn(kid, provider.client_public_jwk)
        self.assertNotIn("PRIVATE", provider.client_public_jwk)

    def test_invalid_keys_are_refused_without_echoing_them(self):
        provider = self.env["auth.oauth.provider"].create(
            {
                "name": "eSignet",
                "flow": "id_token_code",
                "client_id": "c2",
                "auth_endpoint": "https://esignet.example.org/authorize",
                "body": "National ID",
            }
        )
        secret = (
            "-----BEGIN PRIVATE KEY-----\nnot-a-key-SECRET\n-----END PRIVATE KEY-----"
        )
        with self.assertRaises(ValidationError) as raised:
            provider.client_private_key_new = secret
        self.assertNotIn("SECRET", str(raised.exception))
        # The configuration error's own sentence (user_messages), not the
        # generic sign-in failure.
        self.assertIn("is not a valid private RSA", str(raised.exception))
        with self.assertRaises(ValidationError):
            provider.esignet_userinfo_decryption_key_new = '{"kty": "RSA"}'

    def test_every_message_a_person_can_see_is_translatable(self):
        self.assertEqual(set(MESSAGES), messages.all_message_keys())
        self.env["res.lang"]._activate_lang("fr_FR")
        for key in MESSAGES:
            self.assertTrue(translated(key), key)
