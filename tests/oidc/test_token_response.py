"""Token endpoint answers."""

import json

import pytest

from g2p_auth_esignet.oidc import ProviderResponseError, parse_token_response

GOOD = {
    "access_token": "at",
    "id_token": "a.b.c",
    "token_type": "Bearer",
    "expires_in": 3600,
}


def parse(body, status=200, content_type="application/json;charset=UTF-8"):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    return parse_token_response(status, body, content_type)


def rejected(body, check, **kw):
    with pytest.raises(ProviderResponseError) as raised:
        parse(body, **kw)
    assert raised.value.check == check
    return raised.value


def test_good_response():
    response = parse(GOOD)
    assert response.access_token == "at" and response.id_token == "a.b.c"
    assert response.token_type == "Bearer" and response.expires_in == 3600
    assert "at" not in repr(response).replace("Response", "")


def test_token_type_case_insensitive():
    assert parse({**GOOD, "token_type": "bearer"}).token_type == "Bearer"


def test_http_error_keeps_error_code_not_body():
    body = {"error": "invalid_client", "error_description": "client TOPSECRET"}
    error = rejected(body, "token.http_error", status=401)
    assert error.provider_error == "invalid_client" and error.status_code == 401
    assert "TOPSECRET" not in str(error) and "TOPSECRET" not in error.message_key


def test_http_error_with_html_body():
    error = rejected(b"<html>502</html>", "token.http_error", status=502)
    assert error.provider_error is None


def test_non_json_rejected():
    rejected(b"not json", "token.malformed")
    rejected(b"[1]", "token.malformed")


def test_non_json_content_type_rejected():
    rejected(GOOD, "token.content_type", content_type="text/html")


@pytest.mark.parametrize(
    ("missing", "check"),
    [
        ("access_token", "token.missing_access_token"),
        ("id_token", "token.missing_id_token"),
    ],
)
def test_missing_tokens_rejected(missing, check):
    rejected({k: v for k, v in GOOD.items() if k != missing}, check)


def test_token_type_not_bearer_rejected():
    rejected({**GOOD, "token_type": "DPoP"}, "token.token_type")


def test_oversized_rejected():
    rejected(b"{" + b" " * (256 * 1024) + b"}", "token.oversized")
