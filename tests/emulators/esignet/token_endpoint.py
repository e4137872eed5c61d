"""The token endpoint: client assertion (private_key_jwt), code, ID token.

Named ``token_endpoint`` so that running the package as a directory never
shadows the standard library's ``token`` module.
"""

import hmac
import logging
import secrets
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .claims import release_claims
from .errors import OAuthError
from .protocol import (
    ASSERTION_ALGS,
    ASSERTION_TYPE,
    CLOCK_SKEW,
    LEGACY_TOKEN_PATH,
    MAX_ASSERTION_LIFETIME,
    PKCE_RE,
    TOKEN_PATH,
    at_hash,
    s256,
)
from .state import AccessToken

_logger = logging.getLogger(__name__)


def token(state, form, authorization=None, request_base=None):
    """Handle a token request (form: dict of single values)."""
    state.faults.apply_delay()
    if state.faults.token_http_error:
        raise OAuthError("server_error", "Injected fault: token_http_error.", 500)
    if form.get("grant_type") != "authorization_code":
        raise OAuthError(
            "unsupported_grant_type", "grant_type must be authorization_code."
        )
    if form.get("client_secret") or (authorization or "").lower().startswith("basic "):
        raise OAuthError(
            "invalid_client",
            "Only private_key_jwt client authentication is supported.",
            401,
        )
    assertion = form.get("client_assertion")
    if form.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
        raise OAuthError(
            "invalid_client",
            f"client_assertion with client_assertion_type {ASSERTION_TYPE} "
            "is required.",
            401,
        )
    client_id = form.get("client_id")
    if not client_id:
        try:
            client_id = jwt.decode(assertion, options={"verify_signature": False}).get(
                "iss"
            )
        except jwt.PyJWTError:
            client_id = None
    client = state.clients.get(client_id or "")
    if client is None:
        raise OAuthError("invalid_client", "Unknown client_id.", 401)
    verify_client_assertion(state, client, assertion, request_base)
    return _redeem_code(state, client, form)


def assertion_audiences(state, request_base=None):
    """The ``aud`` values a client assertion may carry."""
    bases = {state.issuer, state.base_url, request_base} - {None}
    audiences = set(bases)
    for base in bases:
        audiences.add(base + TOKEN_PATH)
        audiences.add(base + LEGACY_TOKEN_PATH)
    return sorted(audiences)


def verify_client_assertion(state, client, assertion, request_base=None):
    """The claims of a valid assertion; OAuthError(invalid_assertion) otherwise."""

    def bad(description):
        return OAuthError("invalid_assertion", description, 400)

    try:
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as exc:
        raise bad(f"Malformed client_assertion: {exc}") from None
    alg = header.get("alg")
    if alg not in ASSERTION_ALGS:
        raise bad(f"Unsupported client_assertion alg {alg!r}.")
    key = client.public_key
    expected_key_type = (
        ec.EllipticCurvePublicKey if alg == "ES256" else rsa.RSAPublicKey
    )
    if not isinstance(key, expected_key_type):
        raise bad(f"alg {alg} does not match the registered key type.")
    jwk_alg = client.public_jwk.get("alg")
    if jwk_alg and jwk_alg != alg:
        raise bad(f"The registered key is restricted to {jwk_alg}.")
    try:
        claims = jwt.decode(
            assertion,
            key,
            algorithms=[alg],
            audience=assertion_audiences(state, request_base),
            issuer=client.client_id,
            leeway=CLOCK_SKEW,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
        )
    except jwt.InvalidSignatureError:
        raise bad("client_assertion signature verification failed.") from None
    except jwt.ExpiredSignatureError:
        raise bad("client_assertion has expired.") from None
    except jwt.ImmatureSignatureError:
        raise bad("client_assertion iat/nbf is in the future.") from None
    except jwt.InvalidAudienceError:
        raise bad("client_assertion aud must be the token endpoint.") from None
    except jwt.InvalidIssuerError:
        raise bad("client_assertion iss must be the client_id.") from None
    except jwt.PyJWTError as exc:
        raise bad(f"Invalid client_assertion: {exc}") from None
    if claims.get("sub") != client.client_id:
        raise bad("client_assertion sub must be the client_id.")
    now = time.time()
    exp = claims["exp"]
    iat = claims.get("iat")
    if iat is not None:
        if not isinstance(iat, (int, float)) or iat > now + CLOCK_SKEW:
            raise bad("client_assertion iat is in the future.")
        lifetime = exp - iat
    else:
        lifetime = exp - now
    if lifetime > MAX_ASSERTION_LIFETIME + CLOCK_SKEW:
        raise bad(f"client_assertion lifetime exceeds {MAX_ASSERTION_LIFETIME} s.")
    jti_key = (client.client_id, str(claims["jti"]))
    with state.lock:
        if jti_key in state.used_jtis:
            raise bad("client_assertion jti has already been used.")
        state.used_jtis[jti_key] = exp
    return claims


