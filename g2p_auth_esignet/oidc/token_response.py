"""Token endpoint response parsing (RFC 6749 §5.1/§5.2)."""

import dataclasses

from .errors import ProviderResponseError
from .json_body import read_json_object

MAX_RESPONSE_BYTES = 256 * 1024


@dataclasses.dataclass(frozen=True)
class TokenResponse:
    access_token: str = dataclasses.field(repr=False)
    id_token: str = dataclasses.field(repr=False)
    token_type: str
    expires_in: int | None


def media_type(content_type):
    """``application/json`` from ``Application/JSON; charset=utf-8``."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_json_media_type(content_type):
    """True for JSON (or an absent type, which the body then has to prove)."""
    kind = media_type(content_type)
    return kind is None or kind == "application/json" or kind.endswith("+json")


def raise_for_error_status(status_code, body, *, check_prefix):
    """Raise ``<prefix>.http_error`` for a non-200 status, keeping only ``error``."""
    if status_code == 200:
        return
    try:
        document = read_json_object(
            body, max_bytes=MAX_RESPONSE_BYTES, check_prefix=check_prefix
        )
        provider_error = document.get("error")
    except ProviderResponseError:
        provider_error = None  # an error page that is not JSON: status only
    raise ProviderResponseError(
        f"{check_prefix}.http_error",
        provider_error=provider_error if isinstance(provider_error, str) else None,
        status_code=status_code,
    )


def parse_token_response(status_code, body, content_type):
    """TokenResponse from the token endpoint's answer, or ProviderResponseError."""
    if isinstance(body, str | bytes | bytearray) and len(body) > MAX_RESPONSE_BYTES:
        raise ProviderResponseError("token.oversized", status_code=status_code)
    raise_for_error_status(status_code, body, check_prefix="token")
    if not is_json_media_type(content_type):
        raise ProviderResponseError("token.content_type")
    document = read_json_object(
        body, max_bytes=MAX_RESPONSE_BYTES, check_prefix="token"
    )
    if "error" in document:
        error = document["error"]
        raise ProviderResponseError(
            "token.error", provider_error=error if isinstance(error, str) else None
        )
    access_token = document.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise ProviderResponseError("token.missing_access_token")
    id_token = document.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise ProviderResponseError("token.missing_id_token")
    token_type = document.get("token_type")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise ProviderResponseError("token.token_type")
    expires_in = document.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if not isinstance(expires_in, int) or isinstance(expires_in, bool):
        expires_in = None
    return TokenResponse(
        access_token=access_token,
        id_token=id_token,
        token_type="Bearer",
        expires_in=expires_in,
    )
