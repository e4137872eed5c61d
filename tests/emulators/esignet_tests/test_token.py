"""Token endpoint: private_key_jwt client authentication, PKCE, code rules."""

import base64
import secrets
import time

import pytest
import requests

from .conftest import MARIA


def _error(response):
    assert response.headers["Content-Type"] == "application/json"
    return response.json()["error"]


def test_token_response_headers(rp):
    response = rp.token(rp.code())
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_pkce_mismatch_refused(rp):
    code = rp.code()
    wrong = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    response = rp.token(code, verifier=wrong)
    assert response.status_code == 400
    assert _error(response) == "invalid_grant"


def test_missing_verifier_refused(rp):
    code = rp.code()
    response = rp.token(code, code_verifier=None, verifier="")
    assert _error(response) == "invalid_grant"


def test_code_reuse_refused_and_tokens_revoked(rp):
    code = rp.code()
    first = rp.token(code)
    assert first.status_code == 200
    assert rp.userinfo(first.json()["access_token"]).status_code == 200
    second = rp.token(code)
    assert second.status_code == 400
    assert _error(second) == "invalid_grant"
    assert "already used" in second.json()["error_description"]
    assert rp.userinfo(first.json()["access_token"]).status_code == 401


def test_expired_code_refused(rp, emulator):
    emulator.provider.state.code_lifetime = 0
    code = rp.code()
    response = rp.token(code)
    assert _error(response) == "invalid_grant"
    assert "expired" in response.json()["error_description"]


def test_unknown_code_refused(rp):
    rp.authorize_url()
    assert _error(rp.token("not-a-code")) == "invalid_grant"


def test_redirect_uri_must_match(rp):
    response = rp.token(rp.code(), redirect_uri="http://rp.test/other")
    assert _error(response) == "invalid_grant"


def test_code_bound_to_client(rp, make_rp):
    code = rp.code()
    other = make_rp("rp-other")
    other.last = rp.last
    assert _error(other.token(code)) == "invalid_grant"


@pytest.mark.parametrize(
    ("claims", "fragment"),
    [
        ({"aud": "https://somewhere-else.example/token"}, "aud"),
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 180}, "expired"),
        ({"iss": "rp-other"}, "iss"),
        ({"sub": "rp-other"}, "sub"),
        ({"exp": int(time.time()) + 3600}, "lifetime"),
        ({"jti": None}, "jti"),
        ({"iat": int(time.time()) + 600, "exp": int(time.time()) + 660}, "future"),
    ],
)
def test_bad_client_assertion_refused(rp, claims, fragment):
    code = rp.code()
    response = rp.token(code, assertion=rp.assertion(**claims))
    assert response.status_code == 400
    assert _error(response) == "invalid_assertion"
    assert fragment in response.json()["error_description"]
    # the code is still usable with a good assertion
    assert rp.token(code).status_code == 200


def test_wrong_signature_refused(rp, keys):
    response = rp.token(rp.code(), assertion=rp.assertion(key=keys["other_rsa"]))
    assert response.status_code == 400
    assert _error(response) == "invalid_assertion"
    assert "signature" in response.json()["error_description"]


def test_hs256_assertion_refused(rp):
    import jwt

    forged = jwt.encode(
        {"iss": "rp-test", "sub": "rp-test", "aud": "x", "exp": 1}, "s" * 32
    )
    assert _error(rp.token(rp.code(), assertion=forged)) == "invalid_assertion"


def test_jti_reuse_refused(rp):
    assertion = rp.assertion()
    assert rp.token(rp.code(), assertion=assertion).status_code == 200
    response = rp.token(rp.code(), assertion=assertion)
    assert _error(response) == "invalid_assertion"
    assert "jti" in response.json()["error_description"]


def test_issuer_accepted_as_audience(rp, emulator):
    response = rp.token(rp.code(), assertion=rp.assertion(aud=emulator.issuer))
    assert response.status_code == 200, response.text


def test_ps256_and_es256_assertions(rp, make_rp):
    response = rp.token(rp.code(), assertion=rp.assertion(alg="PS256"))
    assert response.status_code == 200, response.text
    ec_rp = make_rp("rp-ec", key="ec", alg="ES256")
    assert ec_rp.token(ec_rp.code()).status_code == 200


def test_client_secret_refused(rp):
    response = rp.token(
        rp.code(),
        client_assertion=None,
        client_assertion_type=None,
        client_secret="s3cret",
    )
    assert response.status_code == 401
    assert _error(response) == "invalid_client"


def test_basic_auth_refused(rp, emulator):
    code = rp.code()
    response = requests.post(
        emulator.base_url + "/v1/esignet/oauth/v2/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": rp.redirect_uri,
            "code_verifier": rp.last["verifier"],
        },
        auth=("rp-test", "secret"),
    )
    assert response.status_code == 401
    assert _error(response) == "invalid_client"


def test_missing_assertion_refused(rp):
    response = rp.token(rp.code(), client_assertion=None)
    assert response.status_code == 401
    assert _error(response) == "invalid_client"


def test_unknown_client_refused(rp):
    response = rp.token(rp.code(), client_id="nobody")
    assert response.status_code == 401
    assert _error(response) == "invalid_client"


def test_wrong_grant_type(rp):
    response = rp.token(rp.code(), grant_type="client_credentials")
    assert _error(response) == "unsupported_grant_type"


def test_json_body_refused(rp, emulator):
    response = requests.post(
        emulator.base_url + "/v1/esignet/oauth/v2/token", json={"code": "x"}
    )
    assert response.status_code == 400
    assert _error(response) == "invalid_request"


def test_code_exchange_without_client_id_param(rp):
    response = rp.token(rp.code(MARIA), client_id=None)
    assert response.status_code == 200, response.text
