"""Check what a registrant typed on the profile page, without Odoo.

``check_profile`` takes the posted form (strings), what the page offered
(``ProfileContext``) and the person's current values, and returns the values
to write and the problems found, each a code with parameters (``errors``)
that the portal turns into a sentence in the person's language. Nothing is
written when there is a problem: the page shows every problem at once.
"""

import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from . import errors as e

# Fields a registrant may see on the profile page, in the page's order.
TEXT_LIMITS = {
    "given_name": 100,
    "family_name": 100,
    "addl_name": 100,
    "birth_place": 100,
    "street": 200,
    "street2": 200,
    "city": 100,
    "zip": 20,
}
NAME_FIELDS = ("family_name", "given_name", "addl_name")
PROFILE_FIELDS = (
    *NAME_FIELDS,
    "birthdate",
    "birth_place",
    "gender",
    "email",
    "phone",
    "street",
    "street2",
    "city",
    "zip",
    "country_id",
    "state_id",
    "lang",
)
EARLIEST_BIRTHDATE = datetime.date(1900, 1, 1)
EMAIL_MAX = 254
_ZIP_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z \-]*")


@dataclass(frozen=True)
class ProfileContext:
    """What the page offers and what the person may change.

    ``locked``: fields verified through the national ID (shown, never
    changed). ``required``: fields that may not be emptied. ``countries``:
    country id -> ISO code; ``states``: state id -> its country id;
    ``genders`` and ``languages``: the codes offered. ``today`` bounds the
    date of birth. ``default_region`` reads a phone number without a ``+``.
    """

    today: datetime.date
    locked: frozenset = frozenset()
    required: frozenset = frozenset({"given_name", "family_name"})
    countries: Mapping = field(default_factory=dict)
    states: Mapping = field(default_factory=dict)
    genders: frozenset = frozenset()
    languages: frozenset = frozenset()
    default_region: str | None = None


@dataclass
class ProfileResult:
    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)

    @property
    def ok(self):
        return not self.errors


def clean_text(value):
    """Trimmed text with inner runs of blanks made one space; '' for None."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(text.split())


def registry_name(family_name, given_name, addl_name):
    """The registry's display name of an individual: "FAMILY, GIVEN ADDL"."""
    name = ""
    if family_name:
        name += family_name + ", "
    if given_name:
        name += given_name + " "
    if addl_name:
        name += addl_name + " "
    return name.upper()


def normalize_phone(text, region=None):
    """The number in E.164 form, or raise ValueError."""
    try:
        number = phonenumbers.parse(text, region if not text.startswith("+") else None)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(text):
    """The address with its domain normalised, or raise ValueError."""
    if len(text) > EMAIL_MAX:
        raise ValueError("too long")
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None


def _parse_id(text):
    text = clean_text(text)
    if not text:
        return False
    if not text.isdigit() or len(text) > 12:
        raise ValueError(text)
    return int(text)


def _comparable(name, value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value in (None, False, ""):
        return False
    return value


def check_profile(form, context, current):
    """Values to write and problems found in a posted profile form.

    ``form``: posted strings (missing keys leave a field as it is).
    ``current``: the person's values in write() form (ids for countries and
    states, ISO strings for dates, False when empty). Only changed fields are
    returned, so that an unchanged locked field posted back is no problem.
    """
    result = ProfileResult()
    wanted = {}
    for name in PROFILE_FIELDS:
        if name not in form:
            continue
        raw = form[name]
        if isinstance(raw, list | tuple):
            result.errors[name] = (e.INVALID, {})
            continue
        before = current.get(name)
        if isinstance(before, str) and clean_text(raw) == clean_text(before):
            # Posted back as it is (a phone stored in another format, say).
            continue
        try:
            value = _check_field(name, clean_text(raw), context)
        except _FieldProblem as problem:
            result.errors[name] = (problem.code, problem.params)
            continue
        if value in ("", None):
            value = False
        if value is False and name in context.required:
            result.errors[name] = (e.REQUIRED, {})
            continue
        wanted[name] = value
    _check_state_in_country(wanted, context, current, result)
    for name, value in wanted.items():
        if name in result.errors:
            continue
        if _comparable(name, value) == _comparable(name, current.get(name)):
            continue
        if name in context.locked:
            result.errors[name] = (e.LOCKED, {})
            continue
        result.values[name] = value
    if result.errors:
        result.values = {}
        return result
    if any(name in result.values for name in NAME_FIELDS):
        parts = {
            name: result.values.get(name, current.get(name)) for name in NAME_FIELDS
        }
        result.values["name"] = registry_name(
            parts["family_name"], parts["given_name"], parts["addl_name"]
        )
    return result


class _FieldProblem(Exception):
    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def _check_field(name, text, context):
    if not text:
        return False
    if name in TEXT_LIMITS:
        limit = TEXT_LIMITS[name]
        if len(text) > limit:
            raise _FieldProblem(e.TOO_LONG, max_length=limit)
        if any(unicodedata.category(char).startswith("C") for char in text):
            raise _FieldProblem(e.INVALID)
        if name == "zip" and not _ZIP_RE.fullmatch(text):
            raise _FieldProblem(e.INVALID_ZIP)
        return text
    if name == "email":
        try:
            return normalize_email(text)
        except ValueError:
            raise _FieldProblem(e.INVALID_EMAIL) from None
    if name == "phone":
        try:
            return normalize_phone(text, context.default_region)
        except ValueError:
            raise _FieldProblem(e.INVALID_PHONE) from None
    if name == "birthdate":
        try:
            day = datetime.date.fromisoformat(text)
        except ValueError:
            raise _FieldProblem(e.INVALID_DATE) from None
        if day > context.today:
            raise _FieldProblem(e.FUTURE_DATE)
        if day < EARLIEST_BIRTHDATE:
            raise _FieldProblem(
                e.DATE_TOO_EARLY, min_date=EARLIEST_BIRTHDATE.isoformat()
            )
        return day.isoformat()
    if name == "gender":
        if text not in context.genders:
            raise _FieldProblem(e.CHOICE)
        return text
    if name == "lang":
        if text not in context.languages:
            raise _FieldProblem(e.CHOICE)
        return text
    if name in ("country_id", "state_id"):
        try:
            record_id = _parse_id(text)
        except ValueError:
            raise _FieldProblem(e.CHOICE) from None
        known = context.countries if name == "country_id" else context.states
        if record_id not in known:
            raise _FieldProblem(e.CHOICE)
        return record_id
    raise _FieldProblem(e.INVALID)


def _check_state_in_country(wanted, context, current, result):
    """A state must be one of its country's; a new country drops the old state."""
    if "state_id" in result.errors or "country_id" in result.errors:
        return
    country = wanted.get("country_id", current.get("country_id"))
    state = wanted.get("state_id", current.get("state_id"))
    if not state:
        return
    if context.states.get(state) == country:
        return
    if "state_id" in wanted:
        result.errors["state_id"] = (e.STATE_COUNTRY, {})
    else:
        # The country changed and the form did not name a state: the old
        # one belongs to another country and is cleared.
        wanted["state_id"] = False
