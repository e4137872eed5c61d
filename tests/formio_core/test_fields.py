"""Each value component: what it accepts, how it types, which code it gives."""

import pytest

from g2p_portal_forms.formio_core import validate_submission

from .conftest import component, form


def run(raw_component, value, **kwargs):
    """Validate one component holding ``value``: (cleaned value, codes)."""
    data = {} if value is ... else {raw_component["key"]: value}
    result = validate_submission(form(raw_component), data, **kwargs)
    return result.cleaned_data.get(raw_component["key"], ...), result.codes()


def codes_of(raw_component, value):
    return run(raw_component, value)[1].get(raw_component["key"], [])


# -- text ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "cleaned", "codes"),
    [
        ("  Ama  ", "Ama", []),
        (1234, "1234", []),  # a numeric registrant value prefilled into text
        ("", None, []),
        (None, None, []),
        (..., None, []),
        (True, ..., ["invalid_type"]),
        (1.5, ..., ["invalid_type"]),
        ({"a": 1}, ..., ["invalid_type"]),
        ("two\nlines", ..., ["invalid_chars"]),
        ("nul\x00", ..., ["invalid_chars"]),
    ],
)
def test_textfield_types(value, cleaned, codes):
    assert run(component("textfield", "t"), value) == (
        cleaned,
        {"t": codes} if codes else {},
    )


def test_text_lengths_and_words():
    raw = component(
        "textfield",
        "t",
        validate={"minLength": "3", "maxLength": 5, "minWords": "", "maxWords": 1},
    )
    assert codes_of(raw, "ab") == ["min_length"]
    assert codes_of(raw, "abcdef") == ["max_length"]
    assert codes_of(raw, "a bc") == ["max_words"]
    assert codes_of(raw, "abcde") == []


def test_whitespace_only_is_empty_for_required():
    raw = component("textfield", "t", validate={"required": True})
    assert codes_of(raw, "   ") == ["required"]


def test_huge_string_refused_without_work():
    raw = component("textfield", "t", validate={"pattern": "(a|aa)*b"})
    assert codes_of(raw, "a" * 200_000) == ["max_length"]


def test_textarea_keeps_line_breaks():
    assert run(component("textarea", "t"), "one\r\ntwo\n")[0] == "one\r\ntwo"


def test_text_multiple():
    raw = component("textfield", "t", multiple=True, validate={"maxLength": 3})
    assert run(raw, ["ab", "", "cd"])[0] == ["ab", "cd"]
    assert run(raw, ["ab", "abcd"])[1] == {"t[1]": ["max_length"]}
    assert codes_of(raw, "ab") == ["invalid_type"]
    assert codes_of(raw, ["x"] * 1001) == ["max_items"]


@pytest.mark.parametrize(
    ("pattern", "value", "ok"),
    [
        ("[0-9]{3}", "123", True),
        ("[0-9]{3}", "1234", False),  # anchored at the end
        ("[0-9]{3}", "x123", False),  # and at the start
        ("[0-9]{3}", "123 456", False),
        ("a|b", "a-anything", True),  # ^a|b$ as Form.io builds it
        (r"\d+", "١٢٣", False),  # \d is ASCII, as in JavaScript
        ("[A-Za-zÀ-ÿ ]+", "Adèle Zoé", True),
    ],
)
def test_pattern_anchored_as_formio(pattern, value, ok):
    raw = component("textarea", "t", validate={"pattern": pattern})
    assert (codes_of(raw, value) == []) is ok


@pytest.mark.parametrize(
    ("mask", "value", "ok"),
    [
        ("(999) 999-9999", "(024) 555-1234", True),
        ("(999) 999-9999", "024 555 1234", False),
        ("AA-9999", "gh-1234", True),
        ("aa-9999", "GH-1234", False),
        ("***", "a1Z", True),
    ],
)
def test_input_mask(mask, value, ok):
    raw = component("textfield", "t", inputMask=mask)
    assert (codes_of(raw, value) == []) is ok


