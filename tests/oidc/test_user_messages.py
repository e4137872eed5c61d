"""Messages a person reads: keyed by the core, each sentence written once.

``user_messages.py`` imports Odoo, so its table is read with ``ast`` here;
``translated`` itself runs against a stand-in for Odoo's ``_lt``.
"""

import ast
import re
import sys
from pathlib import Path

import pytest
from message_tables import (
    FakeLazyTranslation,
    import_with_fake_translation,
    not_written_once,
)

from g2p_auth_esignet import oidc
from g2p_auth_esignet.oidc import (
    REFUSAL_CHECKS,
    ConfigurationError,
    LinkingError,
    OidcError,
    ProviderResponseError,
    StateError,
    check_assertion_alg,
    messages,
    parse_callback,
    parse_mapping,
)

CORE = Path(oidc.__file__).resolve().parent
ADDON = CORE.parent
REPO = ADDON.parent
USER_MESSAGES = ADDON / "user_messages.py"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def error_classes():
    found, pending = set(), [OidcError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


ERROR_CLASS_NAMES = {cls.__name__ for cls in error_classes()}


def resolve_key(node, constants):
    """The message key a node names, or None when it cannot be known statically."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "messages"
    ):
        return getattr(messages, node.attr)
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    return None


def module_constants(tree, imported=None):
    """Module-level ``NAME = "text"`` / ``NAME = messages.X`` assignments."""
    constants = dict(imported or {})
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            value = resolve_key(node.value, constants)
            if value is not None:
                constants[node.targets[0].id] = value
    return constants


def message_table():
    """``{key: sentence}`` from user_messages.MESSAGES, checking its shape."""
    tree = ast.parse(USER_MESSAGES.read_text())
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["MESSAGES"]
            and isinstance(node.value, ast.Dict)
        ):
            table = {}
            for key_node, value_node in zip(
                node.value.keys, node.value.values, strict=True
            ):
                key = resolve_key(key_node, {})
                assert key is not None, ast.unparse(key_node)
                # Odoo's export extracts the literal argument of _lt() only.
                assert (
                    isinstance(value_node, ast.Call)
                    and getattr(value_node.func, "id", None) == "_lt"
                    and len(value_node.args) == 1
                    and not value_node.keywords
                    and isinstance(value_node.args[0], ast.Constant)
                    and isinstance(value_node.args[0].value, str)
                ), f"{key}: write the sentence as _lt('…literal…')"
                assert key not in table, f"{key} twice"
                table[key] = value_node.args[0].value
            return table
    raise AssertionError("user_messages.py has no MESSAGES = {…} table")


TABLE = message_table()
USER_MESSAGES_CONSTANTS = module_constants(ast.parse(USER_MESSAGES.read_text()))


def addon_python_files():
    return sorted(
        path
        for path in ADDON.rglob("*.py")
        if "tests" not in path.relative_to(ADDON).parts
    )


# The one place the core passes a key it computes: a LinkDecision's check,
# which decide_login only ever takes from REFUSAL_CHECKS (tested below).
DYNAMIC_KEY_SITES = {("linking.py", "raise_if_refused")}


def key_nodes(node):
    """The expressions a message-key argument may evaluate to."""
    if isinstance(node, ast.IfExp):
        yield from key_nodes(node.body)
        yield from key_nodes(node.orelse)
    elif not (isinstance(node, ast.Constant) and node.value is None):
        yield node


def raised_message_keys(path):
    """``(line, function, key or None)`` for each error built with a message key."""
    tree = ast.parse(path.read_text())
    imported = {
        alias.asname or alias.name: USER_MESSAGES_CONSTANTS[alias.name]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "user_messages"
        for alias in node.names
        if alias.name in USER_MESSAGES_CONSTANTS
    }
    constants = module_constants(tree, imported)
    for function, node in calls_by_function(tree, "<module>"):
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in ERROR_CLASS_NAMES:
            continue
        key_node = next(
            (kw.value for kw in node.keywords if kw.arg == "message_key"),
            node.args[1] if len(node.args) > 1 else None,
        )
        if key_node is None and name == "LinkingError" and node.args:
            key_node = node.args[0]  # a LinkingError's key is its check
        if key_node is None:
            continue
        for candidate in key_nodes(key_node):
            yield node.lineno, function, resolve_key(candidate, constants)


def calls_by_function(node, function):
    """``(innermost function name, call)`` for every call under ``node``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from calls_by_function(child, child.name)
            continue
        if isinstance(child, ast.Call):
            yield function, child
        yield from calls_by_function(child, function)


# -- the table ---------------------------------------------------------------


def test_every_key_the_core_defines_has_a_sentence_and_no_sentence_is_orphan():
    defined = messages.all_message_keys()
    assert defined - TABLE.keys() == set(), "add these to user_messages.MESSAGES"
    assert TABLE.keys() - defined == set(), "define these keys in oidc/messages.py"


def test_every_error_class_default_has_a_sentence():
    for cls in error_classes():
        assert cls.default_message_key in TABLE, cls.__name__


def test_every_linking_refusal_has_a_sentence():
    assert set(REFUSAL_CHECKS) <= TABLE.keys()
    tree = ast.parse((CORE / "linking.py").read_text())
    refused = [
        resolve_key(node.args[0], {})
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_refuse"
    ]
    assert refused and set(refused) <= set(REFUSAL_CHECKS)


@pytest.mark.parametrize(
    "path", addon_python_files(), ids=lambda path: str(path.relative_to(ADDON))
)
def test_every_message_key_raised_in_the_addon_has_a_sentence(path):
    in_core = CORE in path.parents
    for line, function, key in raised_message_keys(path):
        if key is None:
            # The shell may compute a key (from a check); the core
            # names its keys as constants, so that this test sees them.
            assert not in_core or (path.name, function) in DYNAMIC_KEY_SITES, (
                f"{path.name}:{line}: use a messages.* constant"
            )
            continue
        assert messages.is_message_key(key), (
            f"{path.name}:{line} passes a sentence where a message key is "
            f"expected: {key[:40]!r}…"
        )
        assert key in TABLE, f"{path.name}:{line}: no sentence for {key}"


def test_each_sentence_is_written_once_in_the_repository():
    repeated = not_written_once(TABLE.values(), REPO)
    assert not repeated, f"write each sentence once, in user_messages.py: {repeated}"


def test_the_core_holds_no_sentence():
    for path in CORE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in TABLE.values(), f"{path.name}:{node.lineno}"


# -- parameters --------------------------------------------------------------


def raised(call, *args):
    with pytest.raises(OidcError) as caught:
        call(*args)
    return caught.value


@pytest.mark.parametrize(
    "error",
    [
        raised(check_assertion_alg, "ES256", ["RS256", "PS256"]),
        raised(parse_mapping, "name:name oops"),
    ],
    ids=["client_key.alg_not_supported", "mapping.invalid"],
)
def test_parameters_fill_exactly_the_sentence_placeholders(error):
    sentence = TABLE[error.message_key]
    assert set(PLACEHOLDER.findall(sentence)) == set(error.message_params)
    assert "%(" not in sentence % error.message_params


@pytest.mark.parametrize("key", sorted(TABLE))
def test_every_sentence_survives_formatting(key):
    # translated() always %-formats: a stray "%" would break the sentence.
    params = dict.fromkeys(PLACEHOLDER.findall(TABLE[key]), "X")
    assert (TABLE[key] % params).strip()


# -- errors carry keys -------------------------------------------------------


def test_errors_carry_their_class_default_key():
    assert OidcError("x").message_key == messages.DEFAULT
    assert StateError("state.unknown").message_key == messages.STATE
    assert ConfigurationError("x").message_key == messages.CONFIGURATION


def test_linking_error_key_is_its_check():
    assert LinkingError("linking.internal_user").message_key == "linking.internal_user"
    error = LinkingError("linking.session_changed", messages.LINKING_SESSION_CHANGED)
    assert error.message_key == messages.LINKING_SESSION_CHANGED


@pytest.mark.parametrize(
    "given",
    [
        "The national ID service is not reachable right now.",  # a sentence
        "Ada Lovelace, 1990-05-17",
        "x" * 65,
        "",
        42,
    ],
)
def test_anything_but_a_key_falls_back_to_the_default(given):
    assert ProviderResponseError("provider.timeout", given).message_key == (
        messages.DEFAULT
    )
    assert StateError("state.unknown", given).message_key == messages.STATE


def test_cancelled_login_has_its_own_key():
    error = raised(parse_callback, {"error": "access_denied"})
    assert error.message_key == messages.CANCELLED


# -- translated() ------------------------------------------------------------


@pytest.fixture
def user_messages(monkeypatch):
    name = "g2p_auth_esignet.user_messages"
    module = import_with_fake_translation(monkeypatch, name)
    yield module
    sys.modules.pop(name, None)


def translate_error(user_messages, error):
    return user_messages.translated(error.message_key, error.message_params)


def test_translated_by_key(user_messages):
    state = "[fr] " + TABLE[messages.STATE]
    assert user_messages.translated(messages.STATE) == state
    assert translate_error(user_messages, StateError("state.expired")) == state
    # The controller keeps the key in the session, then shows it.
    assert user_messages.translated(StateError("x").message_key) == state


def test_translated_takes_a_key_never_an_error(user_messages):
    # One signature for every addon's translated(code, params): an error
    # object is no key, and gives the generic sentence.
    error = StateError("state.expired")
    assert user_messages.translated(error) == "[fr] " + TABLE[messages.DEFAULT]


def test_translated_fills_the_parameters(user_messages):
    error = raised(check_assertion_alg, "ES256", ["RS256"])
    text = translate_error(user_messages, error)
    assert "ES256" in text and "RS256" in text and "%(" not in text


@pytest.mark.parametrize(
    "given", ["no.such_key", "You cancelled the sign-in.", None, 7]
)
def test_unknown_keys_give_the_default_sentence(user_messages, given):
    assert user_messages.translated(given) == "[fr] " + TABLE[messages.DEFAULT]


def test_a_translation_breaking_its_placeholders_gives_the_default(user_messages):
    source = TABLE[messages.CLIENT_KEY_ALG_NOT_SUPPORTED]
    FakeLazyTranslation.translations[source] = "Algorithme %(algorithme)s refusé"
    error = raised(check_assertion_alg, "ES256", ["RS256"])
    assert translate_error(user_messages, error) == "[fr] " + TABLE[messages.DEFAULT]
    # Without its parameters a parameterised sentence is never shown raw.
    assert user_messages.translated(error.message_key) == (
        "[fr] " + TABLE[messages.DEFAULT]
    )


def test_shell_refusals_translate_by_their_check(user_messages):
    internal = LinkingError("linking.internal_user")
    assert translate_error(user_messages, internal) == (
        "[fr] " + TABLE[messages.LINKING_INTERNAL_USER]
    )
