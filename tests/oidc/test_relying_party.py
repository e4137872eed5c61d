"""complete_login: the whole callback against the in-process eSignet emulator."""

import base64
import dataclasses
import json
from urllib.parse import urlsplit

import pytest
from emulators.esignet import JWKS_PATH, TOKEN_PATH, USERINFO_PATH
from emulators.esignet.in_process import InProcessTransport

from g2p_auth_esignet.oidc import (
    LoginResult,
    ProviderResponseError,
    TokenValidationError,
    UnknownKeyError,
    UserinfoError,
    build_claims_request,
    check_assertion_alg,
    parse_discovery,
)
from g2p_auth_esignet.oidc.relying_party import (
    MemoryJwksStore,
    ProviderSettings,
    discovery_url,
)

from .in_process_login import (
    CLIENT_ID,
    ISSUER,
    authorize,
    callback,
    client_signing_key,
    login,
    new_provider,
    provider_settings,
)


@pytest.fixture(scope="module")
def signing_key(rp_rsa_key):
    return client_signing_key(rp_rsa_key)


@pytest.fixture
def provider(signing_key):
    return new_provider(signing_key)


@pytest.fixture
def settings(signing_key):
    return provider_settings(signing_key)


def jwks_fetches(transport):
    return transport.requests_log.count(("GET", JWKS_PATH))


def test_login_maps_kyc_and_psut(provider, settings):
    result, transport = login(provider, settings, MemoryJwksStore())
    assert result.sub == provider.psut("5037418692", CLIENT_ID)
    assert result.mapped.values["name"] == "Maria Santos Reyes"
    assert result.mapped.values["birthdate"].isoformat() == "1988-04-12"
    assert transport.requests_log[0] == ("POST", TOKEN_PATH)
    assert ("GET", USERINFO_PATH) in transport.requests_log


def test_warm_login_fetches_no_jwks(provider, settings):
    store = MemoryJwksStore()
    _, cold = login(provider, settings, store)
    assert jwks_fetches(cold) == 1
    _, warm = login(provider, settings, store)
    assert jwks_fetches(warm) == 0
    assert store.saves == 1


def test_stale_cache_is_refetched(provider, settings):
    store = MemoryJwksStore()
    login(provider, settings, store)
    store.fetched_at -= settings.jwks_ttl + 1
    _, transport = login(provider, settings, store)
    assert jwks_fetches(transport) == 1


def test_rotation_refreshes_once_then_succeeds(provider, settings):
    store = MemoryJwksStore()
    login(provider, settings, store)
    provider.rotate_keys()
    store.fetched_at -= settings.jwks_min_refresh_interval + 1
    result, transport = login(provider, settings, store)
    assert jwks_fetches(transport) == 1
    assert result.sub


def test_refresh_rate_limited_across_logins(provider, settings):
    store = MemoryJwksStore()
    login(provider, settings, store)
    provider.rotate_keys()
    # The JWKS was fetched a moment ago: no second fetch for a forged kid.
    with pytest.raises(UnknownKeyError):
        login(provider, settings, store)


def test_unpublished_key_fails_after_one_refresh(provider, settings):
    store = MemoryJwksStore()
    provider.faults.sign_with_unpublished_key = True
    transport = InProcessTransport(provider)
    with pytest.raises(UnknownKeyError) as raised:
        login(provider, settings, store, transport)
    assert raised.value.check == "jwks.unknown_kid"
    assert jwks_fetches(transport) == 1, "cold fetch only: the refresh is rate-limited"


@pytest.mark.parametrize(
    ("fault", "error", "check"),
    [
        ("expired_id_token", TokenValidationError, "id_token.expired"),
        ("id_token_wrong_audience", TokenValidationError, "id_token.aud"),
        ("id_token_wrong_issuer", TokenValidationError, "id_token.iss"),
        ("id_token_wrong_nonce", TokenValidationError, "id_token.nonce"),
        ("userinfo_sub_mismatch", UserinfoError, "userinfo.sub_mismatch"),
        ("tamper_userinfo", UserinfoError, "userinfo.signature"),
        ("token_http_error", ProviderResponseError, "token.http_error"),
    ],
)
def test_provider_faults_are_refused(provider, settings, fault, error, check):
    setattr(provider.faults, fault, True)
    with pytest.raises(error) as raised:
        login(provider, settings, MemoryJwksStore())
    assert raised.value.check == check


