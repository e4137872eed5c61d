"""Client authentication with ``private_key_jwt`` (RFC 7523, OIDC Core §9)."""

import dataclasses
import hashlib
import json
import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from . import messages
from .errors import ConfigurationError
from .keycache import ParsedKeyCache
from .signed_jwt import base64url_encode

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 300
CLIENT_KEY_ALGS = ("RS256", "PS256", "ES256")
MIN_RSA_BITS = 2048


@dataclasses.dataclass(frozen=True)
class ClientSigningKey:
    """The relying party's private key, its ``kid`` and signature algorithm."""

    key: object = dataclasses.field(repr=False)
    kid: str | None
    alg: str


def _invalid(check="client_key.invalid"):
    return ConfigurationError(check, messages.CLIENT_KEY_INVALID)


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
        raise ConfigurationError(
            "client_key.public_only", messages.CLIENT_KEY_PUBLIC_ONLY
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
    return ClientSigningKey(key=key, kid=kid, alg=alg)


def _load_pem(text):
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except TypeError:
        raise ConfigurationError(
            "client_key.encrypted", messages.CLIENT_KEY_ENCRYPTED
        ) from None
    except Exception:
        raise _invalid() from None
    alg = _check_key_strength(key)
    kid = _thumbprint(_public_jwk_members(key.public_key()))
    return ClientSigningKey(key=key, kid=kid, alg=alg)


_LOADED_KEYS = ParsedKeyCache()


def _parse_private_key(text):
    stripped = text.strip()
    if stripped.startswith("{"):
        return _load_jwk(stripped)
    if stripped.startswith("-----BEGIN"):
        return _load_pem(stripped)
    raise _invalid()


def load_private_key(text):
    """ClientSigningKey from a private JWK (JSON) or PEM (PKCS#1/PKCS#8), RSA or EC.

    EC keys must be P-256. ``alg`` is the JWK's ``alg`` or RS256/ES256 by key
    type. A JWK ``kid`` is kept as is; a PEM gets its RFC 7638 thumbprint as
    ``kid``. Parsed keys are memoised per process by the text's digest. Any
    problem raises ConfigurationError without echoing the input.
    """
    if not isinstance(text, str) or not text.strip():
        raise _invalid()
    return _LOADED_KEYS.get_or_load(text, _parse_private_key)


def check_assertion_alg(key_alg, supported):
    """Refuse a client key whose algorithm the provider does not accept.

    ``supported`` is the discovery document's
    ``token_endpoint_auth_signing_alg_values_supported``; None or empty means
    the provider did not say, and nothing is refused. Raises
    ConfigurationError("client_key.alg_not_supported") whose message names
    the key's algorithm and the accepted ones (as log-safe codes).
    """
    accepted = [alg for alg in supported or () if isinstance(alg, str)]
    if not accepted or key_alg in accepted:
        return
    raise ConfigurationError(
        "client_key.alg_not_supported",
        messages.CLIENT_KEY_ALG_NOT_SUPPORTED,
        message_params={"algorithm": key_alg, "supported": accepted},
    )


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
