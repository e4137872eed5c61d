"""Compact JWS parsing and signature verification shared by ID token and userinfo.

The algorithm is never chosen by the token: the header ``alg`` must be in the
caller's allow-list (asymmetric algorithms only) and fit the selected key's
type before pyjwt's implementation of exactly that algorithm verifies it.
"""

import base64
import binascii
import re

from jwt.algorithms import get_default_algorithms

from .errors import TokenValidationError, UnknownKeyError
from .json_body import MalformedError, load_json_object
from .jwks import check_allowed_algorithms, select_key

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_ALGORITHMS = get_default_algorithms()


def base64url_decode(text):
    """Strict base64url (no padding, no foreign characters) to bytes."""
    if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedError
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise MalformedError from None


def base64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def verify_compact_jws(
    token,
    jwks,
    *,
    allowed_algs,
    max_bytes,
    error_class,
    structure_prefix,
    signature_check,
):
    """Verify a compact JWS against ``jwks``; return ``(header, claims)``.

    Structural failures raise ``error_class`` with checks
    ``<structure_prefix>.oversized|malformed|alg_not_allowed|crit_unsupported``,
    a bad signature ``signature_check``; key lookup raises UnknownKeyError.
    """
    allowed = check_allowed_algorithms(allowed_algs)
    if isinstance(token, bytes | bytearray):
        if len(token) > max_bytes:
            raise error_class(f"{structure_prefix}.oversized")
        try:
            token = bytes(token).decode("ascii")
        except UnicodeDecodeError:
            raise error_class(f"{structure_prefix}.malformed") from None
    if not isinstance(token, str):
        raise error_class(f"{structure_prefix}.malformed")
    if len(token) > max_bytes:
        raise error_class(f"{structure_prefix}.oversized")
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise error_class(f"{structure_prefix}.malformed")
    header_part, payload_part, signature_part = parts
    try:
        header = load_json_object(base64url_decode(header_part))
        signature = base64url_decode(signature_part)
        payload = base64url_decode(payload_part)
    except MalformedError:
        raise error_class(f"{structure_prefix}.malformed") from None

    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in allowed:
        raise error_class(f"{structure_prefix}.alg_not_allowed")
    if "crit" in header:
        # No JWS extension is understood here, so any critical one is fatal.
        raise error_class(f"{structure_prefix}.crit_unsupported")
    if header.get("b64", True) is not True or "enc" in header or "zip" in header:
        raise error_class(f"{structure_prefix}.malformed")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise error_class(f"{structure_prefix}.malformed")

    try:
        key = select_key(jwks, kid, alg)
    except UnknownKeyError:
        raise
    except TokenValidationError as error:
        check = error.check.replace("token.", f"{structure_prefix}.", 1)
        raise error_class(check) from None
    signing_input = f"{header_part}.{payload_part}".encode("ascii")
    try:
        valid = _ALGORITHMS[alg].verify(signing_input, key, signature)
    except Exception:
        # Any failure inside the crypto library is a failed verification.
        valid = False
    if not valid:
        raise error_class(signature_check)
    try:
        claims = load_json_object(payload)
    except MalformedError:
        raise error_class(f"{structure_prefix}.malformed") from None
    return header, claims
