"""validate_submission: scopes, unknown keys, locks, limits, hostile input."""

import json
import time

import pytest

from g2p_portal_forms.formio_core import (
    FIELD_ERROR_CODES,
    MESSAGES,
    SchemaError,
    compile_form,
    validate_submission,
)
from g2p_portal_forms.formio_core.limits import MAX_ERRORS

from .conftest import component, form, load_schema

SIMPLE = form(
    component("textfield", "name", validate={"required": True}),
    component("container", "address", components=[component("textfield", "city")]),
    component("datagrid", "rows", components=[component("number", "n")]),
    component("button", "submit", persistent=False),
)


def test_error_objects_carry_code_message_params():
    result = validate_submission(
        form(component("textfield", "t", validate={"maxLength": 3})), {"t": "abcd"}
    )
    (error,) = result.errors["t"]
    assert error.as_dict() == {
        "path": "t",
        "code": "max_length",
        "message": "Enter at most 3 characters.",
        "params": {"max_length": 3},
    }
    assert result.error_list() == [error.as_dict()]


def test_every_code_has_a_message_with_its_params():
    assert set(MESSAGES) == FIELD_ERROR_CODES
    for template in MESSAGES.values():
        assert template.endswith(".")


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"name": "x", "admin": True}, "admin"),
        ({"name": "x", "address": {"city": "A", "zip": "1"}}, "address.zip"),
        ({"name": "x", "rows": [{"n": 1}, {"n": 2, "m": 3}]}, "rows[1].m"),
        ({"name": "x", "a.b": 1}, "a_b"),
        ({"name": "x", "x" * 500: 1}, "x" * 64),
        ({"name": "x", 7: 1}, "7"),
    ],
)
def test_unknown_keys_refused_per_path(data, path):
    assert validate_submission(SIMPLE, data).codes() == {path: ["unknown_key"]}


def test_button_value_accepted_and_dropped():
    result = validate_submission(SIMPLE, {"name": "x", "submit": True})
    assert result.is_valid
    assert "submit" not in result.cleaned_data


def test_formio_submit_flag_accepted_without_a_button():
    schema = form(component("textfield", "t"))
    assert validate_submission(schema, {"submit": True}).cleaned_data == {"t": None}
    assert validate_submission(schema, {"submit": "x"}).codes() == {
        "submit": ["unknown_key"]
    }
    box = form(component("container", "c", components=[]))
    assert validate_submission(box, {"c": {"submit": True}}).codes() == {
        "c.submit": ["unknown_key"]
    }


def test_non_persistent_values_are_validated_not_kept():
    schema = form(
        component("textfield", "t", persistent="client-only", validate={"maxLength": 2})
    )
    assert validate_submission(schema, {"t": "ab"}).cleaned_data == {}
    assert validate_submission(schema, {"t": "abc"}).codes() == {"t": ["max_length"]}


def test_cleaned_data_shape_of_scopes():
    result = validate_submission(SIMPLE, {"name": "x"})
    assert result.cleaned_data == {"name": "x", "address": {"city": None}, "rows": []}


def test_grid_rows_bounds_and_required():
    grid = component(
        "editgrid",
        "g",
        validate={"required": True, "minLength": 2, "maxLength": "3"},
        components=[component("textfield", "t")],
    )
    schema = form(grid)
    assert validate_submission(schema, {}).codes() == {"g": ["required"]}
    assert validate_submission(schema, {"g": [{}]}).codes() == {"g": ["min_items"]}
    assert validate_submission(schema, {"g": [{}] * 4}).codes() == {"g": ["max_items"]}
    assert validate_submission(schema, {"g": [{}] * 3}).is_valid


def test_grid_rows_capped_whatever_the_schema():
    grid = component("datagrid", "g", components=[component("textfield", "t")])
    result = validate_submission(form(grid), {"g": [{}] * 1001})
    assert result.codes() == {"g": ["max_items"]}


def test_same_key_in_different_scopes():
    schema = load_schema("nested_layouts")
    form_ = compile_form(schema)
    assert {"dependents.name", "dependents.school.name"} <= set(form_.by_path)


# -- locked fields -----------------------------------------------------------
LOCKABLE = form(
    component("textfield", "name"),
    component("datetime", "born", enableTime=False),
    component("number", "age"),
    component("container", "address", components=[component("textfield", "city")]),
    component("datagrid", "rows", components=[component("textfield", "x")]),
)


@pytest.mark.parametrize(
    ("data", "locked", "codes"),
    [
        ({"name": "Ama"}, {"name": "Ama"}, {}),
        ({"name": " Ama "}, {"name": "Ama"}, {}),  # same value once cleaned
        ({"name": "Akosua"}, {"name": "Ama"}, {"name": ["locked"]}),
        ({"name": ""}, {"name": "Ama"}, {"name": ["locked"]}),
        ({"name": None}, {"name": "Ama"}, {"name": ["locked"]}),
        ({}, {"name": "Ama"}, {}),
        ({"age": "42"}, {"age": 42}, {}),
        ({"age": 41}, {"age": 42}, {"age": ["locked"]}),
        ({"born": "1990-01-02T00:00:00+03:00"}, {"born": "1990-01-02"}, {}),
        (
            {"address": {"city": "Tema"}},
            {"address.city": "Accra"},
            {"address.city": ["locked"]},
        ),
        ({"rows": [{"x": "a"}]}, {"rows.x": "b"}, {}),  # no locks inside grids
        ({}, {"unknown": "z"}, {}),
    ],
)
def test_locked_values(data, locked, codes):
    assert validate_submission(LOCKABLE, data, locked=locked).codes() == codes


