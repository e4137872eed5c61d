"""A whole eSignet login in process: the core against the emulator's Provider.

No HTTP: the relying party's calls go to the Provider through
``InProcessTransport``. Shared by ``test_relying_party.py`` and
``bench/bench_esignet_callback.py``.
"""

import time
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from emulators.esignet import JWKS_PATH, TOKEN_PATH, USERINFO_PATH, Provider
from emulators.esignet.in_process import InProcessTransport, login_in_process

from g2p_auth_esignet.oidc import (
    LoginTransaction,
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
)

ISSUER = "https://esignet.emulator.test"
REDIRECT_URI = "https://portal.example.org/auth_oauth/signin"
CLIENT_ID = "rp-flow"
MARIA = "5037418692"
MAPPING = tuple(
    parse_mapping(
        "name:name email:email phone:phone_number birthdate:birthdate "
        "gender:gender address:address"
    )
)


def client_signing_key(rsa_key=None):
    """The relying party's assertion key, as the core loads it (new if None)."""
    rsa_key = rsa_key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return load_private_key(pem)


def new_provider(signing_key):
    """An emulated eSignet that knows the relying party CLIENT_ID."""
    provider = Provider(issuer=ISSUER)
    provider.register_client(CLIENT_ID, public_jwk(signing_key), [REDIRECT_URI])
    return provider


def provider_settings(signing_key):
    """The relying party's settings for that provider."""
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


def authorize(provider, individual_id=MARIA, claims=None, *, acr=None, acr_values=None):
    """What the browser does: returns (transaction, code).

    ``acr`` is the method the transaction (the login button) asks for;
    ``acr_values`` what the authorization request says (the transaction's
    when None).
    """
    transaction = LoginTransaction.new(1, time.time(), acr=acr)
    url = build_authorize_url(
        ISSUER + "/authorize",
        client_id=CLIENT_ID,
        redirect_uri=REDIRECT_URI,
        transaction=transaction,
        acr_values=acr_values,
        claims=claims,
    )
    location = login_in_process(provider, url, individual_id)
    code, state = parse_callback(dict(parse_qsl(urlsplit(location).query)))
    assert state == transaction.state
    return transaction, code


def callback(provider, settings, transaction, code, store=None, transport=None):
    """The relying party's whole callback for ``code``: (result, transport).

    A new JWKS cache unless ``store`` is given (a warm one across logins).
    """
    transport = transport or InProcessTransport(provider)
    result = complete_login(
        settings,
        transaction,
        code,
        transport=transport,
        jwks_store=MemoryJwksStore() if store is None else store,
        now=time.time(),
    )
    return result, transport


def login(provider, settings, store, transport=None, individual_id=MARIA):
    """Authorize, then the relying party's whole callback: (result, transport)."""
    transaction, code = authorize(provider, individual_id)
    return callback(provider, settings, transaction, code, store, transport)
