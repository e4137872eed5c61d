"""What an officer reads of a refused capture: one table, each sentence once.

``capture_messages.py`` imports Odoo, so its table is read with ``ast`` here;
``translated`` itself runs against a stand-in for Odoo's ``_lt``.
"""

import ast
import sys
from pathlib import Path

import pytest
from message_tables import (
    FakeLazyTranslation,
    import_with_fake_translation,
    not_written_once,
)

from g2p_biometric_assist import sbi
from g2p_biometric_assist.sbi import CHOICE_REASONS, CODES, SbiError
from g2p_biometric_assist.sbi import choices as c
from g2p_biometric_assist.sbi import errors as e

ADDON = Path(sbi.__file__).resolve().parent.parent
REPO = ADDON.parent
CAPTURE_MESSAGES = ADDON / "capture_messages.py"
TREE = ast.parse(CAPTURE_MESSAGES.read_text())
CONSTANTS = {
    node.targets[0].id: node.value.value
    for node in TREE.body
    if isinstance(node, ast.Assign)
    and len(node.targets) == 1
    and isinstance(node.targets[0], ast.Name)
    and isinstance(node.value, ast.Constant)
}
MODULES = {"e": e, "c": c}
NAMES = {"DEVICE_ERROR_VENDOR": e.DEVICE_ERROR_VENDOR}
NAMES["DEVICE_ERROR_UNKNOWN"] = e.DEVICE_ERROR_UNKNOWN


def resolve_key(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return getattr(MODULES[node.value.id], node.attr)
    if isinstance(node, ast.Name):
        return CONSTANTS.get(node.id) or NAMES[node.id]
    raise AssertionError(ast.unparse(node))


def message_table():
    for node in TREE.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["MESSAGES"]
            and isinstance(node.value, ast.Dict)
        ):
            table = {}
            for key_node, value_node in zip(
                node.value.keys, node.value.values, strict=True
            ):
                key = resolve_key(key_node)
                # Odoo's export extracts the literal argument of _lt() only.
                assert (
                    isinstance(value_node, ast.Call)
                    and getattr(value_node.func, "id", None) == "_lt"
                    and len(value_node.args) == 1
                    and not value_node.keywords
                    and isinstance(value_node.args[0], ast.Constant)
                ), f"{key}: write the sentence as _lt('…literal…')"
                assert key not in table, f"{key} twice"
                table[key] = value_node.args[0].value
            return table
    raise AssertionError("capture_messages.py has no MESSAGES = {…} table")


TABLE = message_table()


def test_every_refusal_of_the_core_has_a_sentence():
    # sbi_error is said by the device's own error code (below).
    assert CODES - {e.SBI_ERROR} <= TABLE.keys()
    assert CHOICE_REASONS <= TABLE.keys()


def test_every_device_error_has_a_sentence():
    for code in e.DEVICE_ERROR_CODES:
        if code != "0":  # success: never a refusal's cause
            assert e.device_error_key(code) in TABLE, code
    assert {e.DEVICE_ERROR_VENDOR, e.DEVICE_ERROR_UNKNOWN} <= TABLE.keys()


def test_each_sentence_is_written_once_in_the_repository():
    repeated = not_written_once(TABLE.values(), REPO)
    assert not repeated, f"write each sentence once, in capture_messages.py: {repeated}"


# -- translated() ------------------------------------------------------------


@pytest.fixture
def messages(monkeypatch):
    name = "g2p_biometric_assist.capture_messages"
    module = import_with_fake_translation(monkeypatch, name)
    yield module
    sys.modules.pop(name, None)


def fr(key):
    return "[fr] " + TABLE[key]


def test_translated_by_code_with_its_parameters(messages):
    assert messages.translated(e.LOW_QUALITY) == fr(e.LOW_QUALITY)
    text = messages.translated(messages.MASTER_KEY_MISSING, {"option": "opt_x"})
    assert "opt_x" in text and "%(" not in text


@pytest.mark.parametrize("given", ["no_such_code", None, 7, SbiError("malformed")])
def test_anything_but_a_code_gives_the_generic_refusal(messages, given):
    assert messages.translated(given) == fr(messages.REFUSED)


def test_a_sentence_missing_its_parameters_gives_the_generic_refusal(messages):
    assert messages.translated(messages.MASTER_KEY_MISSING) == fr(messages.REFUSED)
    source = TABLE[e.DEVICE_ERROR_VENDOR]
    FakeLazyTranslation.translations[source] = "Erreur %(codeX)s"
    assert messages.translated(e.DEVICE_ERROR_VENDOR, {"code": "503"}) == fr(
        messages.REFUSED
    )


@pytest.mark.parametrize(
    ("error", "key", "params"),
    [
        (SbiError(e.LOW_QUALITY), e.LOW_QUALITY, None),
        (
            SbiError(e.INVALID_REQUEST, reason=c.CHOICE_COUNT),
            c.CHOICE_COUNT,
            None,
        ),
        (SbiError(e.INVALID_REQUEST), e.INVALID_REQUEST, None),
        (
            SbiError(e.SBI_ERROR, device_error_code="101"),
            "device_error_101",
            {"code": "101"},
        ),
        (
            SbiError(e.SBI_ERROR, device_error_code="503"),
            e.DEVICE_ERROR_VENDOR,
            {"code": "503"},
        ),
        (
            SbiError(e.SBI_ERROR, device_error_code="0"),
            e.DEVICE_ERROR_UNKNOWN,
            {"code": "0"},
        ),
        (SbiError(e.SBI_ERROR), e.DEVICE_ERROR_UNKNOWN, {"code": "?"}),
    ],
)
def test_a_core_refusal_names_its_sentence(messages, error, key, params):
    assert messages.sbi_refusal(error) == (key, params)
    assert "%(" not in messages.translated(*messages.sbi_refusal(error))


def test_the_count_sentence_says_the_cores_limit():
    assert f"between 1 and {c.MAX_COUNT}." in TABLE[c.CHOICE_COUNT]
