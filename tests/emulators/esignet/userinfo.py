"""The userinfo endpoint: a signed JWT, encrypted (JWE) when the client asks."""

import json
import time

from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from .claims import release_claims
from .errors import OAuthError
from .keys import b64url_decode, b64url_encode


def userinfo(state, authorization):
    """Return the userinfo JWT (JWS, or JWE wrapping the JWS), or a dict for
    a client set to plain JSON userinfo."""
    state.faults.apply_delay()
    scheme, _, access_token = (authorization or "").partition(" ")
    access_token = access_token.strip()
    if scheme.lower() != "bearer" or not access_token:
        raise OAuthError(
            "invalid_request",
            "A Bearer access token is required.",
            401,
            www_authenticate='Bearer realm="esignet-emulator"',
        )
    with state.lock:
        record = state.access_tokens.get(access_token)
    if record is None or record.revoked or record.expires <= time.time():
        raise OAuthError(
            "invalid_token",
            "The access token is unknown, revoked or expired.",
            401,
            www_authenticate=(
                'Bearer error="invalid_token", '
                'error_description="The access token is invalid"'
            ),
        )
    client = state.clients[record.client_id]
    identity = state.identities.get(record.individual_id)
    payload = release_claims(
        identity.claims if identity else {},
        record.userinfo_claims,
        record.claims_locales,
    )
    sub_id = record.individual_id
    if state.faults.userinfo_sub_mismatch:
        sub_id += "|mismatch"
    now = int(time.time())
    payload.update(
        {
            "sub": state.psut(sub_id, client.client_id),
            "iss": state.issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": int(record.expires),
        }
    )
    if client.plain_userinfo:
        return payload
    token_jws = state.keys.sign(
        payload, unpublished=state.faults.sign_with_unpublished_key
    )
    if state.faults.tamper_userinfo:
        token_jws = tamper_jws(token_jws)
    if client.userinfo_encryption_jwk:
        token_jws = encrypt_jwt(token_jws, client.userinfo_encryption_jwk)
    return token_jws


def tamper_jws(token):
    """Change the payload of a compact JWS while keeping its signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["tampered"] = True
    if "name" in claims:
        claims["name"] = "Mallory Tampered"
    new_payload = b64url_encode(json.dumps(claims).encode())
    return f"{header}.{new_payload}.{signature}"


def encrypt_jwt(token, public_jwk):
    """Wrap a JWS into a compact JWE (RSA-OAEP-256 / A256GCM, cty JWT)."""
    members = {k: public_jwk[k] for k in ("kty", "n", "e") if k in public_jwk}
    key = jwcrypto_jwk.JWK(**members)
    protected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}
    if public_jwk.get("kid"):
        protected["kid"] = public_jwk["kid"]
    token_jwe = jwcrypto_jwe.JWE(
        plaintext=token.encode("ascii"), protected=json.dumps(protected)
    )
    token_jwe.add_recipient(key)
    return token_jwe.serialize(compact=True)
