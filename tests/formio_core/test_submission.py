"""Reading the posted answers: bounded before json.loads can recurse."""

import json

import pytest

from g2p_portal_forms.formio_core import (
    SubmissionUnreadable,
    json_depth,
    read_submission,
    validate_submission,
)
from g2p_portal_forms.formio_core.limits import MAX_DATA_DEPTH, MAX_SUBMISSION_CHARS


def nested(depth, leaf=1):
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def refused(text, **options):
    with pytest.raises(SubmissionUnreadable) as info:
        read_submission(text, **options)
    return info.value


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 1),
        ("1", 0),
        ('[[], [[]], {"a": [1, {"b": []}]}]', 5),
        # Brackets inside strings, escaped quotes and backslashes do not count.
        (json.dumps({"a": "[[[{{{", "b": 'say "[" \\ ]]'}), 1),
        (json.dumps([nested(5)]), 6),
        ('"unterminated [[[[', 0),
        ('[["x\\"]]]]"]]', 2),
    ],
)
def test_json_depth(text, depth):
    assert json_depth(text, 100) == depth
    if depth:
        assert json_depth(text, depth) == depth
        assert json_depth(text, depth - 1) == depth


def test_the_recursion_bomb_is_refused_without_parsing():
    error = refused("[" * 200000)
    assert error.code == "too_deep"
    assert refused("{" * 200000).code == "too_deep"
    assert refused('{"data": ' * 50000).code == "too_deep"
    # The error never carries the submitted text.
    assert "[" not in str(error)


def test_depth_at_the_limit():
    # The answers may nest MAX_DATA_DEPTH deep, inside the {"data": …} envelope.
    answers = nested(MAX_DATA_DEPTH - 1)
    assert read_submission(json.dumps({"data": answers})) == answers
    assert read_submission(json.dumps(answers)) == answers
    deeper = json.dumps({"data": nested(MAX_DATA_DEPTH + 1)})
    assert refused(deeper).code == "too_deep"


def test_size_and_shape():
    assert refused("x" * (MAX_SUBMISSION_CHARS + 1)).code == "too_large"
    assert refused('{"a": "xxxx"}', max_chars=5).code == "too_large"
    for text in ("", "[1, 2]", '"text"', "{not json", "[" + "1," * 10, None, b"{}"):
        assert refused(text).code == "unreadable", text
    assert read_submission('{"data": {"name": "Ana"}}') == {"name": "Ana"}
    assert read_submission('{"data": 1, "name": "Ana"}') == {"data": 1, "name": "Ana"}


def test_errors_are_field_errors_of_the_whole_submission():
    error = refused("[" * 100).field_error()
    assert (error.path, error.code) == ("", "too_deep")
    assert error.message == "The submission is nested too deeply."
    unreadable = refused("{").field_error()
    assert unreadable.message == "Your answers could not be read. Please submit again."


def test_validation_still_bounds_what_was_read():
    schema = {"components": [{"type": "textfield", "key": "name", "input": True}]}
    # Without the {"data": …} envelope the text may nest one level more.
    answers = read_submission(json.dumps({"name": nested(MAX_DATA_DEPTH)}))
    assert validate_submission(schema, answers).codes() == {"": ["too_deep"]}
