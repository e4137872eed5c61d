"""Exceptions of the OIDC relying-party core.

Every error carries ``check``, a short dotted name of the check that failed
(``id_token.aud``, ``state.reused`` …), and ``message_key``, which names the
message a person reads (``messages.STATE`` …; the sentences themselves are
in the addon's ``user_messages.py``). A few configuration messages take
``message_params``, reduced to log-safe codes and numbers. None of them ever
holds a token, a key or personal data, so ``check`` and ``str(error)`` are
safe to log.
"""

import re

from . import messages

_LOG_SAFE_CHECK = re.compile(r"[^A-Za-z0-9_.\-]")
_MAX_CODE_LENGTH = 64
_MAX_PARAM_ITEMS = 16


def log_safe_code(value, *, max_length=_MAX_CODE_LENGTH):
    """Reduce an untrusted short code (OAuth ``error``, claim name) to log-safe text."""
    if value is None:
        return None
    text = _LOG_SAFE_CHECK.sub("_", str(value))[:max_length]
    return text or None


def _safe_param(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = [log_safe_code(item) for item in list(value)[:_MAX_PARAM_ITEMS]]
        return ", ".join(item for item in items if item)
    return log_safe_code(value) or ""


class OidcError(Exception):
    """Base error: ``check`` names the failed check, ``message_key`` the message."""

    default_message_key = messages.DEFAULT

    def __init__(self, check, message_key=None, *, message_params=None):
        # A check name is a constant of this package, but sanitise anyway so
        # that a careless f-string can never smuggle data into the logs.
        self.check = log_safe_code(check, max_length=128) or "oidc.unknown"
        self.message_key = (
            message_key
            if messages.is_message_key(message_key)
            else self._default_message_key()
        )
        self.message_params = {
            name: _safe_param(value) for name, value in (message_params or {}).items()
        }
        super().__init__(self.check)

    def _default_message_key(self):
        return self.default_message_key

    def __str__(self):
        return self.check

    def __repr__(self):
        return f"{type(self).__name__}({self.check!r})"


class StateError(OidcError):
    """The callback does not belong to a login started in this session."""

    default_message_key = messages.STATE


class TokenValidationError(OidcError):
    """The ID token (or a signed response) failed a verification check."""


class UnknownKeyError(TokenValidationError):
    """No JWKS key matches the token: refresh the JWKS once and retry."""


class UserinfoError(OidcError):
    """The userinfo response failed a verification check."""


class ProviderResponseError(OidcError):
    """The provider answered with an error or an unusable response.

    ``provider_error`` keeps the OAuth ``error`` code (sanitised, for the log);
    ``status_code`` the HTTP status when there was one.
    """

    def __init__(
        self,
        check,
        message_key=None,
        *,
        message_params=None,
        provider_error=None,
        status_code=None,
    ):
        super().__init__(check, message_key, message_params=message_params)
        self.provider_error = log_safe_code(provider_error)
        self.status_code = status_code if isinstance(status_code, int) else None

    def __str__(self):
        details = []
        if self.status_code is not None:
            details.append(f"status={self.status_code}")
        if self.provider_error:
            details.append(f"error={self.provider_error}")
        if not details:
            return self.check
        return f"{self.check} ({', '.join(details)})"


class ClaimMappingError(OidcError):
    """A KYC claim has a value that cannot be mapped onto the registrant."""

    default_message_key = messages.CLAIMS


class ConfigurationError(OidcError):
    """The provider is misconfigured (key, mapping, parameters)."""

    default_message_key = messages.CONFIGURATION


class LinkingError(OidcError):
    """The national ID cannot be linked to, or used for, an account.

    Its message key defaults to its check (``linking.ambiguous_match`` …):
    each refusal tells the person what to do.
    """

    def _default_message_key(self):
        return (
            self.check
            if messages.is_message_key(self.check)
            else super()._default_message_key()
        )


class LockedFieldError(OidcError):
    """A write tries to change a field whose value comes from the national ID.

    ``fields`` lists the field names (never their values).
    """

    default_message_key = messages.LOCKED_FIELD

    def __init__(self, check, message_key=None, *, message_params=None, fields=()):
        super().__init__(check, message_key, message_params=message_params)
        self.fields = tuple(fields)

    def __str__(self):
        if not self.fields:
            return self.check
        return f"{self.check} ({', '.join(self.fields)})"
