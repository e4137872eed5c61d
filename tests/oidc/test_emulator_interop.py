"""The core against the in-repo eSignet emulator (in process, no HTTP).

A whole login: authorize URL, callback, client assertion, token response,
ID token, signed and encrypted userinfo, claim mapping and linking.
"""

import json
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from emulators.esignet import TOKEN_PATH, Provider

from g2p_auth_esignet.oidc import (
    LinkAction,
    LinkingMode,
    LoginTransaction,
    UserinfoError,
    build_authorize_url,
    build_claims_request,
    build_client_assertion,
    build_token_request,
    decide_login,
    load_private_key,
    map_claims,
    parse_callback,
    parse_jwks,
    parse_mapping,
    parse_token_response,
    parse_userinfo,
    pop_transaction,
    public_jwk,
    remember_transaction,
    verify_id_token,
)

from .conftest import pem_private, private_jwk_of

ISSUER = "https://esignet.emulator.test"
REDIRECT_URI = "https://portal.example.org/auth_oauth/signin"
MAPPING = parse_mapping(
    "name:name email:email phone:phone_number birthdate:birthdate "
    "gender:gender address:address image_1920:picture"
)


@pytest.fixture(scope="module")
def provider():
    return Provider(issuer=ISSUER)


def login(provider, client_id, signing_key, userinfo_format, decryption_keys=()):
    now = time.time()
    store = {}
    transaction = LoginTransaction.new(1, now)
    remember_transaction(store, transaction)
    url = build_authorize_url(
        ISSUER + "/authorize",
        client_id=client_id,
        redirect_uri=REDIRECT_URI,
        transaction=transaction,
        claims=build_claims_request(["name", "birthdate"], ["email", "gender"]),
        claims_locales="en",
    )
    params = dict(parse_qsl(urlsplit(url).query))
    started = provider.start_authorization(params)
    provider.authenticate(started.id, "5037418692", "111111")
    location = provider.finish_consent(
        started.id, True, ["email", "gender", "phone_number", "address", "picture"]
    )
    code, state = parse_callback(dict(parse_qsl(urlsplit(location).query)))
    transaction = pop_transaction(store, state, now)

    audience = ISSUER + TOKEN_PATH
    assertion = build_client_assertion(
        client_id=client_id, audience=audience, signing_key=signing_key, now=now
    )
    form = build_token_request(
        code=code,
        redirect_uri=REDIRECT_URI,
        code_verifier=transaction.code_verifier,
        client_id=client_id,
        client_assertion=assertion,
    )
    body = json.dumps(provider.token(form))
    tokens = parse_token_response(200, body, "application/json")
    jwks = parse_jwks(provider.jwks())
    id_claims = verify_id_token(
        tokens.id_token,
        jwks,
        issuer=ISSUER,
        client_id=client_id,
        nonce=transaction.nonce,
        now=now,
        access_token=tokens.access_token,
    )
    userinfo = provider.userinfo("Bearer " + tokens.access_token)
    kyc = parse_userinfo(
        userinfo,
        "application/jwt",
        expected_format=userinfo_format,
        jwks=jwks,
        issuer=ISSUER,
        client_id=client_id,
        expected_sub=id_claims["sub"],
        now=now,
        decryption_keys=decryption_keys,
    )
    return id_claims, kyc


def test_signed_userinfo_login(provider, rp_rsa_key):
    signing_key = load_private_key(pem_private(rp_rsa_key))
    provider.register_client("rp-signed", public_jwk(signing_key), [REDIRECT_URI])
    id_claims, kyc = login(provider, "rp-signed", signing_key, "jws")
    mapped = map_claims(kyc, MAPPING, locale="en_US").values
    assert mapped["name"] == "Maria Santos Reyes"
    assert mapped["gender"] == "female"
    assert mapped["image_1920"].startswith(b"\x89PNG")
    decision = decide_login(
        modes=LinkingMode.REGISTRATION,
        psut_owner_id=None,
        auto_match_ids=[],
        purpose="login",
        current_partner_id=None,
    )
    assert decision.action is LinkAction.REGISTER
    assert id_claims["sub"] == kyc["sub"]


def test_encrypted_userinfo_login(provider, rp_ec_key, rp_rsa_key_other):
    signing_key = load_private_key(json.dumps(private_jwk_of(rp_ec_key, kid="ec")))
    encryption_jwk = private_jwk_of(rp_rsa_key_other, kid="enc")
    public_encryption_jwk = {k: encryption_jwk[k] for k in ("kty", "n", "e", "kid")}
    provider.register_client(
        "rp-encrypted",
        public_jwk(signing_key),
        [REDIRECT_URI],
        userinfo_encryption_jwk=public_encryption_jwk,
    )
    _id_claims, kyc = login(
        provider,
        "rp-encrypted",
        signing_key,
        "jwe",
        decryption_keys=[json.dumps(encryption_jwk)],
    )
    assert kyc["birthdate"] == "1988/04/12"


def test_tampered_userinfo_from_emulator_rejected(provider, rp_rsa_key):
    signing_key = load_private_key(pem_private(rp_rsa_key))
    provider.register_client("rp-tamper", public_jwk(signing_key), [REDIRECT_URI])
    provider.faults.tamper_userinfo = True
    try:
        with pytest.raises(UserinfoError) as raised:
            login(provider, "rp-tamper", signing_key, "jws")
    finally:
        provider.faults.tamper_userinfo = False
    assert raised.value.check == "userinfo.signature"
