"""Keys of the messages a person (or an administrator) reads when a step fails.

The core never holds a sentence: an error carries ``message_key`` (one of the
constants below) and, for a few configuration messages, ``message_params``.
The English sentences are written once, in the addon's ``user_messages.py``,
as ``_lt("…")`` literals keyed by these constants, so Odoo's translation
export finds them and the page shows them in the visitor's language. A plain
test checks that every key the core or the addon can raise has a sentence.
"""

import re

# Defaults of the error classes (see errors.py).
DEFAULT = "default"
STATE = "state"
CLAIMS = "claims"
CONFIGURATION = "configuration"
LOCKED_FIELD = "locked_field"

# The person cancelled at eSignet (authorize.parse_callback).
CANCELLED = "cancelled"
# eSignet did not answer (the Odoo shell's HTTP transport).
PROVIDER_UNAVAILABLE = "provider.unavailable"

# Administrator-facing configuration problems.
CLIENT_KEY_INVALID = "client_key.invalid"
CLIENT_KEY_PUBLIC_ONLY = "client_key.public_only"
CLIENT_KEY_ENCRYPTED = "client_key.encrypted"
# Params: ``algorithm`` (the key's), ``supported`` (the provider's list).
CLIENT_KEY_ALG_NOT_SUPPORTED = "client_key.alg_not_supported"
# Params: ``position`` (1-based entry of the mapping).
MAPPING_INVALID = "mapping.invalid"

# A linking refusal's message key is its check (LinkingError's default).
LINKING_AMBIGUOUS_MATCH = "linking.ambiguous_match"
LINKING_MANUAL_LINK_REQUIRED = "linking.manual_link_required"
LINKING_NO_MATCH_REGISTRATION_DISABLED = "linking.no_match_registration_disabled"
LINKING_MANUAL_DISABLED = "linking.manual_disabled"
LINKING_NOT_SIGNED_IN = "linking.not_signed_in"
LINKING_PSUT_LINKED_ELSEWHERE = "linking.psut_linked_elsewhere"
LINKING_PARTNER_ALREADY_LINKED = "linking.partner_already_linked"
# Refusals decided by the Odoo shell rather than by decide_login.
LINKING_INTERNAL_USER = "linking.internal_user"
LINKING_SESSION_CHANGED = "linking.session_changed"

_KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
_MAX_KEY_LENGTH = 64


def is_message_key(value):
    """True for a short dotted code such as ``linking.ambiguous_match``.

    Anything else (a sentence, personal data) is never a key: an error given
    one falls back to its class's default key.
    """
    return (
        isinstance(value, str)
        and len(value) <= _MAX_KEY_LENGTH
        and _KEY.fullmatch(value) is not None
    )


def all_message_keys():
    """Every key defined here (for tests and the translation check)."""
    return frozenset(
        value
        for name, value in globals().items()
        if name.isupper() and not name.startswith("_") and isinstance(value, str)
    )
