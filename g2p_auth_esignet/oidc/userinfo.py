"""Userinfo response verification: plain JSON, signed JWT or encrypted JWT.

eSignet answers ``application/jwt``: a JWS signed with its JWKS key, or a JWE
(encrypted to the relying party's public key) wrapping such a JWS. The
configured format is enforced, so a signed or encrypted response can never be
downgraded to plain JSON by whoever sits on the wire.

Decryption keys are given as private JWK JSON text, PEM text, or
``jwcrypto.jwk.JWK`` objects; ``load_decryption_key`` converts text once.
"""

from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from .errors import ConfigurationError, UserinfoError
from .id_token import DEFAULT_ALLOWED_ALGS, audience_contains, secrets_equal
from .json_body import MalformedError, load_json_object, read_json_object
from .keycache import ParsedKeyCache
from .signed_jwt import base64url_decode, verify_compact_jws
from .token_response import media_type, raise_for_error_status

MAX_USERINFO_BYTES = 256 * 1024
USERINFO_FORMATS = ("json", "jws", "jwe")
DEFAULT_ALLOWED_KEY_MANAGEMENT_ALGS = (
    "RSA-OAEP-256",
    "RSA-OAEP",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A256KW",
)
DEFAULT_ALLOWED_CONTENT_ENCRYPTION_ALGS = (
    "A256GCM",
    "A192GCM",
    "A128GCM",
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
)
# RSA1_5 is padding-oracle prone and never accepted, whatever the caller says.
_REFUSED_KEY_MANAGEMENT_ALGS = frozenset({"RSA1_5", "dir", "A128KW", "A256KW"})

_DECRYPTION_KEYS = ParsedKeyCache()


class UserinfoClaims(dict):
    """Verified userinfo claims; ``signed`` tells whether a JWS carried them.

    Only signed claims (JWS, or JWE wrapping a JWS) are vouched for by the
    provider's key; plain JSON is only as trustworthy as the TLS connection.
    """

    def __init__(self, claims, *, signed):
        super().__init__(claims)
        self.signed = signed


def _parse_decryption_key(text):
    text = text.strip()
    try:
        if text.startswith("{"):
            loaded = jwcrypto_jwk.JWK.from_json(text)
        else:
            loaded = jwcrypto_jwk.JWK.from_pem(text.encode("utf-8"))
    except Exception:
        # Never let a parser message (which may quote the input) escape.
        raise ConfigurationError("userinfo.decryption_key") from None
    if not loaded.has_private:
        raise ConfigurationError("userinfo.decryption_key")
    return loaded


def load_decryption_key(key):
    """jwcrypto JWK from a private JWK JSON/PEM text (memoised by digest) or a JWK."""
    if isinstance(key, jwcrypto_jwk.JWK):
        return key
    if not isinstance(key, str) or not key.strip():
        raise ConfigurationError("userinfo.decryption_key")
    return _DECRYPTION_KEYS.get_or_load(key, _parse_decryption_key)


def check_userinfo_status(status_code, body):
    """Raise ProviderResponseError("userinfo.http_error") for a non-200 answer."""
    raise_for_error_status(status_code, body, check_prefix="userinfo")


def _detect_format(text):
    stripped = text.strip()
    if stripped.startswith("{"):
        return "json"
    dots = stripped.count(".")
    if dots == 2:
        return "jws"
    if dots == 4:
        return "jwe"
    raise UserinfoError("userinfo.malformed")


def _check_content_type(detected, content_type):
    kind = media_type(content_type)
    if kind is None:
        return
    is_json = kind == "application/json" or kind.endswith("+json")
    is_jwt = kind in ("application/jwt", "application/jose", "application/jwe")
    if (detected == "json" and not is_json) or (detected != "json" and not is_jwt):
        raise UserinfoError("userinfo.content_type")


