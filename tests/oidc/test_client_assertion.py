"""private_key_jwt client assertion and the private key it is signed with."""

import json
import re

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from g2p_auth_esignet.oidc import (
    CLIENT_ASSERTION_TYPE,
    ClientSigningKey,
    ConfigurationError,
    build_client_assertion,
    build_token_request,
    check_assertion_alg,
    load_private_key,
    messages,
    public_jwk,
)

from .conftest import CLIENT_ID, NOW, pem_private, private_jwk_of

TOKEN_ENDPOINT = "https://esignet.example.org/v1/esignet/oauth/v2/token"


def key_text(key, source, alg=None):
    if source == "jwk":
        extra = {"alg": alg} if alg else {}
        return json.dumps(private_jwk_of(key, kid="rp-key-1", **extra))
    if source == "pkcs1":
        private_format = (
            serialization.PrivateFormat.TraditionalOpenSSL
        )  # "BEGIN RSA/EC PRIVATE KEY"
        return pem_private(key, private_format)
    return pem_private(key)


CASES = [
    ("RS256", "rp_rsa_key", "jwk"),
    ("RS256", "rp_rsa_key", "pkcs8"),
    ("RS256", "rp_rsa_key", "pkcs1"),
    ("PS256", "rp_rsa_key", "jwk"),
    ("PS256", "rp_rsa_key", "pkcs8"),
    ("ES256", "rp_ec_key", "jwk"),
    ("ES256", "rp_ec_key", "pkcs8"),
    ("ES256", "rp_ec_key", "pkcs1"),
]


@pytest.mark.parametrize(("alg", "key_fixture", "source"), CASES)
def test_client_assertion_claims_and_header(request, alg, key_fixture, source):
    private_key = request.getfixturevalue(key_fixture)
    jwk_alg = alg if source == "jwk" else None
    signing_key = load_private_key(key_text(private_key, source, jwk_alg))
    # A PEM has no alg: PS256 is chosen at call time.
    call_alg = alg if source != "jwk" and alg == "PS256" else None
    # Two assertions built alike: their jti must still differ.
    first, second = (
        build_client_assertion(
            client_id=CLIENT_ID,
            audience=TOKEN_ENDPOINT,
            signing_key=signing_key,
            now=NOW,
            alg=call_alg,
        )
        for _ in range(2)
    )
    header = jwt.get_unverified_header(first)
    assert header["alg"] == alg and header["typ"] == "JWT"
    assert header["kid"] == signing_key.kid
    if source == "jwk":
        assert header["kid"] == "rp-key-1"
    claims, other = (
        jwt.decode(
            token,
            private_key.public_key(),
            algorithms=[alg],
            audience=TOKEN_ENDPOINT,
            options={"verify_exp": False, "verify_iat": False},
        )
        for token in (first, second)
    )
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == TOKEN_ENDPOINT
    assert claims["iat"] == int(NOW)
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert claims["jti"] != other["jti"] and len(claims["jti"]) >= 32


def test_default_algs_by_key_type(rp_rsa_key, rp_ec_key):
    assert load_private_key(pem_private(rp_rsa_key)).alg == "RS256"
    assert load_private_key(pem_private(rp_ec_key)).alg == "ES256"


@pytest.mark.parametrize("lifetime", [301, 3600, 0, -5])
def test_lifetime_outside_bounds_refused(rp_rsa_key, lifetime):
    signing_key = load_private_key(pem_private(rp_rsa_key))
    with pytest.raises(ConfigurationError) as raised:
        build_client_assertion(
            client_id=CLIENT_ID,
            audience=TOKEN_ENDPOINT,
            signing_key=signing_key,
            now=NOW,
            lifetime=lifetime,
        )
    assert raised.value.check == "client_assertion.lifetime"


def test_alg_not_fitting_key_refused(rp_ec_key):
    signing_key = load_private_key(pem_private(rp_ec_key))
    with pytest.raises(ConfigurationError):
        build_client_assertion(
            client_id=CLIENT_ID,
            audience=TOKEN_ENDPOINT,
            signing_key=signing_key,
            now=NOW,
            alg="RS256",
        )


def test_public_jwk_refused_as_private_key(rp_rsa_key):
    public = private_jwk_of(rp_rsa_key, kid="k")
    for member in ("d", "p", "q", "dp", "dq", "qi"):
        public.pop(member)
    with pytest.raises(ConfigurationError) as raised:
        load_private_key(json.dumps(public))
    assert raised.value.check.startswith("client_key.")


def test_public_pem_refused_as_private_key(rp_rsa_key):
    public_pem = (
        rp_rsa_key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )
    with pytest.raises(ConfigurationError):
        load_private_key(public_pem)


@pytest.fixture(scope="module")
def weak_and_unsupported_keys():
    return {
        "rsa1024": rsa.generate_private_key(public_exponent=65537, key_size=1024),
        "p384": ec.generate_private_key(ec.SECP384R1()),
    }


