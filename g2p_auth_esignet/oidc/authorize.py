"""Authorization request (code flow + PKCE S256) and callback parsing."""

import json
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from . import messages
from .errors import ConfigurationError, ProviderResponseError

# Parameters that bind the request to this login; ``extra`` may not override them.
_PROTOCOL_PARAMETERS = frozenset(
    {
        "response_type",
        "client_id",
        "redirect_uri",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "claims",
        "acr_values",
        "request",
        "request_uri",
    }
)
_CANCELLED_ERRORS = frozenset({"access_denied", "consent_rejected", "user_cancelled"})
_MAX_CODE_LENGTH = 4096


def _space_separated(value):
    if value is None:
        return None
    if isinstance(value, str):
        items = value.split()
    else:
        items = [str(item).strip() for item in value]
    text = " ".join(item for item in items if item)
    return text or None


def build_claims_request(essential, voluntary):
    """eSignet ``claims`` parameter asking userinfo for these claims.

    A claim listed in both is essential.
    """
    userinfo = {name: {"essential": False} for name in voluntary}
    userinfo.update({name: {"essential": True} for name in essential})
    return {"userinfo": userinfo, "id_token": {}}


def build_authorize_url(
    authorization_endpoint,
    *,
    client_id,
    redirect_uri,
    transaction,
    scope="openid profile",
    acr_values=None,
    claims=None,
    ui_locales=None,
    prompt=None,
    display=None,
    claims_locales=None,
    extra=None,
):
    """URL of the authorization request for ``transaction``.

    Query parameters already in ``authorization_endpoint`` are kept unless
    this function sets them. ``acr_values`` defaults to ``transaction.acr``.
    """
    parts = urlsplit(authorization_endpoint)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.fragment:
        raise ConfigurationError("authorize.endpoint")
    scopes = (_space_separated(scope) or "").split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    parameters = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(scopes),
        "state": transaction.state,
        "nonce": transaction.nonce,
        "code_challenge": transaction.code_challenge,
        "code_challenge_method": "S256",
        "acr_values": _space_separated(
            acr_values if acr_values is not None else transaction.acr
        ),
        "claims": (
            json.dumps(claims, separators=(",", ":")) if claims is not None else None
        ),
        "ui_locales": _space_separated(ui_locales),
        "claims_locales": _space_separated(claims_locales),
        "prompt": _space_separated(prompt),
        "display": display or None,
    }
    for name, value in (extra or {}).items():
        if name in _PROTOCOL_PARAMETERS:
            raise ConfigurationError("authorize.extra_reserved")
        parameters[name] = value
    parameters = {
        name: value for name, value in parameters.items() if value is not None
    }
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name not in parameters
    ]
    query = urlencode(kept + list(parameters.items()), quote_via=quote)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _single_value(params, name):
    value = params.get(name)
    if isinstance(value, list | tuple):
        if len(value) > 1:
            raise ProviderResponseError("callback.malformed")
        value = value[0] if value else None
    if value is not None and not isinstance(value, str):
        raise ProviderResponseError("callback.malformed")
    return value or None


def parse_callback(params):
    """``(code, state)`` from the redirect's query parameters.

    ``state`` may be None: ``pop_transaction`` reports it. An ``error`` from
    the provider raises ProviderResponseError("callback.error") keeping the
    sanitised code in ``provider_error``.
    """
    error = _single_value(params, "error")
    if error:
        raise ProviderResponseError(
            "callback.error",
            messages.CANCELLED if error in _CANCELLED_ERRORS else None,
            provider_error=error,
        )
    code = _single_value(params, "code")
    state = _single_value(params, "state")
    if not code:
        raise ProviderResponseError("callback.missing_code")
    if len(code) > _MAX_CODE_LENGTH:
        raise ProviderResponseError("callback.malformed")
    return code, state
