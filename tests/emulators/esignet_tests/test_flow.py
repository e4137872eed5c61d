"""Authorization code flow end to end, as an RP would drive it over HTTP."""

import base64
import hashlib
import json
import logging
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from .conftest import (
    AMADOU,
    FATIMA,
    KOFI,
    MARIA,
    PSUT_SECRET,
    REDIRECT_URI,
    public_jwk,
)


def test_happy_path(rp, emulator):
    tokens = rp.tokens(MARIA)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] > 0
    claims = rp.verify(tokens["id_token"])
    assert claims["nonce"] == rp.last["nonce"]
    assert claims["acr"] == "mosip:idp:acr:generated-code"
    assert claims["sub"] == emulator.psut(MARIA, "rp-test")
    assert claims["azp"] == "rp-test"
    assert claims["iat"] <= claims["exp"]
    assert claims["auth_time"] <= claims["iat"]
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    expected_at_hash = base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert claims["at_hash"] == expected_at_hash

    response = rp.userinfo(tokens["access_token"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/jwt"
    info = rp.verify(response.text)
    assert info["sub"] == claims["sub"]
    assert info["name"] == "Maria Santos Reyes"
    assert info["email"] == "maria.reyes@example.org"
    assert info["phone_number"].startswith("+63")
    assert info["birthdate"] == "1988/04/12"
    assert info["address"]["country"] == "Philippines"
    assert info["picture"].startswith("data:image/png;base64,")
    # POST is accepted as well
    assert rp.userinfo(tokens["access_token"], method="POST").status_code == 200


def test_id_token_header_kid_is_published(rp, emulator):
    tokens = rp.tokens()
    header = jwt.get_unverified_header(tokens["id_token"])
    assert header["alg"] == "RS256"
    kids = [k["kid"] for k in emulator.provider.jwks()["keys"]]
    assert header["kid"] in kids


def test_warm_login_request_log(rp, emulator):
    rp.tokens()
    log = emulator.requests_log
    assert ("GET", "/authorize") in log
    assert ("POST", "/authorize/login") in log
    assert ("POST", "/authorize/consent") in log
    assert ("POST", "/v1/esignet/oauth/v2/token") in log
    assert not any("jwks" in path for _, path in log)
    assert all("?" not in path for _, path in log)


def test_legacy_token_path(rp, emulator):
    code = rp.code()
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": "rp-test",
        "client_assertion_type": (
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ),
        "client_assertion": rp.assertion(
            aud=emulator.base_url + "/v1/esignet/oauth/token"
        ),
        "code_verifier": rp.last["verifier"],
    }
    response = requests.post(emulator.base_url + "/v1/esignet/oauth/token", data=data)
    assert response.status_code == 200, response.text


def test_psut_per_client_and_stable(make_rp, emulator):
    first = make_rp("rp-test").tokens(KOFI)
    again = make_rp("rp-test").tokens(KOFI)
    other = make_rp("rp-other").tokens(KOFI)
    sub = jwt.decode(first["id_token"], options={"verify_signature": False})["sub"]
    sub_again = jwt.decode(again["id_token"], options={"verify_signature": False})
    sub_other = jwt.decode(other["id_token"], options={"verify_signature": False})
    assert sub == sub_again["sub"]
    assert sub != sub_other["sub"]
    assert KOFI not in sub
    import hmac

    digest = hmac.new(
        PSUT_SECRET.encode(), f"{KOFI}|rp-test".encode(), hashlib.sha256
    ).digest()
    assert sub == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_psut_per_relying_party_across_its_clients(make_rp, emulator, keys):
    # eSignet derives the PSUT from the relying party: its clients (an RSA
    # and an EC key here) give one person the same sub; another relying
    # party gives another.
    emulator.register_client(
        "rp-ec-same-party",
        public_jwk(keys["ec"], "rp-ec-key"),
        [REDIRECT_URI],
        relying_party_id="rp-test",
    )
    rsa_rp, ec_rp = make_rp("rp-test"), make_rp("rp-ec-same-party", "ec", "ES256")
    via_rsa = rsa_rp.verify(rsa_rp.tokens(KOFI)["id_token"])["sub"]
    via_ec = ec_rp.verify(ec_rp.tokens(KOFI)["id_token"])["sub"]
    assert via_rsa == via_ec == emulator.psut(KOFI, "rp-ec-same-party")
    assert ec_rp.verify(ec_rp.tokens(MARIA)["id_token"])["sub"] != via_ec
    assert emulator.psut(KOFI, "rp-other") != via_ec


def test_unregistered_redirect_uri_gets_error_page(rp, emulator):
    url, _ = rp.authorize_url(redirect_uri="http://evil.test/cb")
    response = requests.get(url, allow_redirects=False)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert response.headers["Content-Type"].startswith("text/html")
    assert "invalid_redirect_uri" in response.text


def test_unknown_client_gets_error_page(rp):
    url, _ = rp.authorize_url(client_id="nobody")
    response = requests.get(url, allow_redirects=False)
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "invalid_client" in response.text


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge": None}, "invalid_request"),
        ({"nonce": None}, "invalid_request"),
        ({"scope": "profile email"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"acr_values": "mosip:idp:acr:unknown"}, "invalid_request"),
        ({"claims": "{not json"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_invalid_authorize_request_redirects_with_error(rp, emulator, params, error):
    url, session = rp.authorize_url(**params)
    response = requests.get(url, allow_redirects=False)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT_URI + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["error"] == [error]
    assert query["state"] == [session["state"]]
    assert "code" not in query
    # the headless helper returns the same redirect
    assert parse_qs(urlsplit(emulator.login(url, MARIA)).query)["error"] == [error]


def test_acr_not_allowed_for_client(make_rp):
    rp = make_rp("rp-restricted")
    url, _ = rp.authorize_url(acr_values="mosip:idp:acr:linked-wallet")
    response = requests.get(url, allow_redirects=False)
    assert parse_qs(urlsplit(response.headers["Location"]).query)["error"] == [
        "invalid_request"
    ]


def test_login_page_shows_acr_and_escapes(rp):
    url, _ = rp.authorize_url(acr_values="mosip:idp:acr:biometrics")
    page = requests.get(url).text
    assert "Biometrics" in page
    assert 'name="transaction_id"' in page
    assert "<script" not in page


def test_error_page_escapes_html(rp):
    url, _ = rp.authorize_url(client_id="<script>alert(1)</script>")
    page = requests.get(url).text
    assert "<script>" not in page


def test_wrong_otp(rp, emulator):
    url, _ = rp.authorize_url()
    from emulators.esignet import EmulatorLoginError

    with pytest.raises(EmulatorLoginError, match="Authentication failed"):
        emulator.login(url, MARIA, otp="000000")
    with pytest.raises(EmulatorLoginError, match="Authentication failed"):
        emulator.login(rp.authorize_url()[0], "0000000000")


def test_unknown_transaction(emulator):
    response = requests.post(
        emulator.base_url + "/authorize/login",
        data={"transaction_id": "nope", "individual_id": MARIA, "otp": "111111"},
    )
    assert response.status_code == 400
    assert "invalid_transaction" in response.text


def test_consent_cancel_redirects_with_error_and_state(rp):
    location, query, session = rp.login(MARIA, consent=False)
    assert location.startswith(REDIRECT_URI + "?")
    assert query["error"] == "consent_rejected"
    assert query["error_description"]
    assert query["state"] == session["state"]
    assert "code" not in query


def test_claims_request_respected(rp):
    claims = {
        "userinfo": {
            "name": {"essential": True},
            "email": {"essential": False},
            "birthdate": None,
        },
        "id_token": {"email": {"essential": True}},
    }
    tokens = rp.tokens(MARIA, scope="openid", claims=json.dumps(claims))
    id_claims = rp.verify(tokens["id_token"])
    assert id_claims["email"] == "maria.reyes@example.org"
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert set(info) == {
        "sub",
        "iss",
        "aud",
        "iat",
        "exp",
        "name",
        "email",
        "birthdate",
    }


def test_consent_page_marks_essential(rp, emulator):
    claims = {"userinfo": {"name": {"essential": True}, "email": None}}
    url, _ = rp.authorize_url(scope="openid", claims=json.dumps(claims))
    page = requests.get(url).text
    transaction_id = page.split('name="transaction_id" value="')[1].split('"')[0]
    response = requests.post(
        emulator.base_url + "/authorize/login",
        data={
            "transaction_id": transaction_id,
            "individual_id": MARIA,
            "otp": "111111",
        },
    )
    assert 'data-claim="name"' in response.text
    essential = response.text.split('data-claim="name"')[1].split("</li>")[0]
    assert "required" in essential
    assert 'value="email" checked' in response.text


def test_voluntary_claim_declined(rp):
    claims = {"userinfo": {"name": {"essential": True}, "email": None}}
    url, _ = rp.authorize_url(scope="openid", claims=json.dumps(claims))
    location = rp.emulator.login(url, MARIA, consent=[])
    code = parse_qs(urlsplit(location).query)["code"][0]
    tokens = rp.token(code).json()
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert info["name"] == "Maria Santos Reyes"
    assert "email" not in info


def test_missing_claim_is_omitted(rp):
    tokens = rp.tokens(FATIMA, scope="openid email phone")
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert "email" not in info
    assert info["phone_number"] == "+212615550143"


def test_client_claim_restrictions(make_rp):
    rp = make_rp("rp-restricted")
    tokens = rp.tokens(MARIA, scope="openid profile email phone")
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert {"name", "email"} <= set(info)
    assert "phone_number" not in info
    assert "birthdate" not in info


def test_locale_variants(rp):
    tokens = rp.tokens(AMADOU, scope="openid profile")
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert info["name"] == "Amadou Diallo"
    assert info["name#fr"] == "DIALLO Amadou"
    assert info["name#en"] == "Amadou Diallo"
    assert info["gender#fr"] == "Masculin"
    tokens = rp.tokens(AMADOU, scope="openid profile", claims_locales="fr")
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert "name#fr" in info
    assert "name#en" not in info


def test_individual_id_only_on_explicit_request(rp):
    info = rp.verify(rp.userinfo(rp.tokens(KOFI)["access_token"]).text)
    assert "individual_id" not in info
    claims = {"userinfo": {"individual_id": {"essential": True}, "national_id": None}}
    tokens = rp.tokens(KOFI, claims=json.dumps(claims))
    info = rp.verify(rp.userinfo(tokens["access_token"]).text)
    assert info["individual_id"] == KOFI
    assert info["national_id"] == "GHA-718273645-0"


def test_userinfo_encrypted_when_configured(make_rp, keys):
    from jwcrypto import jwe

    rp = make_rp("rp-enc")
    tokens = rp.tokens(MARIA)
    response = rp.userinfo(tokens["access_token"])
    assert response.headers["Content-Type"] == "application/jwt"
    assert response.text.count(".") == 4  # compact JWE
    header = json.loads(
        base64.urlsafe_b64decode(response.text.split(".")[0] + "==").decode()
    )
    assert header["alg"] == "RSA-OAEP-256"
    assert header["enc"] == "A256GCM"
    assert header["cty"] == "JWT"
    assert header["kid"] == "rp-enc-key"
    token = jwe.JWE()
    token.deserialize(response.text, key=keys["enc_jwk"])
    info = rp.verify(token.payload.decode())
    assert info["name"] == "Maria Santos Reyes"
    assert info["aud"] == "rp-enc"


def test_userinfo_requires_valid_token(rp, emulator):
    url = emulator.base_url + "/v1/esignet/oidc/userinfo"
    response = requests.get(url, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    response = requests.get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_access_token(rp, emulator):
    emulator.provider.state.access_token_lifetime = -1
    try:
        tokens = rp.tokens()
    finally:
        emulator.provider.state.access_token_lifetime = 3600
    response = rp.userinfo(tokens["access_token"])
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_logs_carry_no_secrets(rp, caplog):
    caplog.set_level(logging.DEBUG)
    location, query, session = rp.login(MARIA)
    response = rp.token(query["code"])
    tokens = response.json()
    userinfo = rp.userinfo(tokens["access_token"]).text
    text = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("emulators.esignet")
    )
    assert "POST /v1/esignet/oauth/v2/token 200" in text
    for secret in (
        query["code"],
        tokens["access_token"],
        tokens["id_token"],
        userinfo,
        session["state"],
        session["nonce"],
        session["verifier"],
        MARIA,
        "111111",
        "Maria",
    ):
        assert secret not in text
