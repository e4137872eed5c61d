"""Size-capped, strict decoding of the JSON objects the provider sends.

Token responses, the JWKS, the discovery document, plain-JSON userinfo and
the JOSE headers and payloads all go through ``load_json_object``: duplicate
member names (ambiguous: which one did the other party read?) and the
non-standard NaN/Infinity constants are refused.
"""

import json

from .errors import ProviderResponseError


class MalformedError(ValueError):
    """Internal: the input is not well-formed JSON (or base64url)."""


def _refuse_duplicate_members(pairs):
    # RFC 7515 §4: a JOSE header with duplicate names must be rejected;
    # the same ambiguity anywhere else is refused too.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise MalformedError
    return members


def _refuse_constant(_name):
    raise MalformedError


def load_json_object(data):
    """Decode UTF-8 JSON that must be an object (no duplicates, no NaN)."""
    try:
        value = json.loads(
            data,
            object_pairs_hook=_refuse_duplicate_members,
            parse_constant=_refuse_constant,
        )
    except (ValueError, RecursionError):
        raise MalformedError from None
    if not isinstance(value, dict):
        raise MalformedError
    return value


def read_json_object(
    body, *, max_bytes, check_prefix, error_class=ProviderResponseError
):
    """The JSON object in a response ``body`` (bytes or str), size-capped.

    Raises ``error_class("<check_prefix>.oversized")`` beyond ``max_bytes``
    and ``error_class("<check_prefix>.malformed")`` for anything but a
    well-formed JSON object. The body is never quoted in the error.
    """
    try:
        if isinstance(body, str):
            body = body.encode("utf-8")
        if not isinstance(body, bytes | bytearray):
            raise MalformedError
        if len(body) > max_bytes:
            raise error_class(f"{check_prefix}.oversized")
        # RFC 8259 §8.1: exchanged JSON is UTF-8, strictly (no lone surrogates).
        return load_json_object(bytes(body).decode("utf-8"))
    except (MalformedError, UnicodeError):
        raise error_class(f"{check_prefix}.malformed") from None
