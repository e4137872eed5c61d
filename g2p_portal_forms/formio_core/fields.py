"""Value components: how each Form.io input type cleans and shows a value.

This module holds the base class and the text, number, checkbox, hidden and
file types; ``choice_fields`` and ``date_fields`` hold the others and
``components`` registers them all.

One class per component type, built once per schema from the component's
JSON (settings parsed, patterns compiled, bad settings reported to a problem
sink), then asked to ``clean`` submitted values. ``clean`` returns the typed
value or ``INVALID`` after reporting errors; it never raises for bad input.

Empty answers are kept, typed: ``None`` for scalars, ``False`` for a
checkbox, all options ``False`` for select boxes, ``[]`` for lists, so the
cleaned data has every visible key.
"""

import math
import re
from decimal import Decimal, InvalidOperation

from . import errors as e
from .conditions import boolean_setting
from .js_regex import PatternRefused, compile_js_pattern
from .limits import MAX_FILES, MAX_GRID_ROWS, MAX_STRING_LENGTH

INVALID = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()
MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
EMPTY = type("Empty", (), {"__repr__": lambda self: "EMPTY"})()

# Largest integer a JavaScript number (Form.io's data) holds exactly.
MAX_SAFE_NUMBER = 2**53 - 1
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK_RE = re.compile(r"[\r\n\u2028\u2029]")
# Deliberately simple: one @, no spaces, a dot in the domain. The
# authoritative check of an address is a message that reaches it.
_EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE_RE = re.compile(r"\+?[0-9(][0-9 ()./-]{2,30}")
_MASK_PARTS = {"9": "[0-9]", "a": "[a-z]", "A": "[A-Za-z]", "*": "[A-Za-z0-9]"}


def number_setting(value, sink, name):
    """A numeric setting; Form.io writes unset ones as ``""``."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    if isinstance(value, str) and NUMBER_RE.fullmatch(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() else number
    sink("setting.invalid", setting=name)
    return None


def format_number(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def compile_pattern(pattern, sink):
    """``validate.pattern`` as formio.js runs it, or None after a problem.

    formio.js tests ``new RegExp("^" + pattern + "$")``: anchored by
    concatenation, not by a group (``a|b`` is ``^a|b$``: an answer starting
    with ``a`` or ending with ``b``), searched, with JavaScript's meaning of
    ``\\d``, ``\\w``, ``\\s``, ``.`` and ``$``. ``js_regex`` runs that on RE2,
    in time linear in the answer, and refuses what RE2 cannot run
    (lookarounds, backreferences, very large repeats) with the reason.
    """
    if pattern is None or pattern == "":
        return None
    if not isinstance(pattern, str):
        sink("pattern.invalid", reason="not text")
        return None
    try:
        return compile_js_pattern(pattern)
    except PatternRefused as refused:
        sink(refused.code, **refused.params)
        return None


def compile_mask(mask):
    """Form.io's simple input mask: 9 digit, a lower-case, A letter, * either."""
    return re.compile("".join(_MASK_PARTS.get(ch) or re.escape(ch) for ch in mask))


def validate_settings(raw):
    validate = raw.get("validate")
    return validate if isinstance(validate, dict) else {}


class Field:
    """A value component. Subclasses implement ``clean_present``."""

    type_name = ""
    supports_multiple = False
    empty_value = None

    def __init__(self, raw, sink):
        self.raw = raw
        validate = validate_settings(raw)
        self.required = boolean_setting(validate.get("required", False))
        self.multiple = self.supports_multiple and boolean_setting(
            raw.get("multiple", False)
        )

    # -- cleaning ---------------------------------------------------------
    def clean(self, raw_value, path, report, *, required=True):
        """Typed value, or ``INVALID`` after reporting to ``report``.

        ``required`` is False when the component is hidden: then an empty
        answer is accepted even if the schema requires one.
        """
        if self.multiple:
            value = self._clean_multiple(raw_value, path, report)
        elif self.is_blank(raw_value):
            value = self.empty_value
        else:
            value = self.clean_present(raw_value, path, report)
            if value is EMPTY:
                value = self.empty_value
        if value is INVALID:
            return INVALID
        if required and self.required and self.is_empty(value):
            report(path, e.REQUIRED)
            return INVALID
        return value

    def is_blank(self, raw_value):
        return raw_value is MISSING or raw_value is None or raw_value == ""

    def is_empty(self, value):
        return value is None or value in ([], "")

    def _clean_multiple(self, raw_value, path, report):
        if self.is_blank(raw_value):
            return []
        if not isinstance(raw_value, list):
            report(path, e.INVALID_TYPE, expected="list")
            return INVALID
        if len(raw_value) > MAX_GRID_ROWS:
            report(path, e.MAX_ITEMS, max_items=MAX_GRID_ROWS)
            return INVALID
        values, ok = [], True
        for index, item in enumerate(raw_value):
            if self.is_blank(item):
                continue
            value = self.clean_present(item, f"{path}[{index}]", report)
            if value is INVALID:
                ok = False
            elif value is not EMPTY:
                values.append(value)
        return values if ok else INVALID

    def clean_present(self, raw_value, path, report):
        raise NotImplementedError

    # -- showing ----------------------------------------------------------
    def display(self, value, *, true_label="Yes", false_label="No"):
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(self.display_one(v) for v in value)
        return self.display_one(value)

    def display_one(self, value):
        return "" if value is None else str(value)


