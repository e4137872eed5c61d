"""What a person reads next to a field the server refused, in their language.

The Form.io core reports each problem as a code with parameters; the
sentences live here, once, inside ``_lt(…)`` so that Odoo's translation
export finds them. Parameters are written ``{name}``.
"""

from odoo.tools.translate import _lt

from .formio_core import errors as e

MESSAGES = {
    e.REQUIRED: _lt("This field is required."),
    e.INVALID_TYPE: _lt("Enter a valid value."),
    e.MIN_LENGTH: _lt("Enter at least {min_length} characters."),
    e.MAX_LENGTH: _lt("Enter at most {max_length} characters."),
    e.MIN_WORDS: _lt("Enter at least {min_words} words."),
    e.MAX_WORDS: _lt("Enter at most {max_words} words."),
    e.PATTERN: _lt("This value does not match the required format."),
    e.PATTERN_LENGTH: _lt(
        "This value is too long to check its format: enter at most "
        "{max_length} characters."
    ),
    e.MASK: _lt("Enter the value in the format {mask}."),
    e.INVALID_CHARS: _lt("This value contains characters that are not allowed."),
    e.INVALID_EMAIL: _lt("Enter a valid email address."),
    e.INVALID_PHONE: _lt("Enter a valid phone number."),
    e.INVALID_NUMBER: _lt("Enter a number."),
    e.INTEGER: _lt("Enter a whole number."),
    e.DECIMALS: _lt("Enter at most {decimals} decimal places."),
    e.MIN_VALUE: _lt("Enter a value greater than or equal to {min_value}."),
    e.MAX_VALUE: _lt("Enter a value less than or equal to {max_value}."),
    e.CHOICE: _lt("Select a valid choice."),
    e.MIN_SELECTED: _lt("Select at least {min_selected} options."),
    e.MAX_SELECTED: _lt("Select at most {max_selected} options."),
    e.INVALID_DATE: _lt("Enter a valid date."),
    e.MIN_DATE: _lt("Enter a date on or after {min_date}."),
    e.MAX_DATE: _lt("Enter a date on or before {max_date}."),
    e.DISABLED_DATE: _lt("This date cannot be selected."),
    e.INVALID_TIME: _lt("Enter a valid time."),
    e.MIN_ITEMS: _lt("Enter at least {min_items} entries."),
    e.MAX_ITEMS: _lt("Enter at most {max_items} entries."),
    e.INVALID_FILE: _lt("Upload a valid file."),
    e.CUSTOM: _lt("This value is not valid."),
    e.UNKNOWN_KEY: _lt("This field is not part of the form."),
    e.LOCKED: _lt("This value comes from your registration and cannot be changed."),
    e.TOO_DEEP: _lt("The submission is nested too deeply."),
    e.TOO_LARGE: _lt("The submission is too large."),
    e.TOO_MANY_ERRORS: _lt("The submission has too many errors."),
    e.UNREADABLE: _lt("Your answers could not be read. Please submit again."),
}


def translated(code, params=None):
    """The person's-language sentence of a core problem code (a FieldError's
    ``code`` and ``params``)."""
    entry = MESSAGES.get(code, MESSAGES[e.CUSTOM])
    try:
        return str(entry).format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return str(MESSAGES[e.CUSTOM])