def test_replayed_code_is_refused(provider, settings):
    transaction, code = authorize(provider)
    store = MemoryJwksStore()
    _, transport = callback(provider, settings, transaction, code, store)
    with pytest.raises(ProviderResponseError) as raised:
        callback(provider, settings, transaction, code, store, transport)
    assert raised.value.provider_error == "invalid_grant"


def test_id_token_only_when_userinfo_not_called(provider, settings):
    no_userinfo = ProviderSettings(**{**settings.__dict__, "fetch_userinfo": False})
    result, transport = login(provider, no_userinfo, MemoryJwksStore())
    assert ("GET", USERINFO_PATH) not in transport.requests_log
    assert result.userinfo_claims == {}


def test_discovery_document(provider):
    document = json.dumps(provider.discovery())
    discovery = parse_discovery(document, ISSUER)
    endpoints = discovery.endpoints
    assert endpoints["token_endpoint"] == ISSUER + TOKEN_PATH
    assert endpoints["jwks_uri"] == ISSUER + JWKS_PATH
    assert endpoints["validation_endpoint"] == ISSUER + USERINFO_PATH
    assert "mosip:idp:acr:biometrics" in discovery.acr_values_supported
    assert discovery_url(ISSUER + "/") == ISSUER + "/.well-known/openid-configuration"


@pytest.mark.parametrize(
    ("document", "check"),
    [
        ("not json", "discovery.malformed"),
        ("[]", "discovery.malformed"),
        ('{"issuer": "https://evil.example"}', "discovery.issuer_mismatch"),
        (json.dumps({"issuer": ISSUER}), "discovery.missing_authorization_endpoint"),
    ],
)
def test_discovery_refuses_bad_documents(document, check):
    with pytest.raises(ProviderResponseError) as raised:
        parse_discovery(document, ISSUER)
    assert raised.value.check == check


def discovery_document(provider, **changes):
    document = provider.discovery()
    for name, value in changes.items():
        if value is None:
            document.pop(name, None)
        else:
            document[name] = value
    return json.dumps(document)


def test_discovery_reads_the_assertion_algorithms(provider):
    discovery = parse_discovery(discovery_document(provider), ISSUER)
    assert discovery.endpoints == {
        "auth_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + TOKEN_PATH,
        "validation_endpoint": ISSUER + USERINFO_PATH,
        "jwks_uri": ISSUER + JWKS_PATH,
    }
    algs = discovery.token_endpoint_auth_signing_alg_values_supported
    assert "RS256" in algs and all(isinstance(alg, str) for alg in algs)
    check_assertion_alg("RS256", algs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),  # not published: the caller cannot check
        ("RS256", None),  # not a list: ignored
        (["PS256", 7, None, ""], ["PS256"]),
        ([], []),
    ],
)
def test_discovery_assertion_algorithms_odd_values(provider, value, expected):
    document = discovery_document(
        provider, token_endpoint_auth_signing_alg_values_supported=value
    )
    discovery = parse_discovery(document, ISSUER)
    assert discovery.token_endpoint_auth_signing_alg_values_supported == expected


def test_discovery_without_userinfo_endpoint_accepted(provider):
    document = discovery_document(provider, userinfo_endpoint=None)
    discovery = parse_discovery(document, ISSUER)
    assert discovery.endpoints["validation_endpoint"] is None


@pytest.mark.parametrize(
    "member", ["authorization_endpoint", "token_endpoint", "jwks_uri"]
)
def test_discovery_requires_the_other_endpoints(provider, member):
    with pytest.raises(ProviderResponseError) as raised:
        parse_discovery(discovery_document(provider, **{member: None}), ISSUER)
    assert raised.value.check == "discovery.missing_" + member


