"""Translatable texts for what a person reads when a national-ID login fails.

The ``oidc`` core speaks plain English (it never imports Odoo); the page
translates its messages here, in the visitor's language. Every message the
core or this addon can put in front of a person has an entry: an Odoo test
checks it, so a new message cannot slip through untranslated.
"""

from odoo.tools.translate import _lt

# Refusals decided by this addon rather than by the core's linking table.
INTERNAL_USER = (
    "This national ID belongs to a staff account, which cannot sign in to the "
    "portal this way."
)
SESSION_CHANGED = (
    "You were signed out while linking your national ID. Please sign in and try again."
)

USER_MESSAGES = {
    # oidc.errors defaults
    "Sign-in with your national ID failed. Please try again.": _lt(
        "Sign-in with your national ID failed. Please try again."
    ),
    "Your sign-in session expired or was already used. Please sign in again.": _lt(
        "Your sign-in session expired or was already used. Please sign in again."
    ),
    "The identity data received from your national ID could not be used. "
    "Please contact support.": _lt(
        "The identity data received from your national ID could not be used. "
        "Please contact support."
    ),
    "Sign-in with your national ID is not configured correctly. "
    "Please contact support.": _lt(
        "Sign-in with your national ID is not configured correctly. "
        "Please contact support."
    ),
    "Some of these details come from your national ID and cannot be changed here.": _lt(
        "Some of these details come from your national ID and cannot be changed here."
    ),
    # oidc.authorize
    "You cancelled the sign-in.": _lt(
        "You cancelled the sign-in. You can try again whenever you are ready."
    ),
    # http_transport
    "The national ID service is not reachable right now. Please try again in a "
    "few minutes.": _lt(
        "The national ID service is not reachable right now. Please try again in "
        "a few minutes."
    ),
    # oidc.linking refusals
    "We could not identify your account with certainty. Please contact support.": _lt(
        "We could not identify your account with certainty. Please contact support."
    ),
    "No account is linked to your national ID yet. If you already have an "
    "account, sign in with it and link your national ID from your profile; "
    "otherwise please visit a service point to register.": _lt(
        "No account is linked to your national ID yet. If you already have an "
        "account, sign in with it and link your national ID from your profile; "
        "otherwise please visit a service point to register."
    ),
    "No account matches your national ID, and registering online is not open. "
    "Please visit a service point to register, then sign in again.": _lt(
        "No account matches your national ID, and registering online is not "
        "open. Please visit a service point to register, then sign in again."
    ),
    "Linking your national ID to an account is not enabled.": _lt(
        "Linking your national ID to an account is not enabled."
    ),
    "Please sign in before linking your national ID.": _lt(
        "Please sign in before linking your national ID."
    ),
    "This national ID is already linked to another account. Please contact "
    "support.": _lt(
        "This national ID is already linked to another account. Please contact support."
    ),
    "Your account is already linked to another national ID. Please contact "
    "support.": _lt(
        "Your account is already linked to another national ID. Please contact support."
    ),
    # this addon
    INTERNAL_USER: _lt(
        "This national ID belongs to a staff account, which cannot sign in to the "
        "portal this way."
    ),
    SESSION_CHANGED: _lt(
        "You were signed out while linking your national ID. Please sign in and "
        "try again."
    ),
}


def translated(message):
    """The person's-language version of a core message (English if unknown)."""
    entry = USER_MESSAGES.get(message)
    return str(entry) if entry is not None else message