def _decrypt(compact, decryption_keys, allowed_enc_algs):
    try:
        header = load_json_object(base64url_decode(compact.split(".", 1)[0]))
    except MalformedError:
        raise UserinfoError("userinfo.malformed") from None
    key_management, content_encryption = header.get("alg"), header.get("enc")
    allowed_key_management = set(allowed_enc_algs) - _REFUSED_KEY_MANAGEMENT_ALGS
    if (
        key_management not in allowed_key_management
        or content_encryption not in DEFAULT_ALLOWED_CONTENT_ENCRYPTION_ALGS
    ):
        raise UserinfoError("userinfo.enc_alg_not_allowed")
    if "zip" in header or "crit" in header:
        # Compression invites decompression bombs; nothing needs it here.
        raise UserinfoError("userinfo.malformed")
    keys = [load_decryption_key(key) for key in decryption_keys]
    if not keys:
        raise ConfigurationError("userinfo.no_decryption_key")
    kid = header.get("kid")
    # Try the key named by kid first, the others after (kid is only a hint).
    keys.sort(key=lambda key: key.get("kid") != kid)
    for key in keys:
        token = jwcrypto_jwe.JWE(algs=[key_management, content_encryption])
        try:
            token.deserialize(compact, key=key)
        except Exception:
            continue
        return token.payload
    raise UserinfoError("userinfo.decrypt")


def _check_signed_claims(claims, *, issuer, client_id, now, leeway):
    if "iss" in claims and claims["iss"] != issuer:
        raise UserinfoError("userinfo.iss")
    if "aud" in claims and not audience_contains(claims["aud"], client_id):
        raise UserinfoError("userinfo.aud")
    exp = claims.get("exp")
    if exp is not None:
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise UserinfoError("userinfo.exp")
        if now >= exp + leeway:
            raise UserinfoError("userinfo.expired")


def parse_userinfo(
    body,
    content_type,
    *,
    expected_format,
    jwks,
    issuer,
    client_id,
    expected_sub,
    now,
    leeway=60,
    decryption_keys=(),
    allowed_algs=DEFAULT_ALLOWED_ALGS,
    allowed_enc_algs=DEFAULT_ALLOWED_KEY_MANAGEMENT_ALGS,
    max_bytes=MAX_USERINFO_BYTES,
):
    """Verified UserinfoClaims; ``sub`` must be the ID token's ``expected_sub``.

    The result is a dict whose ``signed`` attribute is True when the claims
    came in a verified JWS (``expected_format`` "jws" or "jwe").

    ``expected_format`` is "json", "jws" or "jwe" (a JWE must wrap a JWS).
    ``allowed_enc_algs`` lists JWE key-management algorithms.
    Raises UserinfoError, UnknownKeyError (kid not in ``jwks``) or
    ConfigurationError (no usable decryption key).
    """
    if expected_format not in USERINFO_FORMATS:
        raise ConfigurationError("userinfo.format")
    if isinstance(body, bytes | bytearray):
        if len(body) > max_bytes:
            raise UserinfoError("userinfo.oversized")
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise UserinfoError("userinfo.malformed") from None
    if not isinstance(body, str):
        raise UserinfoError("userinfo.malformed")
    if len(body) > max_bytes:
        raise UserinfoError("userinfo.oversized")

    detected = _detect_format(body)
    if detected != expected_format:
        raise UserinfoError("userinfo.unexpected_format")
    _check_content_type(detected, content_type)

    if detected == "json":
        claims = read_json_object(
            body,
            max_bytes=max_bytes,
            check_prefix="userinfo",
            error_class=UserinfoError,
        )
    else:
        signed = body.strip()
        if detected == "jwe":
            signed = _decrypt(signed, decryption_keys, allowed_enc_algs)
            if _detect_format(signed.decode("ascii", "replace")) != "jws":
                raise UserinfoError("userinfo.not_nested_jws")
        _header, claims = verify_compact_jws(
            signed,
            jwks,
            allowed_algs=allowed_algs,
            max_bytes=max_bytes,
            error_class=UserinfoError,
            structure_prefix="userinfo",
            signature_check="userinfo.signature",
        )
        _check_signed_claims(
            claims, issuer=issuer, client_id=client_id, now=now, leeway=leeway
        )

    if not expected_sub or not secrets_equal(claims.get("sub"), expected_sub):
        raise UserinfoError("userinfo.sub_mismatch")
    return UserinfoClaims(claims, signed=detected != "json")
