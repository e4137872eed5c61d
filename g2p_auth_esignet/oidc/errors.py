"""Exceptions of the OIDC relying-party core.

Every error carries ``check``, a short dotted name of the check that failed
(``id_token.aud``, ``state.reused`` …), and ``user_message``, a generic text
for the person. Neither ever holds a token, a key or personal data, so both
``check`` and ``str(error)`` are safe to log.
"""

import re

_LOG_SAFE_CHECK = re.compile(r"[^A-Za-z0-9_.\-]")
_MAX_CODE_LENGTH = 64


def log_safe_code(value, *, max_length=_MAX_CODE_LENGTH):
    """Reduce an untrusted short code (OAuth ``error``, claim name) to log-safe text."""
    if value is None:
        return None
    text = _LOG_SAFE_CHECK.sub("_", str(value))[:max_length]
    return text or None


class OidcError(Exception):
    """Base error: ``check`` names the failed check, ``user_message`` is for people."""

    default_user_message = "Sign-in with your national ID failed. Please try again."

    def __init__(self, check, user_message=None):
        # A check name is a constant of this package, but sanitise anyway so
        # that a careless f-string can never smuggle data into the logs.
        self.check = log_safe_code(check, max_length=128) or "oidc.unknown"
        self.user_message = user_message or self.default_user_message
        super().__init__(self.check)

    def __str__(self):
        return self.check

    def __repr__(self):
        return f"{type(self).__name__}({self.check!r})"


class StateError(OidcError):
    """The callback does not belong to a login started in this session."""

    default_user_message = (
        "Your sign-in session expired or was already used. Please sign in again."
    )


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
        self, check, user_message=None, *, provider_error=None, status_code=None
    ):
        super().__init__(check, user_message)
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

    default_user_message = (
        "The identity data received from your national ID could not be used. "
        "Please contact support."
    )


class ConfigurationError(OidcError):
    """The provider is misconfigured (key, mapping, parameters)."""

    default_user_message = (
        "Sign-in with your national ID is not configured correctly. "
        "Please contact support."
    )


class LinkingError(OidcError):
    """The national ID cannot be linked to, or used for, an account."""


class LockedFieldError(OidcError):
    """A write tries to change a field whose value comes from the national ID.

    ``fields`` lists the field names (never their values).
    """

    default_user_message = (
        "Some of these details come from your national ID and cannot be changed here."
    )

    def __init__(self, check, user_message=None, *, fields=()):
        super().__init__(check, user_message)
        self.fields = tuple(fields)

    def __str__(self):
        if not self.fields:
            return self.check
        return f"{self.check} ({', '.join(self.fields)})"
