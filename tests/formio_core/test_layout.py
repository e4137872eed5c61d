"""form_layout and wizard_pages: answers shown as the form laid them out."""

from g2p_portal_forms.formio_core import (
    LayoutRow,
    WizardPage,
    form_layout,
    validate_submission,
    wizard_pages,
)

from .conftest import component, form, load_cases, load_schema


def test_layout_follows_the_form():
    schema = load_schema("every_component")
    good = load_cases("every_component")["cases"][0]["data"]
    rows = form_layout(schema, validate_submission(schema, good).cleaned_data)
    by_label = {row.label: row for row in rows}
    assert by_label["Select"] == LayoutRow("Select", "Option B", 0)
    assert by_label["Multiple select"].value == "Red, Blue"
    assert by_label["Select boxes"].value == "Cash"
    assert by_label["Radio"].value == "No"
    assert by_label["Checkbox"].value == "Yes"
    assert by_label["Currency"].value == "GHS 19.99"
    assert by_label["Appointment"].value == "2024-05-02 14:30"
    assert by_label["File"].value == "id.png"
    assert "Programme code" not in by_label  # hidden components are internal
    assert "Content" not in by_label and "Submit" not in by_label
    labels = [row.label for row in rows]
    assert labels.index("Panel") + 1 == labels.index("In panel")
    assert by_label["In panel"].depth == 1
    assert by_label["Tab 1"].depth == 0 and by_label["In tab 1"].depth == 1
    assert by_label["Left"].depth == 0  # columns are not headings
    assert by_label["Container"] == LayoutRow("Container", "", 0)
    assert by_label["In container"].depth == 1


def test_grids_are_numbered_rows():
    schema = load_schema("social_assistance")
    data = load_cases("social_assistance")["cases"][0]["data"]
    rows = form_layout(schema, validate_submission(schema, data).cleaned_data)
    start = rows.index(LayoutRow("Household members", "", 1))
    assert rows[start + 1] == LayoutRow("#1", "", 2)
    assert rows[start + 2] == LayoutRow("Name", "Kojo Mensah", 3)
    assert LayoutRow("Relationship", "Child", 3) in rows
    assert LayoutRow("#2", "", 2) in rows


def test_hidden_answers_and_empty_headings_left_out():
    schema = load_schema("conditionals")
    data = {"hasChildren": "no", "occupation": "trader"}
    rows = form_layout(schema, validate_submission(schema, data).cleaned_data)
    labels = [row.label for row in rows]
    assert "Farming" not in labels and "Children" not in labels
    assert "Do you have children?" in labels


def test_checkbox_labels_translated_by_the_caller():
    schema = form(component("checkbox", "c", label="Agree"))
    assert form_layout(schema, {"c": False}, true_label="Oui", false_label="Non") == [
        ("Agree", "Non", 0)
    ]


def test_layout_ignores_foreign_data():
    schema = form(component("textfield", "t", label="T"))
    assert form_layout(schema, {"other": 1}) == []
    assert form_layout(schema, None) == []


def test_wizard_pages():
    schema = load_schema("wizard_three_pages")
    assert wizard_pages(schema) == [
        WizardPage("applicantPage", "Applicant"),
        WizardPage("situationPage", "Situation"),
        WizardPage("consentPage", "Documents and consent"),
    ]
    assert wizard_pages(load_schema("social_assistance")) == []


def test_wizard_pages_hidden_by_condition():
    pages = [
        {
            "type": "panel",
            "key": "p1",
            "title": "One",
            "components": [
                component("radio", "q", values=[{"label": "Y", "value": "y"}])
            ],
        },
        {
            "type": "panel",
            "key": "p2",
            "title": "Two",
            "components": [],
            "conditional": {"show": True, "when": "q", "eq": "y"},
        },
        {"type": "panel", "key": "p3", "title": "", "label": "Three", "components": []},
    ]
    schema = form(*pages, display="wizard")
    assert [p.title for p in wizard_pages(schema)] == ["One", "Two", "Three"]
    assert [p.title for p in wizard_pages(schema, {"q": "n"})] == ["One", "Three"]
    assert [p.title for p in wizard_pages(schema, {"q": "y"})] == [
        "One",
        "Two",
        "Three",
    ]