def test_multiple_masks_are_not_checked():
    raw = component("textfield", "t", inputMask="999", allowMultipleMasks=True)
    assert codes_of(raw, "abc") == []


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ama@example.org", True),
        ("a.b+c@sub.example.co", True),
        ("ama@example", False),
        ("ama example@x.org", False),
        ("@example.org", False),
        ("a@b@c.org", False),
        ("x" * 250 + "@e.org", False),
    ],
)
def test_email(value, ok):
    assert (codes_of(component("email", "e"), value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("+233 24 555 1234", True),
        ("(024) 555-1234", True),
        ("call me", False),
        ("12", False),
    ],
)
def test_phone_without_mask(value, ok):
    raw = component("phoneNumber", "p", inputMask="")
    assert (codes_of(raw, value) == []) is ok


def test_phone_mask_gives_mask_code():
    raw = component("phoneNumber", "p", inputMask="999-9999")
    assert codes_of(raw, "5551234") == ["mask"]


# -- numbers -------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "cleaned", "code"),
    [
        (5, 5, None),
        (5.25, 5.25, None),
        ("5", 5, None),
        (" -5.5 ", -5.5, None),
        ("1e3", 1000.0, None),
        (None, None, None),
        ("", None, None),
        (True, ..., "invalid_number"),
        ("five", ..., "invalid_number"),
        ("5,000", ..., "invalid_number"),
        (float("nan"), ..., "invalid_number"),
        (float("inf"), ..., "invalid_number"),
        (2**60, ..., "invalid_number"),
        ([5], ..., "invalid_number"),
    ],
)
def test_number_types(value, cleaned, code):
    result = run(component("number", "n"), value)
    assert result == (cleaned, {"n": [code]} if code else {})


def test_number_bounds_and_integer():
    raw = component("number", "n", validate={"min": "0", "max": 10.5, "integer": True})
    assert codes_of(raw, -1) == ["min_value"]
    assert codes_of(raw, 11) == ["max_value"]
    assert codes_of(raw, 2.5) == ["integer"]
    assert run(raw, 4.0) == (4, {})
    assert isinstance(run(raw, 4.0)[0], int)


def test_number_decimal_limit_only_when_set():
    assert codes_of(component("number", "n"), 1.23456) == []
    assert codes_of(component("number", "n", decimalLimit=2), 1.234) == ["decimals"]


def test_currency_two_decimals_by_default():
    raw = component("currency", "c", currency="GHS")
    assert run(raw, 12.5) == (12.5, {})
    assert codes_of(raw, 12.345) == ["decimals"]
    assert codes_of(component("currency", "c", decimalLimit=3), 12.345) == []


def test_number_multiple():
    raw = component("number", "n", multiple=True, validate={"min": 0})
    assert run(raw, [1, "2", None]) == ([1, 2], {})
    assert run(raw, [1, -2])[1] == {"n[1]": ["min_value"]}


# -- checkbox --------------------------------------------------------------
def test_checkbox():
    raw = component("checkbox", "c")
    assert run(raw, True) == (True, {})
    assert run(raw, ...) == (False, {})
    assert run(raw, None) == (False, {})
    assert codes_of(raw, "true") == ["invalid_type"]
    assert codes_of(raw, 1) == ["invalid_type"]


def test_required_checkbox_must_be_ticked():
    raw = component("checkbox", "c", validate={"required": True})
    assert codes_of(raw, False) == ["required"]
    assert codes_of(raw, ...) == ["required"]
    assert codes_of(raw, True) == []


# -- choices -------------------------------------------------------------
def _select(**settings):
    values = [
        {"label": "", "value": ""},
        {"label": "One", "value": "1"},
        {"label": "Two", "value": "b"},
    ]
    return component(
        "select", "s", data={"values": values}, dataSrc="values", **settings
    )


