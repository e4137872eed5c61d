"""ID token verification: every check fails on its own, with its own name."""

import hashlib
import hmac
import json

import jwt
import pytest

from g2p_auth_esignet.oidc import (
    ConfigurationError,
    TokenValidationError,
    UnknownKeyError,
    verify_id_token,
)

from .conftest import (
    ACCESS_TOKEN,
    CLIENT_ID,
    ISSUER,
    NONCE,
    NOW,
    SUB,
    b64url,
    compact,
    id_token_claims,
    pem_public,
    sign,
)


def verify(token, jwks, **overrides):
    arguments = {
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "nonce": NONCE,
        "now": NOW,
        "access_token": ACCESS_TOKEN,
    }
    arguments.update(overrides)
    return verify_id_token(token, jwks, **arguments)


def assert_rejected(check, token, jwks, error_class=TokenValidationError, **kw):
    with pytest.raises(error_class) as raised:
        verify(token, jwks, **kw)
    assert raised.value.check == check
    return raised.value


@pytest.mark.parametrize(
    ("alg", "key_fixture", "kid"),
    [
        ("RS256", "provider_rsa_key", "rsa-1"),
        ("PS256", "provider_rsa_key", "rsa-1"),
        ("ES256", "provider_ec_key", "ec-1"),
    ],
)
def test_valid_token_accepted(request, jwks, alg, key_fixture, kid):
    key = request.getfixturevalue(key_fixture)
    claims = verify(sign(id_token_claims(), key, alg, kid), jwks)
    assert claims["sub"] == SUB


def test_alg_none_rejected(jwks):
    token = compact({"alg": "none", "kid": "rsa-1"}, id_token_claims(), b"")
    assert_rejected("token.malformed", token, jwks)
    token = compact({"alg": "none", "kid": "rsa-1"}, id_token_claims(), b"x")
    assert_rejected("token.alg_not_allowed", token, jwks)


def test_hs256_signed_with_provider_public_key_rejected(jwks, provider_rsa_key):
    header = b64url('{"alg":"HS256","kid":"rsa-1","typ":"JWT"}')
    payload = b64url(json.dumps(id_token_claims()))
    secret = pem_public(provider_rsa_key).encode()
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256)
    token = f"{header}.{payload}.{b64url(signature.digest())}"
    assert_rejected("token.alg_not_allowed", token, jwks)


def test_alg_outside_allow_list_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(), provider_rsa_key, "RS384")
    assert_rejected("token.alg_not_allowed", token, jwks)


def test_alg_not_matching_key_type_rejected(jwks, provider_rsa_key):
    # An RSA signature presented under the EC key's kid.
    token = sign(id_token_claims(), provider_rsa_key, "RS256", kid="ec-1")
    assert_rejected("token.alg_key_mismatch", token, jwks)


def test_crit_header_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(), provider_rsa_key, crit=["exp"])
    assert_rejected("token.crit_unsupported", token, jwks)


def test_bad_signature_rejected(jwks, provider_rsa_key_rotated):
    token = sign(id_token_claims(), provider_rsa_key_rotated, kid="rsa-1")
    assert_rejected("id_token.signature", token, jwks)


def test_tampered_payload_rejected(jwks, provider_rsa_key):
    header, _payload, signature = sign(id_token_claims(), provider_rsa_key).split(".")
    forged = b64url(json.dumps(id_token_claims(sub="someone-else")))
    assert_rejected("id_token.signature", f"{header}.{forged}.{signature}", jwks)


def test_wrong_iss_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(iss="https://evil.example"), provider_rsa_key)
    assert_rejected("id_token.iss", token, jwks)


def test_wrong_aud_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(aud="another-client"), provider_rsa_key)
    assert_rejected("id_token.aud", token, jwks)


def test_aud_list_containing_client_with_azp_accepted(jwks, provider_rsa_key):
    claims = id_token_claims(aud=[CLIENT_ID, "other"], azp=CLIENT_ID)
    assert verify(sign(claims, provider_rsa_key), jwks)["azp"] == CLIENT_ID


def test_aud_list_without_azp_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(aud=[CLIENT_ID, "other"]), provider_rsa_key)
    assert_rejected("id_token.azp", token, jwks)


def test_wrong_azp_rejected(jwks, provider_rsa_key):
    claims = id_token_claims(aud=[CLIENT_ID, "other"], azp="other")
    assert_rejected("id_token.azp", sign(claims, provider_rsa_key), jwks)


def test_expired_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(exp=int(NOW) - 3600), provider_rsa_key)
    assert_rejected("id_token.expired", token, jwks)


def test_missing_exp_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(exp=None), provider_rsa_key)
    assert_rejected("id_token.exp", token, jwks)


def test_iat_in_future_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(iat=int(NOW) + 3600), provider_rsa_key)
    assert_rejected("id_token.iat_future", token, jwks)


def test_exp_leeway_respected_at_both_edges(jwks, provider_rsa_key):
    token = sign(id_token_claims(exp=int(NOW) - 59), provider_rsa_key)
    assert verify(token, jwks, leeway=60)["sub"] == SUB
    token = sign(id_token_claims(exp=int(NOW) - 60), provider_rsa_key)
    assert_rejected("id_token.expired", token, jwks, leeway=60)


def test_iat_leeway_respected_at_both_edges(jwks, provider_rsa_key):
    token = sign(id_token_claims(iat=int(NOW) + 60), provider_rsa_key)
    assert verify(token, jwks, leeway=60)["sub"] == SUB
    token = sign(id_token_claims(iat=int(NOW) + 61), provider_rsa_key)
    assert_rejected("id_token.iat_future", token, jwks, leeway=60)


