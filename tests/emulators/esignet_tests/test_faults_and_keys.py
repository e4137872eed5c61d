"""Discovery, JWKS, key rotation and fault injection."""

import json
import time

import jwt
import pytest
import requests

from emulators.esignet import EsignetEmulator, jwk_thumbprint

from .conftest import MARIA


def _decode(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_discovery(emulator):
    base = emulator.base_url
    doc = requests.get(base + "/.well-known/openid-configuration").json()
    assert doc["issuer"] == emulator.issuer == base
    assert doc["authorization_endpoint"] == base + "/authorize"
    assert doc["token_endpoint"] == base + "/v1/esignet/oauth/v2/token"
    assert doc["userinfo_endpoint"] == base + "/v1/esignet/oidc/userinfo"
    assert doc["jwks_uri"] == base + "/v1/esignet/oauth/.well-known/jwks.json"
    assert doc["response_types_supported"] == ["code"]
    assert doc["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["claims_parameter_supported"] is True
    assert set(doc["acr_values_supported"]) == {
        "mosip:idp:acr:generated-code",
        "mosip:idp:acr:biometrics",
        "mosip:idp:acr:linked-wallet",
        "mosip:idp:acr:static-code",
    }
    assert doc["userinfo_encryption_alg_values_supported"] == ["RSA-OAEP-256"]
    assert doc["userinfo_encryption_enc_values_supported"] == ["A256GCM"]
    for key in ("scopes_supported", "claims_supported", "ui_locales_supported"):
        assert doc[key]


def test_jwks_kid_is_thumbprint(emulator):
    jwks = requests.get(emulator.base_url + "/v1/esignet/oauth/.well-known/jwks.json")
    assert jwks.status_code == 200
    keys = jwks.json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert key["kty"] == "RSA" and key["use"] == "sig" and key["alg"] == "RS256"
    assert "d" not in key
    assert key["kid"] == jwk_thumbprint(key)
    public = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
    assert public.key_size == 2048


def test_rotate_keys(rp, emulator):
    old_kid = emulator.provider.signing_kid
    new_kid = emulator.rotate_keys()
    assert new_kid != old_kid
    assert [k["kid"] for k in emulator.provider.jwks()["keys"]] == [new_kid]
    tokens = rp.tokens()
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] == new_kid
    rp.verify(tokens["id_token"])

    newest = emulator.rotate_keys(keep_old=True)
    jwks_url = emulator.base_url + "/v1/esignet/oauth/.well-known/jwks.json"
    kids = [k["kid"] for k in requests.get(jwks_url).json()["keys"]]
    assert kids == [newest, new_kid]
    # an expired grace period drops the old key from the JWKS
    emulator.rotate_keys(keep_old=True, grace_seconds=0)
    assert newest not in [k["kid"] for k in emulator.provider.jwks()["keys"]]

    response = requests.post(
        emulator.base_url + "/_emulator/rotate-keys", json={"keep_old": False}
    )
    assert response.status_code == 200
    assert response.json()["kid"] == emulator.provider.signing_kid
    assert [k["kid"] for k in emulator.provider.jwks()["keys"]] == [
        emulator.provider.signing_kid
    ]


def _verify_fails(rp, token, exc):
    with pytest.raises(exc):
        rp.verify(token)


def test_fault_expired_id_token(rp, emulator):
    emulator.faults.expired_id_token = True
    claims = _decode(rp.tokens()["id_token"])
    assert claims["exp"] < time.time()


def test_fault_wrong_audience(rp, emulator):
    emulator.faults.id_token_wrong_audience = True
    token = rp.tokens()["id_token"]
    _verify_fails(rp, token, jwt.InvalidAudienceError)


def test_fault_wrong_issuer(rp, emulator):
    emulator.faults.id_token_wrong_issuer = True
    token = rp.tokens()["id_token"]
    _verify_fails(rp, token, jwt.InvalidIssuerError)


def test_fault_wrong_nonce(rp, emulator):
    emulator.faults.id_token_wrong_nonce = True
    tokens = rp.tokens()
    assert rp.verify(tokens["id_token"])["nonce"] != rp.last["nonce"]


def test_fault_userinfo_sub_mismatch(rp, emulator):
    emulator.faults.userinfo_sub_mismatch = True
    tokens = rp.tokens()
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert info["sub"] != rp.verify(tokens["id_token"])["sub"]


def test_fault_tamper_userinfo(rp, emulator):
    emulator.faults.tamper_userinfo = True
    tokens = rp.tokens()
    token = rp.userinfo(tokens["access_token"]).text
    assert _decode(token)["name"] == "Mallory Tampered"
    _verify_fails(rp, token, jwt.InvalidSignatureError)


def test_fault_sign_with_unpublished_key(rp, emulator):
    emulator.faults.sign_with_unpublished_key = True
    tokens = rp.tokens()
    published = [k["kid"] for k in emulator.provider.jwks()["keys"]]
    assert jwt.get_unverified_header(tokens["id_token"])["kid"] not in published
    userinfo = rp.userinfo(tokens["access_token"]).text
    assert jwt.get_unverified_header(userinfo)["kid"] not in published


def test_fault_delay(rp, emulator):
    code = rp.code()
    emulator.faults.delay_seconds = 0.3
    started = time.monotonic()
    response = rp.token(code)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(requests.Timeout):
        rp.emulator.faults.delay_seconds = 0.5
        requests.get(
            emulator.base_url + "/v1/esignet/oidc/userinfo",
            headers={"Authorization": "Bearer " + response.json()["access_token"]},
            timeout=0.1,
        )


def test_fault_token_http_error(rp, emulator):
    code = rp.code()
    emulator.faults.token_http_error = True
    response = rp.token(code)
    assert response.status_code == 500
    emulator.faults.token_http_error = False
    assert rp.token(code).status_code == 200


def test_faults_over_http(rp, emulator):
    url = emulator.base_url + "/_emulator/faults"
    response = requests.post(url, json={"id_token_wrong_nonce": True})
    assert response.status_code == 200
    assert response.json()["id_token_wrong_nonce"] is True
    assert emulator.faults.id_token_wrong_nonce is True
    assert requests.post(url, json={"no_such_fault": True}).status_code == 400
    assert requests.post(url, json={"delay_seconds": "x"}).status_code == 400
    response = requests.post(url, json={"reset": True})
    assert response.json()["id_token_wrong_nonce"] is False
    assert requests.get(url).json() == emulator.faults.as_dict()


def test_fault_endpoints_disabled(keys):
    with EsignetEmulator(
        signing_key=keys["provider"],
        allow_fault_injection=False,
        allow_client_registration=False,
    ) as emulator:
        base = emulator.base_url
        assert requests.post(base + "/_emulator/faults", json={}).status_code == 404
        assert requests.post(base + "/_emulator/rotate-keys").status_code == 404
        response = requests.post(base + "/v1/esignet/client-mgmt/oidc-client", json={})
        assert response.status_code == 404
        assert requests.get(base + "/_emulator/health").json() == {"status": "ok"}


def test_client_mgmt_registration(emulator, keys, rp):
    from .conftest import REDIRECT_URI, RelyingParty, public_jwk

    body = {
        "requestTime": "2025-01-01T00:00:00.000Z",
        "request": {
            "clientId": "rp-registered",
            "clientName": "Registered RP",
            "publicKey": public_jwk(keys["rsa"], "rp-key"),
            "relyingPartyId": "openg2p",
            "userClaims": ["name", "email"],
            "authContextRefs": ["mosip:idp:acr:generated-code"],
            "logoUri": "http://rp.test/logo.png",
            "redirectUris": [REDIRECT_URI],
            "grantTypes": ["authorization_code"],
            "clientAuthMethods": ["private_key_jwt"],
        },
    }
    url = emulator.base_url + "/v1/esignet/client-mgmt/oidc-client"
    response = requests.post(url, json=body).json()
    assert response["response"] == {"clientId": "rp-registered", "status": "ACTIVE"}
    assert requests.post(url, json=body).json()["errors"][0]["errorCode"] == (
        "duplicate_client_id"
    )
    new_rp = RelyingParty(emulator, "rp-registered", keys["rsa"], "rp-key")
    info = new_rp.verify(new_rp.userinfo(new_rp.tokens(MARIA)["access_token"]).text)
    assert "name" in info and "phone_number" not in info


def test_register_client_rejects_private_jwk(emulator):
    with pytest.raises(ValueError, match="private"):
        emulator.register_client(
            "bad", {"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "x"}, ["http://x/"]
        )
