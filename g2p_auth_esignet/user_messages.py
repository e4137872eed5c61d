"""What a person reads when a national-ID step fails, in their language.

The ``oidc`` core never holds a sentence: its errors carry a message key
(``oidc.messages``) and, for a few configuration messages, log-safe
parameters. Each sentence is written here once, inside ``_lt(…)`` so that
Odoo's translation export finds it. A plain test (tests/oidc) checks that
every key the core or this addon can raise has an entry, and that no
sentence is written anywhere else.

Sentences are always %-formatted with the error's parameters: write a
literal percent sign as ``%%``.
"""

from odoo.tools.translate import _lt

from .oidc import messages

MESSAGES = {
    messages.DEFAULT: _lt("Sign-in with your national ID failed. Please try again."),
    messages.STATE: _lt(
        "Your sign-in session expired or was already used. Please sign in again."
    ),
    messages.CLAIMS: _lt(
        "The identity data received from your national ID could not be used. "
        "Please contact support."
    ),
    messages.CONFIGURATION: _lt(
        "Sign-in with your national ID is not configured correctly. "
        "Please contact support."
    ),
    messages.LOCKED_FIELD: _lt(
        "Some of these details come from your national ID and cannot be changed here."
    ),
    messages.CANCELLED: _lt(
        "You cancelled the sign-in. You can try again whenever you are ready."
    ),
    messages.PROVIDER_UNAVAILABLE: _lt(
        "The national ID service is not reachable right now. Please try again in "
        "a few minutes."
    ),
    messages.CLIENT_KEY_INVALID: _lt(
        "The client private key is not a valid private RSA or EC P-256 key "
        "(private JWK or unencrypted PEM)."
    ),
    messages.CLIENT_KEY_PUBLIC_ONLY: _lt(
        "The client key is a public key; the private key is required."
    ),
    messages.CLIENT_KEY_ENCRYPTED: _lt("The client private key must not be encrypted."),
    messages.CLIENT_KEY_ALG_NOT_SUPPORTED: _lt(
        "The identity provider does not accept client assertions signed with "
        "%(algorithm)s. It accepts: %(supported)s. Use a client key of one of "
        "these types."
    ),
    messages.MAPPING_INVALID: _lt(
        "Entry %(position)s of the claim mapping is invalid: use target:claim "
        "pairs separated by spaces, each target once."
    ),
    messages.LINKING_AMBIGUOUS_MATCH: _lt(
        "We could not identify your account with certainty. Please contact support."
    ),
    messages.LINKING_MANUAL_LINK_REQUIRED: _lt(
        "No account is linked to your national ID yet. If you already have an "
        "account, sign in with it and link your national ID from your profile; "
        "otherwise please visit a service point to register."
    ),
    messages.LINKING_NO_MATCH_REGISTRATION_DISABLED: _lt(
        "No account matches your national ID, and registering online is not "
        "open. Please visit a service point to register, then sign in again."
    ),
    messages.LINKING_MANUAL_DISABLED: _lt(
        "Linking your national ID to an account is not enabled."
    ),
    messages.LINKING_NOT_SIGNED_IN: _lt(
        "Please sign in before linking your national ID."
    ),
    messages.LINKING_PSUT_LINKED_ELSEWHERE: _lt(
        "This national ID is already linked to another account. Please contact support."
    ),
    messages.LINKING_PARTNER_ALREADY_LINKED: _lt(
        "Your account is already linked to another national ID. Please contact support."
    ),
    messages.LINKING_INTERNAL_USER: _lt(
        "This national ID belongs to a staff account, which cannot sign in to the "
        "portal this way."
    ),
    messages.LINKING_SESSION_CHANGED: _lt(
        "You were signed out while linking your national ID. Please sign in and "
        "try again."
    ),
}


def translated(code, params=None):
    """The person's-language message of a message key (an OidcError's
    ``message_key`` and ``message_params``).

    An unknown key, or a sentence whose translation does not fit its
    parameters, gives the generic message: a person never sees a key or a
    broken sentence.
    """
    entry = MESSAGES.get(code) if isinstance(code, str) else None
    if entry is None:
        return str(MESSAGES[messages.DEFAULT])
    try:
        return str(entry) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES[messages.DEFAULT])