class TextField(Field):
    type_name = "textfield"
    supports_multiple = True
    allow_line_breaks = False

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        validate = validate_settings(raw)
        self.min_length = number_setting(validate.get("minLength"), sink, "minLength")
        self.max_length = number_setting(validate.get("maxLength"), sink, "maxLength")
        self.min_words = number_setting(validate.get("minWords"), sink, "minWords")
        self.max_words = number_setting(validate.get("maxWords"), sink, "maxWords")
        self.pattern = compile_pattern(validate.get("pattern"), sink)
        mask = raw.get("inputMask")
        self.mask_text = mask if isinstance(mask, str) and mask else None
        if self.mask_text and boolean_setting(raw.get("allowMultipleMasks", False)):
            sink("mask.multiple")
            self.mask_text = None
        self.mask = compile_mask(self.mask_text) if self.mask_text else None
        limit = MAX_STRING_LENGTH
        if self.max_length is not None:
            limit = min(limit, int(self.max_length))
        self.length_limit = limit

    def clean_present(self, raw_value, path, report):
        if isinstance(raw_value, int) and not isinstance(raw_value, bool):
            raw_value = str(raw_value)  # prefill from a numeric registrant field
        if not isinstance(raw_value, str):
            report(path, e.INVALID_TYPE, expected="string")
            return INVALID
        if len(raw_value) > MAX_STRING_LENGTH:  # before any O(n) work
            report(path, e.MAX_LENGTH, max_length=self.length_limit)
            return INVALID
        text = raw_value.strip()
        if not text:
            return EMPTY
        if _CONTROL_RE.search(text) or (
            not self.allow_line_breaks and _LINE_BREAK_RE.search(text)
        ):
            report(path, e.INVALID_CHARS)
            return INVALID
        if len(text) > self.length_limit:
            report(path, e.MAX_LENGTH, max_length=self.length_limit)
            return INVALID
        if self.min_length is not None and len(text) < self.min_length:
            report(path, e.MIN_LENGTH, min_length=format_number(self.min_length))
            return INVALID
        if self.min_words is not None or self.max_words is not None:
            words = len(text.split())
            if self.min_words is not None and words < self.min_words:
                report(path, e.MIN_WORDS, min_words=format_number(self.min_words))
                return INVALID
            if self.max_words is not None and words > self.max_words:
                report(path, e.MAX_WORDS, max_words=format_number(self.max_words))
                return INVALID
        if self.mask is not None and not self.mask.fullmatch(text):
            report(path, e.MASK, mask=self.mask_text)
            return INVALID
        if self.pattern is not None:
            if len(text) > self.pattern.max_answer_length:  # bounds the matching
                report(
                    path, e.PATTERN_LENGTH, max_length=self.pattern.max_answer_length
                )
                return INVALID
            if not self.pattern.test(text):
                report(path, e.PATTERN)
                return INVALID
        return self.check_format(text, path, report)

    def check_format(self, text, path, report):
        return text


class TextArea(TextField):
    type_name = "textarea"
    allow_line_breaks = True


class Email(TextField):
    type_name = "email"

    def check_format(self, text, path, report):
        if len(text) > 254 or not _EMAIL_RE.fullmatch(text):
            report(path, e.INVALID_EMAIL)
            return INVALID
        return text


class PhoneNumber(TextField):
    type_name = "phoneNumber"

    def check_format(self, text, path, report):
        if self.mask is None and self.pattern is None and not _PHONE_RE.fullmatch(text):
            report(path, e.INVALID_PHONE)
            return INVALID
        return text


