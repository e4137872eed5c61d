"""Errors of the Form.io core: submission problems are data, the rest raise.

A person's wrong answer is never an exception: it becomes a :class:`FieldError`
with a stable ``code`` (the Odoo shell translates by code) and an English
``message`` built from ``MESSAGES``. Exceptions are for the administrator's
mistakes (:class:`SchemaError`: the form cannot be validated on the server),
for refused documents (:class:`DocumentError`) and for a broken prefill
mapping (:class:`PrefillError`). None of them carries submitted values beyond
short, truncated parameters, so ``str(error)`` is safe to log.
"""

from dataclasses import dataclass, field

# Codes of field errors (``FieldError.code``).
REQUIRED = "required"
INVALID_TYPE = "invalid_type"
MIN_LENGTH = "min_length"
MAX_LENGTH = "max_length"
MIN_WORDS = "min_words"
MAX_WORDS = "max_words"
PATTERN = "pattern"
PATTERN_LENGTH = "pattern_length"
MASK = "mask"
INVALID_CHARS = "invalid_chars"
INVALID_EMAIL = "invalid_email"
INVALID_PHONE = "invalid_phone"
INVALID_NUMBER = "invalid_number"
INTEGER = "integer"
DECIMALS = "decimals"
MIN_VALUE = "min_value"
MAX_VALUE = "max_value"
CHOICE = "choice"
MIN_SELECTED = "min_selected"
MAX_SELECTED = "max_selected"
INVALID_DATE = "invalid_date"
MIN_DATE = "min_date"
MAX_DATE = "max_date"
DISABLED_DATE = "disabled_date"
INVALID_TIME = "invalid_time"
MIN_ITEMS = "min_items"
MAX_ITEMS = "max_items"
INVALID_FILE = "invalid_file"
CUSTOM = "custom"
UNKNOWN_KEY = "unknown_key"
LOCKED = "locked"
TOO_DEEP = "too_deep"
TOO_LARGE = "too_large"
TOO_MANY_ERRORS = "too_many_errors"
UNREADABLE = "unreadable"  # the posted answers are not a JSON object

MESSAGES = {
    REQUIRED: "This field is required.",
    INVALID_TYPE: "Enter a valid value.",
    MIN_LENGTH: "Enter at least {min_length} characters.",
    MAX_LENGTH: "Enter at most {max_length} characters.",
    MIN_WORDS: "Enter at least {min_words} words.",
    MAX_WORDS: "Enter at most {max_words} words.",
    PATTERN: "This value does not match the required format.",
    PATTERN_LENGTH: "This value is too long to check its format: enter at most "
    "{max_length} characters.",
    MASK: "Enter the value in the format {mask}.",
    INVALID_CHARS: "This value contains characters that are not allowed.",
    INVALID_EMAIL: "Enter a valid email address.",
    INVALID_PHONE: "Enter a valid phone number.",
    INVALID_NUMBER: "Enter a number.",
    INTEGER: "Enter a whole number.",
    DECIMALS: "Enter at most {decimals} decimal places.",
    MIN_VALUE: "Enter a value greater than or equal to {min_value}.",
    MAX_VALUE: "Enter a value less than or equal to {max_value}.",
    CHOICE: "Select a valid choice.",
    MIN_SELECTED: "Select at least {min_selected} options.",
    MAX_SELECTED: "Select at most {max_selected} options.",
    INVALID_DATE: "Enter a valid date.",
    MIN_DATE: "Enter a date on or after {min_date}.",
    MAX_DATE: "Enter a date on or before {max_date}.",
    DISABLED_DATE: "This date cannot be selected.",
    INVALID_TIME: "Enter a valid time.",
    MIN_ITEMS: "Enter at least {min_items} entries.",
    MAX_ITEMS: "Enter at most {max_items} entries.",
    INVALID_FILE: "Upload a valid file.",
    CUSTOM: "This value is not valid.",
    UNKNOWN_KEY: "This field is not part of the form.",
    LOCKED: "This value comes from your registration and cannot be changed.",
    TOO_DEEP: "The submission is nested too deeply.",
    TOO_LARGE: "The submission is too large.",
    TOO_MANY_ERRORS: "The submission has too many errors.",
    UNREADABLE: "Your answers could not be read. Please submit again.",
}

FIELD_ERROR_CODES = frozenset(MESSAGES)

# Codes of document errors (``DocumentError.code``).
DOCUMENT_TYPE = "document.type"
DOCUMENT_SIZE = "document.size"
DOCUMENT_EMPTY = "document.empty"

_MAX_PARAM_CHARS = 80


