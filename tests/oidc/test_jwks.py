"""Provider JWKS validation, key selection and refresh policy."""

import json

import pytest

from g2p_auth_esignet.oidc import (
    JwksRefreshPolicy,
    ProviderResponseError,
    TokenValidationError,
    UnknownKeyError,
    parse_jwks,
    select_key,
)

from .conftest import private_jwk_of, public_jwk_of


def test_parse_keeps_signing_keys_only(provider_rsa_key, provider_ec_key, rp_rsa_key):
    document = {
        "keys": [
            public_jwk_of(provider_rsa_key, "sig-1"),
            public_jwk_of(provider_ec_key, "enc-1", use="enc"),
            private_jwk_of(rp_rsa_key, kid="leaked"),
            {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
            {"kty": "RSA", "kid": "broken", "n": "AQAB", "e": "AQAB"},
            "not an object",
        ]
    }
    parsed = parse_jwks(json.dumps(document).encode())
    assert [jwk["kid"] for jwk in parsed["keys"]] == ["sig-1"]


def test_parse_rejects_malformed_empty_and_oversized():
    for body, check in [
        (b"nope", "jwks.malformed"),
        (b'{"keys": {}}', "jwks.malformed"),
        (b'{"keys": []}', "jwks.empty"),
        (b" " * (256 * 1024 + 1), "jwks.oversized"),
    ]:
        with pytest.raises(ProviderResponseError) as raised:
            parse_jwks(body)
        assert raised.value.check == check


def test_select_key_by_kid(jwks, provider_rsa_key):
    key = select_key(jwks, "rsa-1", "RS256")
    assert key.public_numbers() == provider_rsa_key.public_key().public_numbers()


def test_select_key_unknown_kid(jwks):
    with pytest.raises(UnknownKeyError) as raised:
        select_key(jwks, "nope", "RS256")
    assert raised.value.check == "jwks.unknown_kid"


def test_select_key_refuses_type_confusion(jwks):
    with pytest.raises(TokenValidationError) as raised:
        select_key(jwks, "ec-1", "RS256")
    assert raised.value.check == "token.alg_key_mismatch"


def test_select_key_honours_jwk_alg(provider_rsa_key):
    jwks = {"keys": [public_jwk_of(provider_rsa_key, "k", alg="RS256")]}
    assert select_key(jwks, "k", "RS256")
    with pytest.raises(TokenValidationError):
        select_key(jwks, "k", "PS256")


def test_select_key_without_kid(jwks, rotated_jwks):
    assert select_key(jwks, None, "ES256")
    with pytest.raises(TokenValidationError) as raised:
        select_key(rotated_jwks, None, "RS256")
    assert raised.value.check == "token.kid_missing"


def test_select_key_ignores_private_keys_in_unparsed_jwks(rp_rsa_key):
    jwks = {"keys": [private_jwk_of(rp_rsa_key, kid="leaked")]}
    with pytest.raises(UnknownKeyError):
        select_key(jwks, "leaked", "RS256")


def test_refresh_policy():
    policy = JwksRefreshPolicy
    assert policy.should_fetch(None, 1000)
    assert not policy.should_fetch(1000, 1000 + 3599)
    assert policy.should_fetch(1000, 1000 + 3600)
    assert policy.may_refresh_for_unknown_kid(None, 1000)
    assert not policy.may_refresh_for_unknown_kid(1000, 1029)
    assert policy.may_refresh_for_unknown_kid(1000, 1030)
