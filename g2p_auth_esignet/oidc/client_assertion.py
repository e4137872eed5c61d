"""Client authentication with ``private_key_jwt`` (RFC 7523, OIDC Core §9)."""

import collections
import dataclasses
import hashlib
import json
import secrets
import threading

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .errors import ConfigurationError
from .signed_jwt import base64url_encode

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 300
CLIENT_KEY_ALGS = ("RS256", "PS256", "ES256")
MIN_RSA_BITS = 2048

_INVALID_KEY_MESSAGE = (
    "The client private key is not a valid private RSA or EC P-256 key "
    "(private JWK or unencrypted PEM)."
)


@dataclasses.dataclass(frozen=True)
class SigningKey:
    """The relying party's private key, its ``kid`` and signature algorithm."""

    key: object = dataclasses.field(repr=False)
    kid: str | None
    alg: str


def _invalid(check="client_key.invalid", message=_INVALID_KEY_MESSAGE):
    return ConfigurationError(check, message)


def _check_key_strength(key):
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise _invalid("client_key.weak")
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(
        key.curve, ec.SECP256R1
    ):
        return "ES256"
    raise _invalid()


def _algs_for_key(key):
    return ("RS256", "PS256") if isinstance(key, rsa.RSAPrivateKey) else ("ES256",)


def _thumbprint(public_jwk):
    # RFC 7638: required members only, sorted, no whitespace.
    required = (
        ("e", "kty", "n") if public_jwk["kty"] == "RSA" else ("crv", "kty", "x", "y")
    )
    canonical = json.dumps(
        {name: public_jwk[name] for name in required},
        separators=(",", ":"),
        sort_keys=True,
    )
    return base64url_encode(hashlib.sha256(canonical.encode("ascii")).digest())


def _public_jwk_members(public_key):
    if isinstance(public_key, rsa.RSAPublicKey):
        members = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    else:
        members = ECAlgorithm.to_jwk(public_key, as_dict=True)
    members.pop("key_ops", None)
    return members


def _load_jwk(text):
    try:
        jwk = json.loads(text)
    except ValueError:
        raise _invalid() from None
    if not isinstance(jwk, dict) or jwk.get("kty") not in ("RSA", "EC"):
        raise _invalid()
    if "d" not in jwk:
        raise _invalid(
            "client_key.public_only",
            "The client key is a public key; the private key is required.",
        )
    if jwk.get("use", "sig") != "sig":
        raise _invalid()
    try:
        if jwk["kty"] == "RSA":
            key = RSAAlgorithm.from_jwk(jwk)
        else:
            key = ECAlgorithm.from_jwk(jwk)
    except Exception:
        raise _invalid() from None
    default_alg = _check_key_strength(key)
    alg = jwk.get("alg", default_alg)
    if alg not in _algs_for_key(key):
        raise _invalid("client_key.alg_not_allowed")
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise _invalid()
    return SigningKey(key=key, kid=kid, alg=alg)


def _load_pem(text):
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except TypeError:
        raise _invalid(
            "client_key.encrypted", "The client private key must not be encrypted."
        ) from None
    except Exception:
        raise _invalid() from None
    alg = _check_key_strength(key)
    kid = _thumbprint(_public_jwk_members(key.public_key()))
    return SigningKey(key=key, kid=kid, alg=alg)


# Parsing a PEM costs milliseconds; memoise per process by the text's digest
# (never by the text itself) so the key material is not a cache key.
_LOADED_KEYS = collections.OrderedDict()
_LOADED_KEYS_LOCK = threading.Lock()
_LOADED_KEYS_MAX = 8


def load_private_key(text):
    """SigningKey from a private JWK (JSON) or PEM (PKCS#1/PKCS#8), RSA or EC P-256.

    ``alg`` is the JWK's ``alg`` or RS256/ES256 by key type. A JWK ``kid`` is
    kept as is; a PEM gets its RFC 7638 thumbprint as ``kid``. Any problem
    raises ConfigurationError without echoing the input.
    """
    if not isinstance(text, str) or not text.strip():
        raise _invalid()
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    with _LOADED_KEYS_LOCK:
        cached = _LOADED_KEYS.get(digest)
        if cached is not None:
            _LOADED_KEYS.move_to_end(digest)
            return cached
    stripped = text.strip()
    if stripped.startswith("{"):
        signing_key = _load_jwk(stripped)
    elif stripped.startswith("-----BEGIN"):
        signing_key = _load_pem(stripped)
    else:
        raise _invalid()
    with _LOADED_KEYS_LOCK:
        _LOADED_KEYS[digest] = signing_key
        while len(_LOADED_KEYS) > _LOADED_KEYS_MAX:
            _LOADED_KEYS.popitem(last=False)
    return signing_key


def public_jwk(signing_key):
    """Public JWK to register with eSignet: no private member."""
    jwk = _public_jwk_members(signing_key.key.public_key())
    if signing_key.kid:
        jwk["kid"] = signing_key.kid
    jwk["alg"] = signing_key.alg
    jwk["use"] = "sig"
    return jwk


def build_client_assertion(
    *, client_id, audience, signing_key, now, lifetime=300, alg=None, jti=None
):
    """Signed JWT authenticating the client at the token endpoint (``audience``)."""
    if (
        not isinstance(lifetime, int | float)
        or isinstance(lifetime, bool)
        or not 0 < lifetime <= MAX_ASSERTION_LIFETIME
    ):
        raise ConfigurationError("client_assertion.lifetime")
    alg = alg or signing_key.alg
    if alg not in CLIENT_KEY_ALGS or alg not in _algs_for_key(signing_key.key):
        raise ConfigurationError("client_assertion.alg")
    if not client_id or not audience:
        raise ConfigurationError("client_assertion.claims")
    issued_at = int(now)
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": jti or secrets.token_urlsafe(32),
        "iat": issued_at,
        "exp": issued_at + int(lifetime),
    }
    headers = {"typ": "JWT"}
    if signing_key.kid:
        headers["kid"] = signing_key.kid
    return jwt.encode(claims, signing_key.key, algorithm=alg, headers=headers)


def build_token_request(
    *, code, redirect_uri, code_verifier, client_id, client_assertion
):
    """Form fields of the authorization-code token request."""
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
        "client_id": client_id,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion,
    }