@pytest.mark.parametrize(
    ("value", "cleaned", "code"),
    [
        ("1", "1", None),
        (1, "1", None),  # formio.js "auto" data type sends a number
        (1.0, "1", None),
        ("b", "b", None),
        ("", None, None),
        ("c", ..., "choice"),
        (["1"], ..., "invalid_type"),
        ({"1": True}, ..., "invalid_type"),
    ],
)
def test_select_single(value, cleaned, code):
    assert run(_select(), value) == (cleaned, {"s": [code]} if code else {})


def test_select_data_type_types_the_cleaned_value():
    assert run(_select(dataType="number"), "1")[0] == 1
    booleans = component(
        "radio",
        "r",
        dataType="boolean",
        values=[{"label": "Yes", "value": "true"}, {"label": "No", "value": "false"}],
    )
    assert run(booleans, True)[0] is True
    assert run(booleans, "false")[0] is False


def test_select_multiple():
    raw = _select(multiple=True, validate={"required": True})
    assert run(raw, ["b", "1", "b"]) == (["b", "1"], {})
    assert run(raw, ["b", "x"])[1] == {"s[1]": ["choice"]}
    assert codes_of(raw, []) == ["required"]
    assert codes_of(raw, "b") == ["invalid_type"]


def test_radio():
    raw = component(
        "radio",
        "r",
        values=[{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}],
    )
    assert run(raw, "no") == ("no", {})
    assert codes_of(raw, "maybe") == ["choice"]


def _boxes(**validate):
    values = [{"label": v.upper(), "value": v} for v in "abc"]
    return component("selectboxes", "x", values=values, validate=validate)


def test_selectboxes_all_keys_typed():
    assert run(_boxes(), {"a": True}) == ({"a": True, "b": False, "c": False}, {})
    assert run(_boxes(), {"a": None, "b": True})[0] == {
        "a": False,
        "b": True,
        "c": False,
    }
    assert run(_boxes(), ...)[0] == {"a": False, "b": False, "c": False}


def test_selectboxes_refuses_unknown_keys_and_non_booleans():
    assert codes_of(_boxes(), {"a": True, "z": True}) == ["choice"]
    assert codes_of(_boxes(), {"a": "true"}) == ["invalid_type"]
    assert codes_of(_boxes(), ["a"]) == ["invalid_type"]


def test_selectboxes_required_and_counts():
    assert codes_of(_boxes(required=True), {"a": False}) == ["required"]
    raw = _boxes(minSelectedCount=2, maxSelectedCount="2")
    assert codes_of(raw, {"a": True}) == ["min_selected"]
    assert codes_of(raw, {"a": True, "b": True, "c": True}) == ["max_selected"]
    assert codes_of(raw, {}) == []  # nothing ticked, not required


# -- dates -----------------------------------------------------------------
def _date(enable_time=False, **picker):
    return component(
        "datetime",
        "d",
        enableTime=enable_time,
        datePicker={"minDate": None, "maxDate": None, **picker},
    )


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("2024-05-01T00:00:00+02:00", "2024-05-01"),  # the day picked, in its zone
        ("2024-04-30T22:00:00.000Z", "2024-04-30"),
        ("2024-05-01", "2024-05-01"),
    ],
)
def test_date_only(value, cleaned):
    assert run(_date(), value) == (cleaned, {})


def test_datetime_keeps_time_and_offset():
    assert (
        run(_date(True), "2024-05-01T14:30:15.123+02:00")[0]
        == "2024-05-01T14:30:15+02:00"
    )
    assert run(_date(True), "2024-05-01T14:30")[0] == "2024-05-01T14:30:00"


@pytest.mark.parametrize(
    "value", ["01/05/2024", "2024-13-01", "yesterday", 20240501, "2024-02-30"]
)
def test_invalid_dates(value):
    assert codes_of(_date(), value) == ["invalid_date"]


