"""Userinfo: signed (eSignet default), encrypted-then-signed, and plain JSON."""

import hashlib
import hmac
import json

import pytest
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from g2p_auth_esignet.oidc import (
    ConfigurationError,
    ProviderResponseError,
    UnknownKeyError,
    UserinfoClaims,
    UserinfoError,
    check_userinfo_status,
    load_decryption_key,
    parse_userinfo,
)

from .conftest import (
    CLIENT_ID,
    ISSUER,
    NOW,
    SUB,
    b64url,
    pem_private,
    private_jwk_of,
    sign,
)

KYC = {
    "sub": SUB,
    "iss": ISSUER,
    "aud": CLIENT_ID,
    "name#en": "Ada Lovelace",
    "birthdate": "1990/05/17",
}


def parse(body, content_type="application/jwt", expected_format="jws", **kw):
    arguments = {
        "expected_format": expected_format,
        "jwks": kw.pop("jwks"),
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "expected_sub": SUB,
        "now": NOW,
    }
    arguments.update(kw)
    return parse_userinfo(body, content_type, **arguments)


def encrypt_to(rp_key, payload, alg="RSA-OAEP-256", enc="A256GCM"):
    recipient = jwcrypto_jwk.JWK.from_pem(pem_private(rp_key).encode())
    public = jwcrypto_jwk.JWK(**recipient.export_public(as_dict=True))
    token = jwcrypto_jwe.JWE(
        payload.encode(),
        json.dumps({"alg": alg, "enc": enc, "cty": "JWT"}),
        algs=[alg, enc],
    )
    token.add_recipient(public)
    return token.serialize(compact=True)


def test_signed_userinfo_accepted(jwks, provider_rsa_key):
    body = sign(KYC, provider_rsa_key).encode()
    claims = parse(body, "application/jwt; charset=utf-8", jwks=jwks)
    assert claims["name#en"] == "Ada Lovelace"


def test_tampered_userinfo_rejected(jwks, provider_rsa_key):
    header, _payload, signature = sign(KYC, provider_rsa_key).split(".")
    forged = b64url(json.dumps({**KYC, "name#en": "Mallory"}))
    with pytest.raises(UserinfoError) as raised:
        parse(f"{header}.{forged}.{signature}", jwks=jwks)
    assert raised.value.check == "userinfo.signature"


def test_userinfo_sub_mismatch_rejected(jwks, provider_rsa_key):
    body = sign({**KYC, "sub": "PSUT-other"}, provider_rsa_key)
    with pytest.raises(UserinfoError) as raised:
        parse(body, jwks=jwks)
    assert raised.value.check == "userinfo.sub_mismatch"


def test_userinfo_missing_sub_rejected(jwks, provider_rsa_key):
    body = sign({k: v for k, v in KYC.items() if k != "sub"}, provider_rsa_key)
    with pytest.raises(UserinfoError) as raised:
        parse(body, jwks=jwks)
    assert raised.value.check == "userinfo.sub_mismatch"


def test_userinfo_wrong_iss_and_aud_rejected(jwks, provider_rsa_key):
    with pytest.raises(UserinfoError) as raised:
        parse(sign({**KYC, "iss": "https://evil"}, provider_rsa_key), jwks=jwks)
    assert raised.value.check == "userinfo.iss"
    with pytest.raises(UserinfoError) as raised:
        parse(sign({**KYC, "aud": "other"}, provider_rsa_key), jwks=jwks)
    assert raised.value.check == "userinfo.aud"


def test_userinfo_expired_rejected(jwks, provider_rsa_key):
    body = sign({**KYC, "exp": int(NOW) - 120}, provider_rsa_key)
    with pytest.raises(UserinfoError) as raised:
        parse(body, jwks=jwks)
    assert raised.value.check == "userinfo.expired"


def test_userinfo_hs256_rejected(jwks):
    header = b64url('{"alg":"HS256","kid":"rsa-1"}')
    payload = b64url(json.dumps(KYC))
    mac = hmac.new(b"secret", f"{header}.{payload}".encode(), hashlib.sha256)
    with pytest.raises(UserinfoError) as raised:
        parse(f"{header}.{payload}.{b64url(mac.digest())}", jwks=jwks)
    assert raised.value.check == "userinfo.alg_not_allowed"


def test_userinfo_unknown_kid_raises_unknown_key(jwks, provider_rsa_key_rotated):
    with pytest.raises(UnknownKeyError):
        parse(sign(KYC, provider_rsa_key_rotated, kid="rsa-2"), jwks=jwks)


def test_plain_json_rejected_when_signed_expected(jwks):
    with pytest.raises(UserinfoError) as raised:
        parse(json.dumps(KYC), "application/json", jwks=jwks)
    assert raised.value.check == "userinfo.unexpected_format"


def test_signed_rejected_when_encrypted_expected(jwks, provider_rsa_key, rp_rsa_key):
    with pytest.raises(UserinfoError) as raised:
        parse(
            sign(KYC, provider_rsa_key),
            expected_format="jwe",
            decryption_keys=[pem_private(rp_rsa_key)],
            jwks=jwks,
        )
    assert raised.value.check == "userinfo.unexpected_format"


def test_plain_json_accepted_when_configured(jwks):
    claims = parse(json.dumps(KYC), "application/json", "json", jwks=jwks)
    assert claims["sub"] == SUB
    assert claims.signed is False