class Hidden(Field):
    """Data the form carries unseen (``hidden`` component): any JSON value."""

    type_name = "hidden"

    def clean_present(self, raw_value, path, report):
        if isinstance(raw_value, str) and len(raw_value) > MAX_STRING_LENGTH:
            report(path, e.MAX_LENGTH, max_length=MAX_STRING_LENGTH)
            return INVALID
        if isinstance(raw_value, float) and not math.isfinite(raw_value):
            report(path, e.INVALID_TYPE, expected="json")
            return INVALID
        if not isinstance(raw_value, str | int | float | bool | list | dict):
            report(path, e.INVALID_TYPE, expected="json")
            return INVALID
        return raw_value


class Number(Field):
    type_name = "number"
    supports_multiple = True
    default_decimal_limit = None

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        validate = validate_settings(raw)
        self.min_value = number_setting(validate.get("min"), sink, "min")
        self.max_value = number_setting(validate.get("max"), sink, "max")
        self.integer = boolean_setting(validate.get("integer") or False)
        limit = raw.get("decimalLimit", self.default_decimal_limit)
        limit = number_setting(limit, sink, "decimalLimit")
        self.decimal_limit = int(limit) if limit is not None else None

    def clean_present(self, raw_value, path, report):
        value = raw_value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return EMPTY
            if len(text) > 40 or not NUMBER_RE.fullmatch(text):
                report(path, e.INVALID_NUMBER)
                return INVALID
            value = float(text) if any(c in text for c in ".eE") else int(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            report(path, e.INVALID_NUMBER)
            return INVALID
        if isinstance(value, float) and not math.isfinite(value):
            report(path, e.INVALID_NUMBER)
            return INVALID
        if abs(value) > MAX_SAFE_NUMBER:
            report(path, e.INVALID_NUMBER)
            return INVALID
        if self.integer:
            if isinstance(value, float):
                if not value.is_integer():
                    report(path, e.INTEGER)
                    return INVALID
                value = int(value)
        elif self.decimal_limit is not None and isinstance(value, float):
            try:
                exponent = Decimal(repr(value)).normalize().as_tuple().exponent
            except InvalidOperation:  # pragma: no cover - finite floats parse
                exponent = 0
            if isinstance(exponent, int) and -exponent > self.decimal_limit:
                report(path, e.DECIMALS, decimals=self.decimal_limit)
                return INVALID
        if self.min_value is not None and value < self.min_value:
            report(path, e.MIN_VALUE, min_value=format_number(self.min_value))
            return INVALID
        if self.max_value is not None and value > self.max_value:
            report(path, e.MAX_VALUE, max_value=format_number(self.max_value))
            return INVALID
        return value

    def display_one(self, value):
        return format_number(value)


class Currency(Number):
    type_name = "currency"
    supports_multiple = False
    default_decimal_limit = 2

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        currency = raw.get("currency")
        self.currency = currency if isinstance(currency, str) else ""

    def display_one(self, value):
        places = self.decimal_limit if self.decimal_limit is not None else 2
        amount = f"{value:,.{places}f}"
        return f"{self.currency} {amount}".strip()


class Checkbox(Field):
    """A required checkbox must be ticked (a declaration, a consent)."""

    type_name = "checkbox"
    empty_value = False

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        if raw.get("inputType") == "radio":
            # its value would live under ``name``, not ``key``
            sink("checkbox.radio")

    def is_blank(self, raw_value):
        return raw_value is MISSING or raw_value is None

    def is_empty(self, value):
        return value is not True

    def clean_present(self, raw_value, path, report):
        if not isinstance(raw_value, bool):
            report(path, e.INVALID_TYPE, expected="boolean")
            return INVALID
        return raw_value

    def display(self, value, *, true_label="Yes", false_label="No"):
        return true_label if value else false_label


class File(Field):
    """References to uploaded files ``[{name, ...}]``; content is checked by
    the documents core when the shell stores them."""

    type_name = "file"

    def __init__(self, raw, sink):
        super().__init__(raw, sink)
        self.allow_many = boolean_setting(raw.get("multiple", False))

    @property
    def empty_value(self):
        return []

    def is_empty(self, value):
        return not value

    def clean_present(self, raw_value, path, report):
        if not isinstance(raw_value, list):
            report(path, e.INVALID_TYPE, expected="list")
            return INVALID
        limit = MAX_FILES if self.allow_many else 1
        if len(raw_value) > limit:
            report(path, e.MAX_ITEMS, max_items=limit)
            return INVALID
        files = []
        for index, item in enumerate(raw_value):
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str) or not name.strip() or len(name) > 255:
                report(f"{path}[{index}]", e.INVALID_FILE)
                return INVALID
            files.append(dict(item))
        return files

    def display(self, value, *, true_label="Yes", false_label="No"):
        names = []
        for item in value or ():
            name = item.get("originalName") or item.get("name")
            names.append(str(name))
        return ", ".join(names)