def test_locked_value_missing_from_submission_is_filled_in():
    result = validate_submission(
        LOCKABLE, {}, locked={"name": "Ama", "address.city": "Accra"}
    )
    assert result.cleaned_data["name"] == "Ama"
    assert result.cleaned_data["address"] == {"city": "Accra"}


# -- schema errors -----------------------------------------------------------
@pytest.mark.parametrize(
    ("schema", "code"),
    [
        ("not json", "schema.json"),
        ([], "schema.invalid"),
        ({"components": "x"}, "schema.components"),
        ({"components": ["x"]}, "schema.component"),
        ({"components": [{"key": "a"}]}, "schema.component"),
        ({"components": [{"type": "password", "key": "p"}]}, "component.unsupported"),
        ({"components": [{"type": "textfield"}]}, "key.missing"),
    ],
)
def test_unusable_schema_raises(schema, code):
    with pytest.raises(SchemaError) as info:
        validate_submission(schema, {})
    assert info.value.code == code


def test_schema_as_json_text_and_compiled_form_reused():
    text = json.dumps(SIMPLE)
    compiled = compile_form(text)
    assert compile_form(compiled) is compiled
    for data in ({"name": "a"}, {"name": ""}):
        assert (
            validate_submission(compiled, data).codes()
            == validate_submission(SIMPLE, data).codes()
        )


def test_validation_never_mutates_its_inputs():
    schema = load_schema("social_assistance")
    data = {
        "firstName": " Ama ",
        "household": [{"memberName": "K", "memberBirthDate": "01/02/2010"}],
    }
    before = (json.dumps(schema, sort_keys=True), json.dumps(data, sort_keys=True))
    validate_submission(schema, data, locked={"firstName": "Ama"})
    assert (
        json.dumps(schema, sort_keys=True),
        json.dumps(data, sort_keys=True),
    ) == before


# -- hostile input -----------------------------------------------------------
@pytest.mark.parametrize("data", [None, [], "x", 1, [{"name": "x"}]])
def test_non_object_submission(data):
    assert validate_submission(SIMPLE, data).codes() == {"": ["invalid_type"]}


def _nested(depth):
    value = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def test_deep_nesting_refused_fast():
    data = {"name": "x", "address": _nested(5000)}
    started = time.perf_counter()
    result = validate_submission(SIMPLE, data)
    assert result.codes() == {"": ["too_deep"]}
    assert time.perf_counter() - started < 1  # generous: refusal is immediate


def test_many_values_refused():
    data = {"name": "x", "rows": [{"n": i} for i in range(60_000)]}
    assert validate_submission(SIMPLE, data).codes() == {"": ["too_large"]}


def test_huge_flat_submission_refused():
    data = {f"k{i}": i for i in range(200_000)}
    assert validate_submission(SIMPLE, data).codes() == {"": ["too_large"]}


def test_error_count_is_bounded():
    data = {"name": "x", **{f"junk{i}": 1 for i in range(MAX_ERRORS + 50)}}
    result = validate_submission(SIMPLE, data)
    assert sum(len(errors) for errors in result.errors.values()) == MAX_ERRORS + 1
    assert result.codes()[""] == ["too_many_errors"]


def test_error_params_are_short():
    schema = form(
        component("select", "s", data={"values": [{"label": "A", "value": "a"}]})
    )
    result = validate_submission(schema, {"s": "x" * 10_000})
    (error,) = result.errors["s"]
    assert len(error.params["value"]) <= 80


# -- JSONLogic validation and file keys -------------------------------------
def test_json_logic_validation():
    logic = {
        "if": [
            {">=": [{"var": "input"}, {"var": "data.minimum"}]},
            True,
            "Enter at least the minimum.",
        ]
    }
    schema = form(
        component("number", "minimum"),
        component("number", "amount", validate={"json": logic}),
    )
    assert validate_submission(schema, {"minimum": 5, "amount": 6}).is_valid
    result = validate_submission(schema, {"minimum": 5, "amount": 4})
    (error,) = result.errors["amount"]
    assert (error.code, error.message) == ("custom", "Enter at least the minimum.")
    falsy = form(component("number", "n", validate={"json": {"==": [1, 2]}}))
    assert validate_submission(falsy, {"n": 1}).codes() == {"n": ["custom"]}
    broken = form(component("number", "n", validate={"json": {"nope": [1]}}))
    assert validate_submission(broken, {"n": 1}).is_valid  # admin logic failed


def test_file_fields_listed():
    form_ = compile_form(load_schema("wizard_three_pages"))
    assert form_.file_fields() == ["medicalCertificate", "otherDocuments"]
    grid = component("datagrid", "g", components=[component("file", "proof")])
    assert compile_form(form(grid)).file_fields() == ["g.proof"]
    result = validate_submission(form(grid), {"g": [{"proof": [{"name": "a.pdf"}]}]})
    assert result.files == {"g[0].proof": [{"name": "a.pdf"}]}
