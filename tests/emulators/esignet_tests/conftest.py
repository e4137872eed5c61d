"""Fixtures: one emulator per session, keys generated once."""

import base64
import hashlib
import json
import secrets
import time
import uuid
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwk as jwcrypto_jwk

from emulators.esignet import ASSERTION_TYPE, EsignetEmulator, ProviderSigningKey

REDIRECT_URI = "http://rp.test/auth_oauth/signin"
PSUT_SECRET = "test-psut-secret"
MARIA = "5037418692"  # picture, email, phone
AMADOU = "4630918275"  # name#en/name#fr, gender#fr
KOFI = "9182736450"  # individual_id / national_id claims
FATIMA = "3506172849"  # no email


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(private_key, kid):
    alg = "ES256" if isinstance(private_key, ec.EllipticCurvePrivateKey) else "RS256"
    algorithm = jwt.algorithms.get_default_algorithms()[alg]
    data = json.loads(algorithm.to_jwk(private_key.public_key()))
    data.pop("key_ops", None)
    data["kid"] = kid
    return data


class RelyingParty:
    """What an RP does over HTTP: authorize URL, token exchange, userinfo."""

    def __init__(self, emulator, client_id, key, kid, alg="RS256"):
        self.emulator = emulator
        self.client_id = client_id
        self.key = key
        self.kid = kid
        self.alg = alg
        self.redirect_uri = REDIRECT_URI

    def authorize_url(self, **params):
        verifier = b64url(secrets.token_bytes(32))
        base = {
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "response_type": "code",
            "scope": "openid profile email phone address",
            "state": secrets.token_urlsafe(12),
            "nonce": secrets.token_urlsafe(12),
            "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
            "code_challenge_method": "S256",
            "acr_values": "mosip:idp:acr:generated-code",
        }
        base.update(params)
        base = {k: v for k, v in base.items() if v is not None}
        self.last = {**base, "verifier": verifier}
        return f"{self.emulator.base_url}/authorize?{urlencode(base)}", self.last

    def assertion(self, key=None, alg=None, headers=None, **claims):
        now = int(time.time())
        payload = {
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.emulator.base_url + "/v1/esignet/oauth/v2/token",
            "iat": now,
            "exp": now + 60,
            "jti": str(uuid.uuid4()),
        }
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(
            payload,
            key or self.key,
            algorithm=alg or self.alg,
            headers={"kid": self.kid, **(headers or {})},
        )

    def token(self, code, verifier=None, assertion=None, **overrides):
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "client_id": self.client_id,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion or self.assertion(),
            "code_verifier": verifier or self.last["verifier"],
        }
        data.update(overrides)
        data = {k: v for k, v in data.items() if v is not None}
        return requests.post(
            self.emulator.base_url + "/v1/esignet/oauth/v2/token", data=data, timeout=10
        )

    def login(self, individual_id=MARIA, consent=True, **params):
        url, session = self.authorize_url(**params)
        location = self.emulator.login(url, individual_id, consent=consent)
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        return location, query, session

    def code(self, individual_id=MARIA, **params):
        location, query, session = self.login(individual_id, **params)
        assert location.startswith(REDIRECT_URI + "?"), location
        assert query["state"] == session["state"]
        return query["code"]

    def tokens(self, individual_id=MARIA, **params):
        response = self.token(self.code(individual_id, **params))
        assert response.status_code == 200, response.text
        return response.json()

    def userinfo(self, access_token, method="GET"):
        return requests.request(
            method,
            self.emulator.base_url + "/v1/esignet/oidc/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=10,
        )

    def verify(self, token, audience=None, issuer=None):
        jwks = jwt.PyJWKSet.from_dict(
            requests.get(self.emulator.base_url + "/.well-known/jwks.json").json()
        )
        kid = jwt.get_unverified_header(token)["kid"]
        key = next(k for k in jwks.keys if k.key_id == kid)
        return jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=audience or self.client_id,
            issuer=issuer or self.emulator.issuer,
        )


@pytest.fixture(scope="session")
def keys():
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    enc_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "rsa": rsa_key,
        "other_rsa": other_rsa,
        "ec": ec.generate_private_key(ec.SECP256R1()),
        "enc": enc_key,
        "enc_jwk": jwcrypto_jwk.JWK.from_pyca(enc_key),
        "provider": ProviderSigningKey(),
    }


@pytest.fixture(scope="session")
def session_emulator(keys):
    emulator = EsignetEmulator(psut_secret=PSUT_SECRET, signing_key=keys["provider"])
    emulator.register_client(
        "rp-test", public_jwk(keys["rsa"], "rp-key"), [REDIRECT_URI]
    )
    emulator.register_client(
        "rp-other", public_jwk(keys["rsa"], "rp-key"), [REDIRECT_URI]
    )
    emulator.register_client(
        "rp-ec", public_jwk(keys["ec"], "rp-ec-key"), [REDIRECT_URI]
    )
    enc_public = json.loads(keys["enc_jwk"].export_public())
    enc_public["kid"] = "rp-enc-key"
    emulator.register_client(
        "rp-enc",
        public_jwk(keys["rsa"], "rp-key"),
        [REDIRECT_URI],
        userinfo_encryption_jwk=enc_public,
    )
    emulator.register_client(
        "rp-restricted",
        public_jwk(keys["rsa"], "rp-key"),
        [REDIRECT_URI],
        allowed_acr=["mosip:idp:acr:biometrics", "mosip:idp:acr:generated-code"],
        claims=["name", "email"],
    )
    with emulator:
        yield emulator


@pytest.fixture
def emulator(session_emulator):
    session_emulator.faults.reset()
    session_emulator.provider.state.code_lifetime = 60
    session_emulator.requests_log.clear()
    yield session_emulator
    session_emulator.faults.reset()


@pytest.fixture
def rp(emulator, keys):
    return RelyingParty(emulator, "rp-test", keys["rsa"], "rp-key")


@pytest.fixture
def make_rp(emulator, keys):
    def make(client_id, key="rsa", alg="RS256"):
        kid = "rp-ec-key" if key == "ec" else "rp-key"
        return RelyingParty(emulator, client_id, keys[key], kid, alg)

    return make
