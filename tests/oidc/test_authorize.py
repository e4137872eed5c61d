"""Authorization URL and callback parameters."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from g2p_auth_esignet.oidc import (
    ConfigurationError,
    LoginTransaction,
    ProviderResponseError,
    build_authorize_url,
    build_claims_request,
    messages,
    parse_callback,
)

from .conftest import CLIENT_ID, NOW

ENDPOINT = "https://esignet.example.org/authorize?tenant=gov&x="


def query_of(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_authorize_url_carries_the_transaction_and_pkce():
    transaction = LoginTransaction.new(1, NOW, acr="mosip:idp:acr:generated-code")
    claims = build_claims_request(["name", "birthdate"], ["email"])
    url = build_authorize_url(
        ENDPOINT,
        client_id=CLIENT_ID,
        redirect_uri="https://portal.example.org/auth_oauth/signin",
        transaction=transaction,
        claims=claims,
        ui_locales=["en", "fr"],
        prompt="consent",
        display="page",
        claims_locales="en",
    )
    assert url.startswith("https://esignet.example.org/authorize?")
    query = query_of(url)
    assert query["tenant"] == ["gov"] and query["x"] == [""]
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["state"] == [transaction.state]
    assert query["nonce"] == [transaction.nonce]
    assert query["code_challenge"] == [transaction.code_challenge]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["openid profile"]
    assert query["acr_values"] == ["mosip:idp:acr:generated-code"]
    assert query["ui_locales"] == ["en fr"]
    assert json.loads(query["claims"][0]) == claims
    assert "code_verifier" not in query


def test_acr_values_list_and_openid_scope_added():
    transaction = LoginTransaction.new(1, NOW)
    url = build_authorize_url(
        ENDPOINT,
        client_id=CLIENT_ID,
        redirect_uri="https://portal/cb",
        transaction=transaction,
        scope="profile",
        acr_values=["mosip:idp:acr:biometrics", "mosip:idp:acr:generated-code"],
    )
    query = query_of(url)
    assert query["scope"] == ["openid profile"]
    assert query["acr_values"] == [
        "mosip:idp:acr:biometrics mosip:idp:acr:generated-code"
    ]


def test_extra_cannot_override_protocol_parameters():
    with pytest.raises(ConfigurationError):
        build_authorize_url(
            ENDPOINT,
            client_id=CLIENT_ID,
            redirect_uri="https://portal/cb",
            transaction=LoginTransaction.new(1, NOW),
            extra={"state": "attacker"},
        )


def test_claims_request_in_esignet_format():
    assert build_claims_request(["name"], ["email", "name"]) == {
        "userinfo": {"name": {"essential": True}, "email": {"essential": False}},
        "id_token": {},
    }


def test_callback_code_and_state():
    assert parse_callback({"code": "abc", "state": "xyz"}) == ("abc", "xyz")
    assert parse_callback({"code": ["abc"]}) == ("abc", None)


@pytest.mark.parametrize("error", ["access_denied", "consent_rejected"])
def test_callback_cancelled(error):
    with pytest.raises(ProviderResponseError) as raised:
        parse_callback({"error": error, "error_description": "<script>", "state": "s"})
    assert raised.value.check == "callback.error"
    assert raised.value.provider_error == error
    assert raised.value.message_key == messages.CANCELLED
    assert "<script>" not in str(raised.value)


def test_callback_other_error_sanitised():
    with pytest.raises(ProviderResponseError) as raised:
        parse_callback({"error": "server_error\r\nforged log line"})
    assert "\n" not in str(raised.value)
    assert raised.value.message_key == messages.DEFAULT


def test_callback_missing_code():
    with pytest.raises(ProviderResponseError) as raised:
        parse_callback({"state": "xyz"})
    assert raised.value.check == "callback.missing_code"
