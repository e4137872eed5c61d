"""The corpus: realistic builder schemas with good and bad submissions.

``schemas/*.json`` are shaped as Form.io's builder saves them (see the README
there); ``cases/<schema>.json`` hold the submissions, the error codes
expected per path and what the cleaned data must (not) hold.
"""

import pytest
from formiodata.builder import Builder

from g2p_portal_forms.formio_core import (
    check_schema,
    compile_form,
    form_layout,
    validate_submission,
    wizard_pages,
)

from .conftest import CORPUS, load_cases, load_schema


def _cases():
    for name in CORPUS:
        for index, case in enumerate(load_cases(name)["cases"]):
            yield pytest.param(name, case, id=f"{name}[{index}] {case['name']}")


def _lookup(data, path):
    value = data
    for part in path.split("."):
        value = value[part]
    return value


@pytest.mark.parametrize(("name", "case"), list(_cases()))
def test_case(name, case):
    schema = load_schema(name)
    result = validate_submission(schema, case["data"], locked=case.get("locked"))
    assert result.codes() == case["errors"]
    assert result.is_valid is (not case["errors"])
    if "cleaned" in case:
        assert result.cleaned_data == case["cleaned"]
    for path, expected in case.get("present", {}).items():
        assert _lookup(result.cleaned_data, path) == expected, path
    for path in case.get("absent", []):
        with pytest.raises(KeyError):
            _lookup(result.cleaned_data, path)


def test_every_corpus_schema_has_cases(corpus_name):
    cases = load_cases(corpus_name)["cases"]
    assert any(not case["errors"] for case in cases), "a good submission"
    assert any(case["errors"] for case in cases), "a bad submission"


def test_schema_check(corpus_name):
    expected = load_cases(corpus_name)["problems"]
    assert [p.code for p in check_schema(load_schema(corpus_name))] == expected


def test_wizard_pages(corpus_name):
    cases = load_cases(corpus_name)
    titles = [page.title for page in wizard_pages(load_schema(corpus_name))]
    assert titles == cases.get("pages", [])


def test_layout_of_good_submissions(corpus_name):
    schema = load_schema(corpus_name)
    for case in load_cases(corpus_name)["cases"]:
        if case["errors"]:
            continue
        result = validate_submission(schema, case["data"], locked=case.get("locked"))
        rows = form_layout(schema, result.cleaned_data)
        assert rows, case["name"]
        assert all(
            isinstance(row.label, str) and isinstance(row.value, str) for row in rows
        )
        assert rows[0].depth == 0


def test_formiodata_finds_no_input_we_miss(corpus_name):
    """An independent parser (formio-data's Builder) as an oracle for keys.

    It indexes inputs by bare key and knows no containers, so it sees a
    subset of ours; every key it reports must be one we validate.
    """
    schema = load_schema(corpus_name)
    ours = {node.key for node in compile_form(schema).data_nodes()}
    theirs = {
        key
        for key, comp in Builder(schema).input_components.items()
        if comp.type != "button"
    }
    assert theirs <= ours