def _redeem_code(state, client, form):
    def grant_error(description):
        return OAuthError("invalid_grant", description, 400)

    code = form.get("code") or ""
    now = time.time()
    with state.lock:
        record = state.codes.get(code)
        if record is None:
            raise grant_error("Unknown authorization code.")
        if record.used:
            for access_token in record.access_tokens:
                if access_token in state.access_tokens:
                    state.access_tokens[access_token].revoked = True
            _logger.warning(
                "authorization code reuse detected for client %s; "
                "revoked %d access token(s) issued with it",
                client.client_id,
                len(record.access_tokens),
            )
            raise grant_error(
                "Authorization code already used; tokens issued with it "
                "have been revoked."
            )
        if record.expires <= now:
            raise grant_error("Authorization code has expired.")
        if record.client_id != client.client_id:
            raise grant_error("Authorization code was issued to another client.")
        if form.get("redirect_uri") != record.redirect_uri:
            raise grant_error("redirect_uri does not match the authorize request.")
        verifier = form.get("code_verifier") or ""
        if not PKCE_RE.fullmatch(verifier):
            raise grant_error("code_verifier is missing or malformed.")
        if not hmac.compare_digest(s256(verifier), record.code_challenge):
            raise grant_error("code_verifier does not match the code_challenge.")
        record.used = True
        access_token = secrets.token_urlsafe(32)
        record.access_tokens.append(access_token)
        state.access_tokens[access_token] = AccessToken(
            client_id=client.client_id,
            individual_id=record.individual_id,
            userinfo_claims=record.userinfo_claims,
            claims_locales=record.claims_locales,
            issued_at=int(now),
            expires=now + state.access_token_lifetime,
        )
    id_token = state.keys.sign(
        id_token_claims(state, client, record, access_token),
        unpublished=state.faults.sign_with_unpublished_key,
    )
    _logger.info("issued tokens to client %s", client.client_id)
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": int(state.access_token_lifetime),
        "id_token": id_token,
    }


def id_token_claims(state, client, record, access_token):
    """The ID token's payload for a redeemed code, faults applied."""
    now = int(time.time())
    faults = state.faults
    identity = state.identities.get(record.individual_id)
    payload = release_claims(
        identity.claims if identity else {},
        record.id_token_claims,
        record.claims_locales,
    )
    payload.update(
        {
            "iss": state.issuer,
            "sub": state.psut(record.individual_id, client.client_id),
            "aud": client.client_id,
            "azp": client.client_id,
            "iat": now,
            "exp": now + int(state.id_token_lifetime),
            "auth_time": record.auth_time,
            "nonce": record.nonce,
            "acr": record.acr,
            "at_hash": at_hash(access_token),
            "sid": record.sid,
        }
    )
    if faults.expired_id_token:
        payload["iat"] = now - 900
        payload["exp"] = now - 300
    if faults.id_token_wrong_audience:
        payload["aud"] = payload["azp"] = "another-relying-party"
    if faults.id_token_wrong_issuer:
        payload["iss"] = "https://wrong-issuer.invalid"
    if faults.id_token_wrong_nonce:
        payload["nonce"] = secrets.token_urlsafe(16)
    return payload
