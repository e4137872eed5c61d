"""complete_login: the whole callback against the in-process eSignet emulator."""

import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest

from g2p_auth_esignet.emulator.in_process import InProcessTransport, login_in_process
from g2p_auth_esignet.emulator.provider import (
    JWKS_PATH,
    TOKEN_PATH,
    USERINFO_PATH,
    Provider,
)
from g2p_auth_esignet.oidc import (
    LoginTransaction,
    ProviderResponseError,
    TokenValidationError,
    UnknownKeyError,
    UserinfoError,
    build_authorize_url,
    load_private_key,
    parse_callback,
    parse_mapping,
    public_jwk,
)
from g2p_auth_esignet.oidc.relying_party import (
    MemoryJwksStore,
    ProviderSettings,
    complete_login,
    discovery_endpoints,
    discovery_url,
)

from .conftest import pem_private

ISSUER = "https://esignet.emulator.test"
REDIRECT_URI = "https://portal.example.org/auth_oauth/signin"
CLIENT_ID = "rp-flow"
MAPPING = tuple(
    parse_mapping(
        "name:name email:email phone:phone_number birthdate:birthdate "
        "gender:gender address:address"
    )
)


@pytest.fixture(scope="module")
def signing_key(rp_rsa_key):
    return load_private_key(pem_private(rp_rsa_key))


@pytest.fixture
def provider(signing_key):
    provider = Provider(issuer=ISSUER)
    provider.register_client(CLIENT_ID, public_jwk(signing_key), [REDIRECT_URI])
    return provider


@pytest.fixture
def settings(signing_key):
    return ProviderSettings(
        client_id=CLIENT_ID,
        issuer=ISSUER,
        token_endpoint=ISSUER + TOKEN_PATH,
        jwks_uri=ISSUER + JWKS_PATH,
        redirect_uri=REDIRECT_URI,
        signing_key=signing_key,
        userinfo_endpoint=ISSUER + USERINFO_PATH,
        mapping=MAPPING,
    )


def authorize(provider, individual_id="5037418692"):
    """What the browser does: returns (transaction, code)."""
    transaction = LoginTransaction.new(1, time.time())
    url = build_authorize_url(
        ISSUER + "/authorize",
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        transaction=transaction,
    )
    location = login_in_process(provider, url, individual_id)
    code, state = parse_callback(dict(parse_qsl(urlsplit(location).query)))
    assert state == transaction.state
    return transaction, code


def login(provider, settings, store, transport=None, individual_id="5037418692"):
    transaction, code = authorize(provider, individual_id)
    transport = transport or InProcessTransport(provider)
    result = complete_login(
        settings,
        transaction,
        code,
        transport=transport,
        jwks_store=store,
        now=time.time(),
    )
    return result, transport


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
    transport = InProcessTransport(provider)
    complete_login(
        settings,
        transaction,
        code,
        transport=transport,
        jwks_store=store,
        now=time.time(),
    )
    with pytest.raises(ProviderResponseError) as raised:
        complete_login(
            settings,
            transaction,
            code,
            transport=transport,
            jwks_store=store,
            now=time.time(),
        )
    assert raised.value.provider_error == "invalid_grant"


def test_id_token_only_when_userinfo_not_called(provider, settings):
    no_userinfo = ProviderSettings(**{**settings.__dict__, "fetch_userinfo": False})
    result, transport = login(provider, no_userinfo, MemoryJwksStore())
    assert ("GET", USERINFO_PATH) not in transport.requests_log
    assert result.userinfo_claims == {}


def test_discovery_document(provider):
    document = json.dumps(provider.discovery())
    endpoints = discovery_endpoints(document, ISSUER)
    assert endpoints["token_endpoint"] == ISSUER + TOKEN_PATH
    assert endpoints["jwks_uri"] == ISSUER + JWKS_PATH
    assert endpoints["validation_endpoint"] == ISSUER + USERINFO_PATH
    assert "mosip:idp:acr:biometrics" in endpoints["acr_values_supported"]
    assert discovery_url(ISSUER + "/") == ISSUER + "/.well-known/openid-configuration"


@pytest.mark.parametrize(
    ("document", "check"),
    [
        ("not json", "discovery.invalid_json"),
        ("[]", "discovery.invalid_document"),
        ('{"issuer": "https://evil.example"}', "discovery.issuer_mismatch"),
        (json.dumps({"issuer": ISSUER}), "discovery.missing_authorization_endpoint"),
    ],
)
def test_discovery_refuses_bad_documents(document, check):
    with pytest.raises(ProviderResponseError) as raised:
        discovery_endpoints(document, ISSUER)
    assert raised.value.check == check
