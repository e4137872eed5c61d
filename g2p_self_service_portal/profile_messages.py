"""What a person reads next to a profile field the portal refused.

The profile core reports each problem as a code with parameters; the
sentences live here, once, inside ``_lt(…)`` so that Odoo's translation
export finds them. Parameters are written ``{name}``.
"""

from odoo.tools.translate import _lt

from .profile_core import errors as e

MESSAGES = {
    e.REQUIRED: _lt("This field is required."),
    e.INVALID: _lt("Enter a valid value."),
    e.TOO_LONG: _lt("Enter at most {max_length} characters."),
    e.INVALID_EMAIL: _lt("Enter a valid email address, such as name@example.org."),
    e.INVALID_PHONE: _lt(
        "Enter a valid phone number, with its country code if it is not local "
        "(such as +233 24 412 3456)."
    ),
    e.INVALID_DATE: _lt("Enter a valid date."),
    e.FUTURE_DATE: _lt("The date of birth cannot be in the future."),
    e.DATE_TOO_EARLY: _lt("Enter a date on or after {min_date}."),
    e.INVALID_ZIP: _lt("Use only letters, digits, spaces and hyphens."),
    e.CHOICE: _lt("Select one of the choices offered."),
    e.STATE_COUNTRY: _lt("Select a region of the country you chose."),
    e.LOCKED: _lt(
        "This detail was verified through your national ID and cannot be changed here."
    ),
}


def translated(code, params=None):
    """The person's-language sentence of a core problem code."""
    entry = MESSAGES.get(code, MESSAGES[e.INVALID])
    try:
        return str(entry).format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return str(MESSAGES[e.INVALID])