def _short(value):
    """Parameters end up in messages and logs: keep them short and plain."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return value
    text = str(value)
    if len(text) > _MAX_PARAM_CHARS:
        text = text[: _MAX_PARAM_CHARS - 1] + "…"
    return text


@dataclass(frozen=True)
class FieldError:
    """One problem with one submitted value.

    ``path`` is the key path in the submission (``address.city``,
    ``household[2].age``; ``""`` for the submission itself). ``message`` is
    English; the shell translates ``code`` with ``params``.
    """

    path: str
    code: str
    message: str
    params: dict = field(default_factory=dict)

    @classmethod
    def build(cls, path, code, message=None, **params):
        params = {name: _short(value) for name, value in params.items()}
        if message is None:
            message = MESSAGES[code].format(**params)
        return cls(path=path, code=code, message=message, params=params)

    def as_dict(self):
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "params": dict(self.params),
        }


# Codes of schema problems (``Problem.code``): (fatal, English message).
PROBLEMS = {
    "schema.json": (True, "The schema is not JSON."),
    "schema.invalid": (True, "The schema is not an object."),
    "schema.components": (True, "A component list is not a list."),
    "schema.component": (True, "A component is not an object or has no type."),
    "schema.too_deep": (True, "Components are nested too deeply."),
    "schema.too_large": (True, "The form has too many components."),
    "display.unsupported": (True, "Display '{display}' is not supported."),
    "component.unsupported": (True, "Component type '{type}' is not supported."),
    "component.children": (True, "This component cannot hold other components."),
    "key.missing": (True, "A component that holds data has no key."),
    "key.unsafe": (True, "Keys start with a letter or _, then letters, digits, _, -."),
    "key.duplicate": (True, "The key '{key}' is used twice in the same data scope."),
    "setting.invalid": (True, "The setting '{setting}' is not a number."),
    # A pattern the server cannot run as formio.js does, in linear time.
    "pattern.invalid": (
        True,
        "The pattern is not a valid regular expression: {reason}.",
    ),
    "pattern.lookaround": (
        True,
        "Lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) cannot be checked "
        "on the server: write the pattern without them.",
    ),
    "pattern.backreference": (
        True,
        "Backreferences (\\1, \\k<name>) cannot be checked on the server: write "
        "the pattern without them.",
    ),
    "pattern.too_large": (True, "The pattern is too large to check quickly: {reason}."),
    "pattern.unsupported": (
        True,
        "The pattern uses {feature}, which the server cannot check.",
    ),
    "mask.multiple": (False, "Multiple input masks are not checked."),
    "checkbox.radio": (True, "A checkbox used as a radio button is not supported."),
    "options.invalid": (True, "An option has no value."),
    "options.empty": (True, "The component has no options."),
    "select.data_source": (True, "Options from '{source}' cannot be checked."),
    "datetime.time_only": (True, "A date/time without a date is not supported."),
    "date.bound": (False, "A minimum or maximum date that is not ISO is not checked."),
    "conditional.invalid": (True, "The condition is malformed."),
    "conditional.operator": (False, "Condition operator '{operator}' is not run."),
    "conditional.unknown_key": (False, "The condition refers to '{key}', not found."),
    "conditional.ambiguous": (False, "The condition refers to '{key}', defined twice."),
    "conditional.grid_target": (False, "The condition refers to '{key}' in a grid."),
    "jsonlogic.operator": (False, "JSONLogic operators not run: {operators}."),
    "jsonlogic.too_deep": (True, "The JSONLogic expression is nested too deeply."),
    "js.custom_conditional": (False, "JavaScript conditions are not run."),
    "js.calculate_value": (False, "JavaScript calculated values are not run."),
    "js.custom_validation": (False, "JavaScript validation is not run."),
    "js.logic": (False, "Field logic with JavaScript is not run."),
    "logic.unsupported": (False, "Field logic (triggers and actions) is not run."),
    "calculate_value.unsupported": (False, "Calculated values are not recomputed."),
    "validate.unique": (False, "Uniqueness across submissions is not checked."),
    "wizard.outside_page": (False, "In a wizard, top-level components are panels."),
    "prefill.unknown_key": (True, "The form has no field '{key}'."),
    "prefill.duplicate_key": (True, "The form field '{key}' is mapped twice."),
    "prefill.in_grid": (True, "Fields inside a grid cannot be prefilled."),
    "prefill.not_a_value": (True, "Only fields that hold a value can be prefilled."),
    "prefill.lock_type": (True, "This field cannot be locked."),
}


@dataclass(frozen=True)
class Problem:
    """A finding of :func:`check_schema` about the form itself.

    ``fatal`` problems make the form impossible to validate on the server
    (``validate_submission`` raises :class:`SchemaError`); the others name a
    feature the server does not run (JavaScript, ``logic`` …), where browser
    and server may disagree. The mapping wizard refuses both.
    """

    path: str
    code: str
    message: str
    fatal: bool = False

    @classmethod
    def build(cls, path, code, **params):
        fatal, template = PROBLEMS[code]
        params = {name: _short(value) for name, value in params.items()}
        return cls(path=path, code=code, message=template.format(**params), fatal=fatal)

    def as_dict(self):
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "fatal": self.fatal,
        }


class FormioCoreError(Exception):
    """Base of the exceptions of this package; ``code`` is stable."""

    def __init__(self, code, message=""):
        self.code = code
        super().__init__(f"{code}: {message}" if message else code)


class SchemaError(FormioCoreError):
    """The form schema is malformed or uses what the server cannot validate.

    ``problems`` lists the fatal :class:`Problem` found, when there are any.
    """

    def __init__(self, code, message="", *, problems=()):
        self.problems = tuple(problems)
        super().__init__(code, message)


class DocumentError(FormioCoreError):
    """An uploaded document is refused (``document.type|size|empty``)."""

    def __init__(self, code, message="", **params):
        self.params = {name: _short(value) for name, value in params.items()}
        super().__init__(code, message)


class SubmissionUnreadable(FormioCoreError):
    """The posted answers cannot be taken in (``unreadable``, ``too_large``,
    ``too_deep``): a field error ``code`` of the submission as a whole."""

    def field_error(self):
        return FieldError.build("", self.code)


class PrefillError(FormioCoreError):
    """The prefill mapping cannot be applied (a programming or setup error)."""
