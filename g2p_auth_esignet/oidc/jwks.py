"""Provider JWK Set: validation, key selection and the refresh policy.

The shell fetches and caches the JWKS (in PostgreSQL, shared by all workers)
and passes it in as a dict. Parsing a JWK into a key object is memoised per
process by the JWK's canonical JSON: an immutable derived value, not state.
"""

import functools
import json
import logging

from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from .errors import (
    ConfigurationError,
    ProviderResponseError,
    TokenValidationError,
    UnknownKeyError,
    log_safe_code,
)
from .json_body import read_json_object

_logger = logging.getLogger(__name__)

MAX_JWKS_BYTES = 256 * 1024
MIN_RSA_BITS = 2048

# Asymmetric algorithms only: HS* would let anyone holding the provider's
# *public* key forge tokens, and "none" is no signature at all.
SIGNATURE_ALGORITHM_KEYS = {
    "RS256": ("RSA", None),
    "RS384": ("RSA", None),
    "RS512": ("RSA", None),
    "PS256": ("RSA", None),
    "PS384": ("RSA", None),
    "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
}

_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_EC_KEY_SIZES = {"P-256": 256, "P-384": 384, "P-521": 521}


def check_allowed_algorithms(allowed_algs):
    """Return ``allowed_algs`` as a frozenset, refusing any non-asymmetric name."""
    allowed = frozenset(allowed_algs)
    if not allowed or not allowed <= SIGNATURE_ALGORITHM_KEYS.keys():
        raise ConfigurationError("config.allowed_algs")
    return allowed


@functools.lru_cache(maxsize=64)
def _public_key_from_jwk_json(jwk_json):
    jwk = json.loads(jwk_json)
    if jwk["kty"] == "RSA":
        key = RSAAlgorithm.from_jwk(jwk)
        if key.key_size < MIN_RSA_BITS:
            raise ValueError("weak RSA key")
    else:
        key = ECAlgorithm.from_jwk(jwk)
        if key.curve.key_size != _EC_KEY_SIZES.get(jwk.get("crv")):
            raise ValueError("curve mismatch")
    return key


def public_key_from_jwk(jwk):
    """Key object for a public RSA/EC JWK dict (memoised); ValueError when invalid."""
    canonical = json.dumps(jwk, sort_keys=True, separators=(",", ":"))
    try:
        return _public_key_from_jwk_json(canonical)
    except Exception as error:
        # Library errors are re-raised as one plain type: the caller decides.
        raise ValueError("invalid JWK") from error


def _signing_key_problem(jwk):
    """Log-safe reason why a provider JWK cannot verify signatures, or None."""
    if not isinstance(jwk, dict):
        return "jwks.not_an_object"
    if jwk.get("kty") not in ("RSA", "EC"):
        return "jwks.unsupported_kty"
    if _PRIVATE_MEMBERS & jwk.keys():
        # A provider never publishes private keys; one that does is broken.
        return "jwks.private_member"
    if jwk.get("use", "sig") != "sig":
        return "jwks.not_for_signature"
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (
        not isinstance(key_ops, list) or "verify" not in key_ops
    ):
        return "jwks.not_for_signature"
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        return "jwks.invalid_kid"
    alg = jwk.get("alg")
    if alg is not None and alg not in SIGNATURE_ALGORITHM_KEYS:
        return "jwks.unsupported_alg"
    return None


def parse_jwks(body):
    """Validate a provider JWK Set (bytes, str or dict) and keep its signing keys.

    Keys that cannot verify signatures (encryption keys, symmetric keys, keys
    with private members, malformed or weak keys) are dropped with a log-safe
    reason. Returns ``{"keys": [...]}``; raises ProviderResponseError when the
    document is oversized, malformed or has no usable key.
    """
    if isinstance(body, dict):
        document = body  # the shell's cached copy, already decoded
    else:
        document = read_json_object(body, max_bytes=MAX_JWKS_BYTES, check_prefix="jwks")
    if not isinstance(document.get("keys"), list):
        raise ProviderResponseError("jwks.malformed")
    keys = []
    for jwk in document["keys"]:
        problem = _signing_key_problem(jwk)
        if problem is None:
            try:
                public_key_from_jwk(jwk)
            except ValueError:
                problem = "jwks.invalid_key"
        if problem:
            kid = log_safe_code(jwk.get("kid")) if isinstance(jwk, dict) else None
            _logger.warning("Ignoring provider JWK kid=%s: %s", kid, problem)
            continue
        keys.append(jwk)
    if not keys:
        raise ProviderResponseError("jwks.empty")
    return {"keys": keys}


def _key_fits_algorithm(jwk, alg):
    kty, crv = SIGNATURE_ALGORITHM_KEYS[alg]
    if jwk.get("kty") != kty or (crv and jwk.get("crv") != crv):
        return False
    return jwk.get("alg") in (None, alg)


def select_key(jwks, kid, alg):
    """Return the public key object that must verify a token signed with ``alg``.

    With a ``kid``, the key of that kid is used; without one, the single key
    fitting ``alg`` (several candidates is ambiguous and refused). A key whose
    type or ``alg`` does not fit ``alg`` is never used. Raises UnknownKeyError
    ("jwks.unknown_kid") when no key exists, so the shell can refresh once.
    """
    if alg not in SIGNATURE_ALGORITHM_KEYS:
        raise TokenValidationError("token.alg_not_allowed")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    usable = [
        jwk
        for jwk in (keys if isinstance(keys, list) else ())
        if _signing_key_problem(jwk) is None
    ]
    if kid is not None:
        same_kid = [jwk for jwk in usable if jwk.get("kid") == kid]
        if not same_kid:
            raise UnknownKeyError("jwks.unknown_kid")
        candidates = [jwk for jwk in same_kid if _key_fits_algorithm(jwk, alg)]
        if not candidates:
            # The kid exists but for another algorithm: an alg-confusion attempt
            # or a broken provider; a refresh would not help.
            raise TokenValidationError("token.alg_key_mismatch")
    else:
        candidates = [jwk for jwk in usable if _key_fits_algorithm(jwk, alg)]
        if not candidates:
            raise UnknownKeyError("jwks.unknown_kid")
        if len(candidates) > 1:
            raise TokenValidationError("token.kid_missing")
    try:
        return public_key_from_jwk(candidates[0])
    except ValueError:
        raise TokenValidationError("jwks.invalid_key") from None


class JwksRefreshPolicy:
    """When the shell should (re)fetch the provider JWKS.

    - ``should_fetch``: no cached JWKS, or the cached copy is older than ``ttl``.
    - ``may_refresh_for_unknown_kid``: a token names a kid the cached JWKS does
      not have (key rotation). The shell refreshes *at most once per login*
      (it retries verification once, then gives up) and not more often than
      every ``min_interval`` seconds across logins, so forged kids cannot turn
      the portal into a JWKS-fetching amplifier against the provider.
    """

    @staticmethod
    def should_fetch(cached_at, now, ttl=3600):
        if cached_at is None:
            return True
        # A cache time in the future means clock trouble: refetch.
        return now - cached_at >= ttl or cached_at > now + 60

    @staticmethod
    def may_refresh_for_unknown_kid(last_fetch_at, now, min_interval=30):
        if last_fetch_at is None:
            return True
        return now - last_fetch_at >= min_interval or last_fetch_at > now + 60
