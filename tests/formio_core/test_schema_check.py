"""check_schema: what the mapping wizard refuses, and why."""

import pytest

from g2p_portal_forms.formio_core import SUPPORTED_COMPONENT_TYPES, check_schema
from g2p_portal_forms.formio_core.errors import PROBLEMS

from .conftest import component, form


def problems(*components, display="form"):
    return [
        (p.path, p.code, p.fatal)
        for p in check_schema(form(*components, display=display))
    ]


def test_supported_types_listed():
    assert {
        "textfield",
        "textarea",
        "email",
        "phoneNumber",
        "number",
        "currency",
        "checkbox",
        "select",
        "radio",
        "selectboxes",
        "datetime",
        "day",
        "time",
        "hidden",
        "file",
        "content",
        "htmlelement",
        "button",
        "panel",
        "columns",
        "fieldset",
        "tabs",
        "table",
        "well",
        "container",
        "datagrid",
        "editgrid",
    } == SUPPORTED_COMPONENT_TYPES


@pytest.mark.parametrize(
    "component_type", ["password", "signature", "address", "survey", "myWidget"]
)
def test_unsupported_types_reported_with_their_key(component_type):
    assert problems(component(component_type, "thing")) == [
        ("thing", "component.unsupported", True)
    ]


def test_unsupported_type_inside_a_container():
    box = component("container", "box", components=[component("signature", "sig")])
    assert problems(box) == [("box.sig", "component.unsupported", True)]


def test_keys_unique_per_data_scope():
    assert problems(component("textfield", "a"), component("number", "a")) == [
        ("a", "key.duplicate", True)
    ]
    panel = {"type": "panel", "key": "p", "components": [component("textfield", "a")]}
    assert problems(component("textfield", "a"), panel) == [
        ("a", "key.duplicate", True)
    ]
    grid = component(
        "datagrid",
        "g",
        components=[component("textfield", "a"), component("textfield", "a")],
    )
    assert problems(grid) == [("g.a", "key.duplicate", True)]
    # the same key in another scope is a different path: allowed
    box = component("container", "box", components=[component("textfield", "a")])
    assert problems(component("textfield", "a"), box) == []


@pytest.mark.parametrize("key", ["1st", "a.b", "a b", "näme", "a/b", "$x", "a\n", ""])
def test_unsafe_or_missing_keys(key):
    code = "key.missing" if not key else "key.unsafe"
    assert problems(component("textfield", key)) == [(key or "form", code, True)]


@pytest.mark.parametrize("key", ["a", "_a", "A-b_9", "firstName"])
def test_safe_keys(key):
    assert problems(component("textfield", key)) == []


def test_layout_keys_are_not_data_keys():
    columns = {"type": "columns", "key": "columns", "columns": []}
    other = {"type": "columns", "key": "columns", "columns": []}
    assert problems(columns, other) == []


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        ({"customConditional": "show = data.a"}, "js.custom_conditional"),
        ({"calculateValue": "value = data.a * 2"}, "js.calculate_value"),
        (
            {"calculateValue": {"*": [{"var": "data.a"}, 2]}},
            "calculate_value.unsupported",
        ),
        ({"validate": {"custom": "valid = input > 1"}}, "js.custom_validation"),
        (
            {
                "logic": [
                    {"trigger": {"type": "javascript", "javascript": "result = true"}}
                ]
            },
            "js.logic",
        ),
        (
            {"logic": [{"trigger": {"type": "simple"}, "actions": []}]},
            "logic.unsupported",
        ),
        ({"validate": {"unique": True}}, "validate.unique"),
        ({"validate": {"json": {"bogus": [1]}}}, "jsonlogic.operator"),
    ],
)
def test_features_the_server_does_not_run(settings, code):
    assert problems(component("textfield", "t", **settings)) == [("t", code, False)]


def test_empty_javascript_settings_as_the_builder_writes_them():
    raw = component(
        "textfield",
        "t",
        customConditional="",
        calculateValue="",
        logic=[],
        validate={"custom": "", "json": "", "pattern": ""},
    )
    assert problems(raw) == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (component("textfield", "t", validate={"pattern": "(x"}), "pattern.invalid"),
        (
            component("textfield", "t", validate={"pattern": "x" * 2000}),
            "pattern.too_large",
        ),
        (
            component("textfield", "t", validate={"pattern": "(?=.*[0-9])\\w+"}),
            "pattern.lookaround",
        ),
        (component("textfield", "t", validate={"maxLength": "ten"}), "setting.invalid"),
        (
            component("select", "t", dataSrc="url", data={"url": "https://x"}),
            "select.data_source",
        ),
        (component("select", "t", data={"values": []}), "options.empty"),
        (
            component("radio", "t", values=[{"label": "x"}, {"value": "y"}]),
            "options.invalid",
        ),
        (
            component("checkbox", "t", inputType="radio", name="n", value="v"),
            "checkbox.radio",
        ),
        (component("datetime", "t", enableDate=False), "datetime.time_only"),
        (
            component("textfield", "t", components=[component("textfield", "u")]),
            "component.children",
        ),
        (component("datagrid", "t", validate={"maxLength": "many"}), "setting.invalid"),
    ],
)
def test_fatal_component_problems(raw, code):
    assert [(c, f) for _, c, f in problems(raw)] == [(code, True)]


def test_non_iso_date_bound_is_a_warning():
    raw = component("datetime", "d", datePicker={"minDate": "moment().add(1, 'day')"})
    assert problems(raw) == [("d", "date.bound", False)]


def test_wizard_pages_are_panels():
    page = {"type": "panel", "key": "page1", "title": "One", "components": []}
    assert problems(page, component("textfield", "loose"), display="wizard") == [
        ("loose", "wizard.outside_page", False)
    ]


def test_unsupported_display():
    assert problems(display="pdf") == [("", "display.unsupported", True)]


@pytest.mark.parametrize(
    ("schema", "code"),
    [
        ("{", "schema.json"),
        ({"components": None}, "schema.components"),
        ({"components": [1]}, "schema.component"),
    ],
)
def test_malformed_schema_is_one_fatal_problem(schema, code):
    (problem,) = check_schema(schema)
    assert (problem.code, problem.fatal) == (code, True)


def test_schema_too_deep_or_too_large():
    deep = component("textfield", "leaf")
    for index in range(40):
        deep = {"type": "panel", "key": f"p{index}", "components": [deep]}
    assert [p.code for p in check_schema(form(deep))] == ["schema.too_deep"]
    wide = form(*(component("textfield", f"t{i}") for i in range(6000)))
    assert [p.code for p in check_schema(wide)] == ["schema.too_large"]


def test_deep_json_logic_is_fatal():
    logic = True
    for _ in range(40):
        logic = {"!": [logic]}
    raw = component("textfield", "t", conditional={"json": logic})
    assert ("t", "jsonlogic.too_deep", True) in problems(raw)


def test_every_problem_code_has_a_message():
    for fatal, message in PROBLEMS.values():
        assert isinstance(fatal, bool) and message.endswith(".")