def test_nonce_mismatch_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(nonce="another-nonce"), provider_rsa_key)
    assert_rejected("id_token.nonce", token, jwks)


def test_missing_nonce_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(nonce=None), provider_rsa_key)
    assert_rejected("id_token.nonce", token, jwks)


@pytest.mark.parametrize("sub", [None, "", 42])
def test_missing_or_invalid_sub_rejected(jwks, provider_rsa_key, sub):
    claims = id_token_claims(sub=None)
    if sub is not None:
        claims["sub"] = sub
    assert_rejected("id_token.sub", sign(claims, provider_rsa_key), jwks)


def _at_hash(access_token):
    digest = hashlib.sha256(access_token.encode()).digest()
    return b64url(digest[:16])


def test_at_hash_valid_accepted(jwks, provider_rsa_key):
    token = sign(id_token_claims(at_hash=_at_hash(ACCESS_TOKEN)), provider_rsa_key)
    assert verify(token, jwks)["at_hash"]


def test_at_hash_invalid_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(at_hash=_at_hash("other token")), provider_rsa_key)
    assert_rejected("id_token.at_hash", token, jwks)


def test_at_hash_without_access_token_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(at_hash=_at_hash(ACCESS_TOKEN)), provider_rsa_key)
    assert_rejected("id_token.at_hash", token, jwks, access_token=None)


def test_unknown_kid_then_succeeds_after_rotation(
    jwks, rotated_jwks, provider_rsa_key_rotated
):
    token = sign(id_token_claims(), provider_rsa_key_rotated, kid="rsa-2")
    error = assert_rejected("jwks.unknown_kid", token, jwks, UnknownKeyError)
    assert isinstance(error, TokenValidationError)
    assert verify(token, rotated_jwks)["sub"] == SUB


def test_token_without_kid_uses_single_fitting_key(jwks, provider_ec_key):
    token = sign(id_token_claims(), provider_ec_key, "ES256", kid=None)
    assert verify(token, jwks)["sub"] == SUB


def test_token_without_kid_and_several_keys_rejected(rotated_jwks, provider_rsa_key):
    token = sign(id_token_claims(), provider_rsa_key, kid=None)
    assert_rejected("token.kid_missing", token, rotated_jwks)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("aaa.bbb", id="two-parts"),
        pytest.param("a.b.c.d", id="four-parts"),
        pytest.param("e30.e30.@@@", id="bad-base64-signature"),
        pytest.param("ey!.e30.c2ln", id="bad-base64-header"),
        pytest.param(b64url("not json") + ".e30.c2ln", id="non-json-header"),
        pytest.param(b64url("[1, 2]") + ".e30.c2ln", id="header-not-object"),
        pytest.param(b64url('"RS256"') + ".e30.c2ln", id="header-string"),
        pytest.param(
            b64url('{"alg":"RS256","alg":"none"}') + ".e30.c2ln",
            id="duplicate-header-member",
        ),
        pytest.param("", id="empty"),
        pytest.param("a.b.c.d.e", id="jwe-where-jws-expected"),
    ],
)
def test_malformed_tokens_rejected(jwks, token):
    assert_rejected("token.malformed", token, jwks)


def test_non_string_token_rejected(jwks):
    assert_rejected("token.malformed", None, jwks)


def test_signed_non_json_payload_rejected(jwks, provider_rsa_key):
    token = jwt.api_jws.encode(
        b"not json", provider_rsa_key, algorithm="RS256", headers={"kid": "rsa-1"}
    )
    assert_rejected("token.malformed", token, jwks)


def test_oversized_token_rejected(jwks, provider_rsa_key):
    token = sign(id_token_claims(padding="x" * 20000), provider_rsa_key)
    assert_rejected("token.oversized", token, jwks)


def test_unsafe_allowed_algs_refused(jwks, provider_rsa_key):
    with pytest.raises(ConfigurationError):
        verify(sign(id_token_claims(), provider_rsa_key), jwks, allowed_algs=["HS256"])


OTP = "mosip:idp:acr:generated-code"
BIOMETRICS = "mosip:idp:acr:biometrics"


@pytest.mark.parametrize(
    "expected", [OTP, f"{BIOMETRICS} {OTP}", [BIOMETRICS, OTP], (OTP,)]
)
def test_acr_among_the_requested_methods_accepted(provider_rsa_key, jwks, expected):
    token = sign(id_token_claims(acr=OTP), provider_rsa_key)
    assert verify(token, jwks, expected_acrs=expected)["acr"] == OTP


@pytest.mark.parametrize(
    "acr",
    [
        BIOMETRICS,  # authenticated with another method than the button's
        None,  # no acr claim at all
        ["mosip:idp:acr:generated-code"],  # not a string
        123,
        "",
        f"{OTP} {BIOMETRICS}",  # one claim naming two methods
    ],
)
def test_acr_other_missing_or_not_a_string_refused(provider_rsa_key, jwks, acr):
    claims = id_token_claims()
    if acr is None:
        del claims["acr"]
    else:
        claims["acr"] = acr
    token = sign(claims, provider_rsa_key)
    assert_rejected("id_token.acr", token, jwks, expected_acrs=OTP)


@pytest.mark.parametrize("expected", [None, "", "   ", []])
def test_no_requested_method_no_acr_check(provider_rsa_key, jwks, expected):
    token = sign(id_token_claims(acr=None), provider_rsa_key)
    assert "acr" not in verify(token, jwks, expected_acrs=expected)