def test_weak_or_unsupported_keys_refused(weak_and_unsupported_keys):
    for key in weak_and_unsupported_keys.values():
        with pytest.raises(ConfigurationError):
            load_private_key(pem_private(key))


def test_jwk_alg_outside_allow_list_refused(rp_rsa_key):
    with pytest.raises(ConfigurationError) as raised:
        load_private_key(json.dumps(private_jwk_of(rp_rsa_key, alg="HS256")))
    assert raised.value.check == "client_key.alg_not_allowed"


@pytest.mark.parametrize(
    "text",
    [
        "garbage TOPSECRET",
        '{"kty": "RSA", "n": "TOPSECRET", "e": "AQAB", "d": "TOPSECRET"}',
        '{"kty": "oct", "k": "TOPSECRET"}',
        "{TOPSECRET not json",
        "-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\nTOPSECRET==\n-----END RSA PRIVATE KEY-----",
        "",
    ],
)
def test_configuration_errors_never_contain_key_material(text):
    with pytest.raises(ConfigurationError) as raised:
        load_private_key(text)
    error = raised.value
    for rendered in (str(error), repr(error), error.message_key, error.check):
        assert "TOPSECRET" not in rendered
    assert error.message_key in (
        messages.CLIENT_KEY_INVALID,
        messages.CLIENT_KEY_ENCRYPTED,
        messages.CLIENT_KEY_PUBLIC_ONLY,
    )
    # No chained parser exception (which could quote the input) either.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_real_key_not_echoed_on_error(rp_rsa_key):
    pem = pem_private(rp_rsa_key)
    broken = pem.replace("A", "@", 3)
    with pytest.raises(ConfigurationError) as raised:
        load_private_key(broken)
    body_line = pem.splitlines()[1]
    assert body_line[:20] not in str(raised.value)
    assert raised.value.message_key == messages.CLIENT_KEY_INVALID
    assert not raised.value.message_params


def test_public_jwk_has_no_private_members(rp_rsa_key, rp_ec_key):
    for key in (rp_rsa_key, rp_ec_key):
        signing_key = load_private_key(json.dumps(private_jwk_of(key, kid="rp")))
        jwk = public_jwk(signing_key)
        assert not {"d", "p", "q", "dp", "dq", "qi"} & jwk.keys()
        assert jwk["kid"] == "rp" and jwk["use"] == "sig"
        assert jwk["alg"] == signing_key.alg


def test_pem_kid_is_the_public_jwk_thumbprint(rp_rsa_key):
    signing_key = load_private_key(pem_private(rp_rsa_key))
    assert public_jwk(signing_key)["kid"] == signing_key.kid
    assert jwt.PyJWK(public_jwk(signing_key)).key_id == signing_key.kid


def test_signing_key_repr_hides_the_key(rp_rsa_key):
    signing_key = load_private_key(pem_private(rp_rsa_key))
    assert "key=" not in repr(signing_key)


def test_token_request_fields():
    assert build_token_request(
        code="c",
        redirect_uri="https://portal/cb",
        code_verifier="v",
        client_id=CLIENT_ID,
        client_assertion="a.b.c",
    ) == {
        "grant_type": "authorization_code",
        "code": "c",
        "redirect_uri": "https://portal/cb",
        "code_verifier": "v",
        "client_id": CLIENT_ID,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": "a.b.c",
    }
    assert CLIENT_ASSERTION_TYPE == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    )


def test_loaded_key_is_a_client_signing_key_parsed_once(rp_rsa_key):
    text = pem_private(rp_rsa_key)
    first = load_private_key(text)
    assert isinstance(first, ClientSigningKey)
    # Memoised by digest: the same text gives the very same parsed key.
    assert load_private_key(text) is first


@pytest.mark.parametrize(
    ("key_alg", "supported"),
    [
        ("RS256", ["RS256", "PS256"]),
        ("ES256", ["ES256"]),
        ("PS256", None),  # the provider does not say: nothing to refuse
        ("PS256", []),
    ],
)
def test_assertion_alg_the_provider_accepts(key_alg, supported):
    check_assertion_alg(key_alg, supported)


def test_assertion_alg_the_provider_refuses_names_what_it_accepts():
    with pytest.raises(ConfigurationError) as raised:
        check_assertion_alg("ES256", ["RS256", "PS256", 7])
    error = raised.value
    assert error.check == "client_key.alg_not_supported"
    assert error.message_key == messages.CLIENT_KEY_ALG_NOT_SUPPORTED
    assert error.message_params == {"algorithm": "ES256", "supported": "RS256, PS256"}


def test_assertion_alg_message_params_are_log_safe():
    hostile = ["RS256\n<script>alert(1)</script>", "x" * 500] + ["PS256"] * 40
    with pytest.raises(ConfigurationError) as raised:
        check_assertion_alg("ES256", hostile)
    items = raised.value.message_params["supported"].split(", ")
    assert 0 < len(items) <= 16
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", item) for item in items)
