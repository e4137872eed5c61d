"""ID token verification (OpenID Connect Core 1.0 §3.1.3.7).

The signature is verified by ``signed_jwt`` against the provider JWKS; the
claims are checked here with an injected ``now`` so that every check is
deterministic and has its own ``check`` name.
"""

import hashlib
import hmac
import numbers

from .errors import ConfigurationError, TokenValidationError
from .signed_jwt import base64url_encode, verify_compact_jws

DEFAULT_ALLOWED_ALGS = ("RS256", "PS256", "ES256")
MAX_ID_TOKEN_BYTES = 16384
MAX_SUB_LENGTH = 255
MAX_LEEWAY = 600

_HASH_BY_ALG_SIZE = {
    "256": hashlib.sha256,
    "384": hashlib.sha384,
    "512": hashlib.sha512,
}


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def token_hash(value, alg):
    """Left half of the alg's hash of ``value``, base64url (``at_hash``/``c_hash``)."""
    digest = _HASH_BY_ALG_SIZE[alg[-3:]](value.encode("ascii")).digest()
    return base64url_encode(digest[: len(digest) // 2])


def secrets_equal(received, expected):
    """Constant-time equality of two strings; False for anything not a string."""
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def audience_contains(aud, client_id):
    """True when ``aud`` (string or list of strings) names ``client_id``."""
    if isinstance(aud, str):
        return aud == client_id
    if isinstance(aud, list) and aud and all(isinstance(item, str) for item in aud):
        return client_id in aud
    return False


def requested_acrs(acr_values):
    """The ACR values of a request, from a space-separated text or a list."""
    if acr_values is None:
        return ()
    if isinstance(acr_values, str):
        return tuple(acr_values.split())
    return tuple(value for value in acr_values if isinstance(value, str) and value)


def check_id_token_claims(
    claims,
    *,
    issuer,
    client_id,
    nonce,
    now,
    leeway=60,
    access_token=None,
    alg=None,
    expected_acrs=None,
):
    """Check verified ID token claims; raise TokenValidationError on a failure.

    With ``expected_acrs`` (the ``acr_values`` the login asked for, a
    space-separated text or a list), the ``acr`` claim must be one of them:
    a provider that authenticated the person some other way, or says
    nothing, is refused ("id_token.acr").
    """
    if not 0 <= leeway <= MAX_LEEWAY:
        raise ConfigurationError("config.leeway")
    if claims.get("iss") != issuer or not isinstance(issuer, str):
        raise TokenValidationError("id_token.iss")

    aud = claims.get("aud")
    if not audience_contains(aud, client_id):
        raise TokenValidationError("id_token.aud")
    azp = claims.get("azp")
    if isinstance(aud, list) and len(set(aud)) > 1 and azp is None:
        # Several audiences: only azp tells which party the token was issued to.
        raise TokenValidationError("id_token.azp")
    if azp is not None and azp != client_id:
        raise TokenValidationError("id_token.azp")

    exp = claims.get("exp")
    if not _is_number(exp):
        raise TokenValidationError("id_token.exp")
    if now >= exp + leeway:
        raise TokenValidationError("id_token.expired")
    iat = claims.get("iat")
    if not _is_number(iat):
        raise TokenValidationError("id_token.iat")
    if iat > now + leeway:
        raise TokenValidationError("id_token.iat_future")
    nbf = claims.get("nbf")
    if nbf is not None and (not _is_number(nbf) or nbf > now + leeway):
        raise TokenValidationError("id_token.nbf")

    if not nonce or not secrets_equal(claims.get("nonce"), nonce):
        raise TokenValidationError("id_token.nonce")

    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_LENGTH:
        raise TokenValidationError("id_token.sub")

    acrs = requested_acrs(expected_acrs)
    if acrs:
        acr = claims.get("acr")
        if not isinstance(acr, str) or acr not in acrs:
            raise TokenValidationError("id_token.acr")

    at_hash = claims.get("at_hash")
    if at_hash is not None:
        # Fail closed: a hash we cannot check binds nothing.
        if not isinstance(access_token, str) or not alg:
            raise TokenValidationError("id_token.at_hash")
        try:
            expected = token_hash(access_token, alg)
        except (KeyError, UnicodeEncodeError):
            raise TokenValidationError("id_token.at_hash") from None
        if not secrets_equal(at_hash, expected):
            raise TokenValidationError("id_token.at_hash")
    return claims


def verify_id_token(
    token,
    jwks,
    *,
    issuer,
    client_id,
    nonce,
    now,
    leeway=60,
    allowed_algs=DEFAULT_ALLOWED_ALGS,
    access_token=None,
    max_token_bytes=MAX_ID_TOKEN_BYTES,
    expected_acrs=None,
):
    """Verify an ID token's signature and claims; return its claims.

    ``expected_acrs``: see ``check_id_token_claims``.

    Raises UnknownKeyError when its kid is not in ``jwks`` (refresh once and
    retry) and TokenValidationError for every other failure.
    """
    header, claims = verify_compact_jws(
        token,
        jwks,
        allowed_algs=allowed_algs,
        max_bytes=max_token_bytes,
        error_class=TokenValidationError,
        structure_prefix="token",
        signature_check="id_token.signature",
    )
    return check_id_token_claims(
        claims,
        issuer=issuer,
        client_id=client_id,
        nonce=nonce,
        now=now,
        leeway=leeway,
        access_token=access_token,
        alg=header["alg"],
        expected_acrs=expected_acrs,
    )