@pytest.mark.parametrize(
    "member",
    ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"],
)
@pytest.mark.parametrize(
    "url",
    [
        "http://esignet.example.org/endpoint",
        "http://10.0.0.7/endpoint",
        "http://localhost.evil.example/endpoint",
        "http://127.0.0.1.nip.io/endpoint",
        "http://[::ffff:10.0.0.7]/endpoint",
        "http://0.0.0.0/endpoint",
    ],
)
def test_discovery_refuses_clear_text_endpoints(provider, member, url):
    with pytest.raises(ProviderResponseError) as raised:
        parse_discovery(discovery_document(provider, **{member: url}), ISSUER)
    assert raised.value.check == "discovery.insecure_endpoint"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8088/v1/esignet/oauth/v2/token",
        "http://127.0.0.1:8088/token",
        "http://127.3.4.5/token",
        "http://[::1]:8088/token",
        "http://[::ffff:127.0.0.1]:8088/token",
        "https://esignet.example.org/token",
    ],
)
def test_discovery_accepts_https_and_loopback_http(provider, url):
    document = discovery_document(provider, token_endpoint=url)
    assert parse_discovery(document, ISSUER).endpoints["token_endpoint"] == url


@pytest.mark.parametrize(
    "url", ["ftp://esignet.example.org/token", "https://", "https://[::1/token", 42]
)
def test_discovery_refuses_malformed_endpoints(provider, url):
    with pytest.raises(ProviderResponseError) as raised:
        parse_discovery(discovery_document(provider, token_endpoint=url), ISSUER)
    assert raised.value.check in (
        "discovery.invalid_token_endpoint",
        "discovery.missing_token_endpoint",
    )


# -- requested authentication method (acr) ------------------------------------

OTP = "mosip:idp:acr:generated-code"
BIOMETRICS = "mosip:idp:acr:biometrics"


def test_login_with_the_requested_method_accepted(provider, settings):
    transaction, code = authorize(provider, acr=f"{BIOMETRICS} {OTP}")
    result, _ = callback(provider, settings, transaction, code)
    assert result.acr == BIOMETRICS


def test_login_with_another_method_than_requested_refused(provider, settings):
    # The button asked for OTP; the request that reached eSignet (tampered
    # with on the way) asked for biometrics, and the token says so.
    transaction, code = authorize(provider, acr=OTP, acr_values=BIOMETRICS)
    with pytest.raises(TokenValidationError) as raised:
        callback(provider, settings, transaction, code)
    assert raised.value.check == "id_token.acr"


def test_login_without_requested_method_checks_no_acr(provider, settings):
    transaction, code = authorize(provider, acr_values=BIOMETRICS)
    result, _ = callback(provider, settings, transaction, code)
    assert result.acr == BIOMETRICS


# -- claims vouched for by the provider's signature ---------------------------

KOFI = "9182736450"


class PlainJsonUserinfo(InProcessTransport):
    """A provider configured for plain-JSON userinfo (no signature)."""

    def get(self, url, headers):
        response = super().get(url, headers)
        if urlsplit(url).path == USERINFO_PATH and response.status_code == 200:
            payload = response.body.split(b".")[1]
            response.body = base64.urlsafe_b64decode(
                payload + b"=" * (-len(payload) % 4)
            )
            response.content_type = "application/json"
        return response


@pytest.mark.parametrize(
    ("userinfo_format", "signed"), [("json", False), ("jws", True)]
)
def test_verified_claims_take_userinfo_only_when_signed(
    provider, settings, userinfo_format, signed
):
    settings = dataclasses.replace(settings, userinfo_format=userinfo_format)
    transaction, code = authorize(
        provider, KOFI, claims=build_claims_request(["individual_id"], [])
    )
    transport = PlainJsonUserinfo(provider) if not signed else None
    result, _ = callback(provider, settings, transaction, code, transport=transport)
    assert result.userinfo_signed is signed
    assert "individual_id" not in result.id_token_claims
    assert result.claims["individual_id"] == KOFI
    assert ("individual_id" in result.verified_claims) is signed
    assert result.verified_claims["sub"] == result.sub


def test_verified_claims_without_userinfo_are_the_id_token_claims():
    result = LoginResult(
        sub="psut",
        id_token_claims={"sub": "psut", "individual_id": "from-id-token"},
        userinfo_claims={"individual_id": "from-json", "email": "a@b.org"},
        mapped=None,
    )
    assert result.userinfo_signed is False
    assert result.verified_claims == {"sub": "psut", "individual_id": "from-id-token"}
    assert result.claims["individual_id"] == "from-json"