def test_signed_userinfo_marked_signed(jwks, provider_rsa_key, rp_rsa_key):
    claims = parse(sign(KYC, provider_rsa_key), jwks=jwks)
    assert isinstance(claims, UserinfoClaims) and claims.signed is True
    assert claims == KYC
    encrypted = parse(
        encrypt_to(rp_rsa_key, sign(KYC, provider_rsa_key)),
        expected_format="jwe",
        decryption_keys=[pem_private(rp_rsa_key)],
        jwks=jwks,
    )
    assert encrypted.signed is True


@pytest.mark.parametrize(
    "body",
    [
        '{"sub": "PSUT-1234567890", "sub": "someone-else"}',  # which sub?
        '{"sub": "PSUT-1234567890", "score": NaN}',
        "[1, 2]",
    ],
)
def test_ambiguous_or_non_object_json_userinfo_rejected(jwks, body):
    with pytest.raises(UserinfoError) as raised:
        parse(body, "application/json", "json", jwks=jwks)
    assert raised.value.check in ("userinfo.malformed", "userinfo.sub_mismatch")


def test_content_type_contradicting_body_rejected(jwks, provider_rsa_key):
    with pytest.raises(UserinfoError) as raised:
        parse(sign(KYC, provider_rsa_key), "application/json", jwks=jwks)
    assert raised.value.check == "userinfo.content_type"


@pytest.mark.parametrize("key_format", ["pem", "jwk", "jwcrypto"])
def test_encrypted_userinfo_decrypted_with_right_key(
    jwks, provider_rsa_key, rp_rsa_key, rp_rsa_key_other, key_format
):
    body = encrypt_to(rp_rsa_key, sign(KYC, provider_rsa_key))
    if key_format == "pem":
        right_key = pem_private(rp_rsa_key)
    elif key_format == "jwk":
        right_key = json.dumps(private_jwk_of(rp_rsa_key, kid="rp-enc"))
    else:
        right_key = jwcrypto_jwk.JWK.from_pem(pem_private(rp_rsa_key).encode())
    claims = parse(
        body,
        expected_format="jwe",
        # The wrong key first: every configured key is tried.
        decryption_keys=[pem_private(rp_rsa_key_other), right_key],
        jwks=jwks,
    )
    assert claims["name#en"] == "Ada Lovelace"


@pytest.mark.parametrize(
    ("payload", "enc_alg", "decryption_key", "options", "check"),
    [
        pytest.param(
            "signed",
            "RSA-OAEP-256",
            "rp_rsa_key_other",
            {},
            "userinfo.decrypt",
            id="wrong_key",
        ),
        pytest.param(
            "plain",
            "RSA-OAEP-256",
            "rp_rsa_key",
            {},
            "userinfo.not_nested_jws",
            id="must_wrap_a_signed_jwt",
        ),
        pytest.param(
            "signed",
            "RSA1_5",
            "rp_rsa_key",
            {"allowed_enc_algs": ("RSA1_5", "RSA-OAEP-256")},
            "userinfo.enc_alg_not_allowed",
            id="rsa1_5",
        ),
    ],
)
def test_encrypted_userinfo_refused(
    request,
    jwks,
    provider_rsa_key,
    rp_rsa_key,
    payload,
    enc_alg,
    decryption_key,
    options,
    check,
):
    inner = sign(KYC, provider_rsa_key) if payload == "signed" else json.dumps(KYC)
    body = encrypt_to(rp_rsa_key, inner, alg=enc_alg)
    with pytest.raises(UserinfoError) as raised:
        parse(
            body,
            expected_format="jwe",
            decryption_keys=[pem_private(request.getfixturevalue(decryption_key))],
            jwks=jwks,
            **options,
        )
    assert raised.value.check == check


def test_encrypted_userinfo_without_decryption_key_is_misconfiguration(
    jwks, provider_rsa_key, rp_rsa_key
):
    body = encrypt_to(rp_rsa_key, sign(KYC, provider_rsa_key))
    with pytest.raises(ConfigurationError):
        parse(body, expected_format="jwe", jwks=jwks)


def test_decryption_key_garbage_not_echoed():
    secret_looking = "-----BEGIN PRIVATE KEY-----\nTOPSECRET\n-----END PRIVATE KEY-----"
    with pytest.raises(ConfigurationError) as raised:
        load_decryption_key(secret_looking)
    assert "TOPSECRET" not in str(raised.value)
    assert "TOPSECRET" not in raised.value.message_key
    assert raised.value.__cause__ is None
    assert raised.value.__context__ is None or raised.value.__suppress_context__


def test_oversized_userinfo_rejected(jwks):
    with pytest.raises(UserinfoError) as raised:
        parse(b"x" * (256 * 1024 + 1), jwks=jwks)
    assert raised.value.check == "userinfo.oversized"


def test_userinfo_http_error_keeps_only_error_code():
    body = json.dumps({"error": "invalid_token", "error_description": "secret-ish"})
    with pytest.raises(ProviderResponseError) as raised:
        check_userinfo_status(401, body)
    assert raised.value.check == "userinfo.http_error"
    assert raised.value.provider_error == "invalid_token"
    assert "secret-ish" not in str(raised.value)
    check_userinfo_status(200, "")