def test_date_bounds_on_the_wall_clock():
    raw = _date(minDate="2024-01-01T00:00:00", maxDate="2024-12-31")
    assert codes_of(raw, "2023-12-31T23:30:00-05:00") == ["min_date"]
    assert codes_of(raw, "2024-01-01T00:30:00+05:00") == []
    assert codes_of(raw, "2025-01-01T00:00:00Z") == ["max_date"]
    timed = _date(True, minDate="2024-01-01T12:00:00")
    assert codes_of(timed, "2024-01-01T11:59:00Z") == ["min_date"]


def test_moment_expression_bounds_are_ignored():
    raw = _date(minDate="moment().subtract(18, 'years')")
    assert codes_of(raw, "1900-01-01") == []


def test_weekends_disabled():
    raw = _date(disableWeekends=True)
    assert codes_of(raw, "2024-05-04") == ["disabled_date"]  # a Saturday
    assert codes_of(raw, "2024-05-06") == []


def _day(day_first=False, **fields):
    spec = {
        name: {"hide": False, "required": False} for name in ("day", "month", "year")
    }
    for name, settings in fields.items():
        spec[name].update(settings)
    return component("day", "d", dayFirst=day_first, fields=spec)


@pytest.mark.parametrize(
    ("raw", "value", "cleaned"),
    [
        (_day(), "12/25/2023", "2023-12-25"),
        (_day(True), "25/12/2023", "2023-12-25"),
        (_day(), "00/00/0000", None),
        (_day(), "12/00/2023", "2023-12-00"),  # day unknown, not required
        (_day(day={"hide": True}), "12/2023", "2023-12-00"),
        (_day(day={"hide": True}), "12/00/2023", "2023-12-00"),
    ],
)
def test_day(raw, value, cleaned):
    assert run(raw, value) == (cleaned, {})


@pytest.mark.parametrize(
    "value", ["25/12/2023", "02/30/2023", "1/2", "aa/bb/cccc", "12/25/23"]
)
def test_day_invalid(value):
    assert codes_of(_day(), value) == ["invalid_date"]


def test_day_required_parts_and_year_bounds():
    required = _day(day={"required": True})
    assert codes_of(required, "12/00/2023") == ["required"]
    raw = _day(year={"minYear": 1900, "maxYear": "2024"})
    assert codes_of(raw, "01/01/1899") == ["min_date"]
    assert codes_of(raw, "01/01/2025") == ["max_date"]


def test_time():
    raw = component("time", "t")
    assert run(raw, "09:30") == ("09:30:00", {})
    assert run(raw, "23:59:59") == ("23:59:59", {})
    assert codes_of(raw, "24:00") == ["invalid_time"]
    assert codes_of(raw, 930) == ["invalid_time"]


# -- files and hidden ------------------------------------------------------
FILE = {
    "name": "a-1.pdf",
    "originalName": "a.pdf",
    "size": 10,
    "storage": "url",
    "url": "/u/1",
}


def test_file_references_exposed():
    raw = component("file", "f", multiple=True)
    result = validate_submission(form(raw), {"f": [FILE, dict(FILE, name="b-2.pdf")]})
    assert result.files == {"f": [FILE, dict(FILE, name="b-2.pdf")]}
    assert result.cleaned_data["f"][0] == FILE


def test_file_shapes():
    raw = component("file", "f", validate={"required": True})
    assert codes_of(raw, [FILE]) == []
    assert codes_of(raw, []) == ["required"]
    assert codes_of(raw, [FILE, FILE]) == ["max_items"]
    assert codes_of(raw, FILE) == ["invalid_type"]
    assert run(raw, [{"name": ""}])[1] == {"f[0]": ["invalid_file"]}
    assert run(raw, ["a.pdf"])[1] == {"f[0]": ["invalid_file"]}


def test_hidden_component_takes_any_json():
    raw = component("hidden", "h")
    for value in ("x", 3, 2.5, True, [1, 2], {"a": "b"}):
        assert run(raw, value) == (value, {})
    assert codes_of(raw, float("nan")) == ["invalid_type"]
    assert codes_of(raw, "x" * 100_001) == ["max_length"]
