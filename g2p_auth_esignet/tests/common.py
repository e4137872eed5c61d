"""An eSignet emulator and a provider configured for it, for HttpCase tests."""

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from odoo.tests import HttpCase
from odoo.tests.common import JsonRpcException

from ..models.auth_oauth_provider import DEFAULT_MAPPING
from ..oidc import load_private_key, public_jwk
from .repo_emulators import load_emulator

EsignetEmulator = load_emulator("esignet").EsignetEmulator

MARIA = "5037418692"  # full KYC, email, picture
AMADOU = "4630918275"  # locale-tagged name and gender
KOFI = "9182736450"  # releases individual_id (automatic linking)
PRIYA = "7350264918"
FATIMA = "3506172849"  # no email
CLIENT_ID = "g2p-portal-test"
JWKS_PATH = "/v1/esignet/oauth/.well-known/jwks.json"


def _private_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class EsignetHttpCase(HttpCase):
    """Starts the emulator once per class; no tests of its own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = EsignetEmulator().start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.client_pem = _private_key_pem()
        IdType = cls.env["g2p.id.type"]
        cls.psut_type = IdType.create({"name": "MOSIP PSUT"})
        cls.national_id_type = IdType.create({"name": "National ID"})
        Gender = cls.env["gender.type"]
        for code in ("Male", "Female"):
            if not Gender.search([("code", "=ilike", code)]):
                Gender.create({"code": code, "value": code.lower()})
        cls.provider = cls._esignet_provider("eSignet", CLIENT_ID, cls.client_pem)

    @classmethod
    def _esignet_provider(cls, name, client_id, private_key_pem, **values):
        """A client registered with the emulator and its provider in Odoo.

        ``relying_party_id`` (default: the client's own) decides the PSUTs
        the client gets; ``values`` override the provider's.
        """
        cls.emulator.register_client(
            client_id,
            public_jwk(load_private_key(private_key_pem)),
            [cls.base_url() + "/auth_oauth/signin"],
            relying_party_id=values.pop("relying_party_id", None),
        )
        provider = cls.env["auth.oauth.provider"].create(
            {
                "name": name,
                "flow": "id_token_code",
                "client_id": client_id,
                "enabled": True,
                "body": "Log in with national ID",
                "scope": "openid profile",
                "auth_endpoint": "https://placeholder.invalid/authorize",
                "esignet_issuer": cls.emulator.issuer,
                "client_private_key": private_key_pem,
                "g2p_use_reg_id": True,
                "g2p_id_type": cls.psut_type.id,
                "partner_creation_validate_response": DEFAULT_MAPPING
                + " image_1920:picture",
                "esignet_link_manual": True,
                "esignet_link_registration": True,
                **values,
            }
        )
        # The Discover button fills every endpoint from the emulator.
        provider.action_esignet_discover()
        return provider

    def setUp(self):
        super().setUp()
        self.emulator.faults.reset()
        self.emulator.clients[CLIENT_ID].plain_userinfo = False

    # -- helpers ------------------------------------------------------------

    def _start(self, path=None, data=None):
        """Follow a login button; returns the eSignet authorize URL."""
        path = path or f"/auth_esignet/login/{self.provider.id}"
        response = self.url_open(path, data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:500])
        location = response.headers["Location"]
        self.assertTrue(location.startswith(self.emulator.issuer), location)
        return location

    def _post_link(self):
        """Press "Link with eSignet" as the signed-in person (no redirect)."""
        return self.url_open(
            f"/auth_esignet/link/{self.provider.id}",
            data={"csrf_token": self._csrf_token()},
            allow_redirects=False,
        )

    def _callback(self, callback_url):
        path = urlsplit(callback_url)
        self.assertEqual(path.path, "/auth_oauth/signin")
        return self.url_open(f"/auth_oauth/signin?{path.query}", allow_redirects=False)

    def _login(self, individual_id, consent=True, provider=None):
        """Sign in through ``provider`` (by default the class's provider)."""
        authorize_url = self._start(
            f"/auth_esignet/login/{provider.id}" if provider else None
        )
        callback = self.emulator.login(authorize_url, individual_id, consent=consent)
        return self._callback(callback)

    def _error_page(self, response, status=400):
        """A refused login lands on the error page with that HTTP status."""
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(
            urlsplit(response.headers["Location"]).path, "/auth_esignet/error"
        )
        page = self.url_open("/auth_esignet/error", allow_redirects=False)
        self.assertEqual(page.status_code, status)
        self.assertIn('href="/web/login"', page.text, "a way to retry")
        return page

    def _session_uid(self):
        """The user this browser session is signed in as, or None."""
        try:
            info = self.make_jsonrpc_request("/web/session/get_session_info", {})
        except JsonRpcException:
            return None  # auth="user" route: not signed in
        return info.get("uid")

    def _csrf_token(self):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        max_ts = int(time.time() + 3600)
        message = f"{self.opener.cookies['session_id']}{max_ts}".encode()
        digest = hmac.new(secret.encode("ascii"), message, hashlib.sha1).hexdigest()
        return f"{digest}o{max_ts}"

    def _psut(self, individual_id):
        return self.emulator.psut(individual_id, CLIENT_ID)

    def _registrant(self, name, **values):
        return self.env["res.partner"].create(
            dict({"name": name, "is_registrant": True, "is_group": False}, **values)
        )

    def _portal_user(self, partner, login):
        return (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "login": login,
                    "password": login + "-Pass-123",
                    "partner_id": partner.id,
                    "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
                }
            )
        )

    def _user_of(self, individual_id):
        return self.env["res.users"].search(
            [("oauth_uid", "=", self._psut(individual_id))]
        )

    def _enable_automatic_linking(self, **values):
        """Link on the verified National ID equal to the individual_id claim."""
        self.provider.write(
            {
                "esignet_link_automatic": True,
                "esignet_auto_link_id_type": self.national_id_type.id,
                "esignet_auto_link_claim": "individual_id",
                "esignet_claims_voluntary": "email phone_number individual_id",
                **values,
            }
        )

    def _kofi_registrant(self, status="valid", *extra_ids):
        """Kofi's registrant record, holding his national ID with ``status``."""
        national_id = {"id_type": self.national_id_type.id, "value": KOFI}
        if status:
            national_id["status"] = status
        return self._registrant(
            "MENSAH, KOFI",
            reg_ids=[(0, 0, national_id)] + [(0, 0, ids) for ids in extra_ids],
        )
