"""Plain tests of the addons' message tables (a code → its sentence).

- import a table without Odoo: a stand-in for ``odoo.tools.translate._lt``
  that "translates" by tagging the sentence (``[fr] …``), or by a
  translation a test sets;
- where each sentence is written in the repository (it must be once: in
  its table).
"""

import ast
import importlib
import sys
import types

from repo import REPO_ROOT

# Folders whose Python is not the product's (or is generated).
NOT_SOURCE = {".git", "fixtures", "node_modules", "build", "setup"}


class FakeLazyTranslation:
    """Stands in for Odoo's ``_lt``."""

    translations = {}

    def __init__(self, source):
        self.source = source

    def __str__(self):
        return self.translations.get(self.source, f"[fr] {self.source}")


def import_with_fake_translation(monkeypatch, name):
    """``name`` imported afresh with ``_lt`` faked (and no translation set);
    the caller pops it from ``sys.modules`` when done."""
    odoo = types.ModuleType("odoo")
    tools = types.ModuleType("odoo.tools")
    translate = types.ModuleType("odoo.tools.translate")
    translate._lt = FakeLazyTranslation
    for module_name, module in (
        ("odoo", odoo),
        ("odoo.tools", tools),
        ("odoo.tools.translate", translate),
    ):
        monkeypatch.setitem(sys.modules, module_name, module)
    monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(FakeLazyTranslation, "translations", {})
    return importlib.import_module(name)


def sentence_places(sentences, root=REPO_ROOT):
    """{sentence: ["path:line", ...]}: every string constant of the
    repository's Python equal to one of ``sentences``."""
    places = {sentence: [] for sentence in sentences}
    for path in root.rglob("*.py"):
        relative = path.relative_to(root)
        if NOT_SOURCE.intersection(relative.parts):
            continue
        try:
            tree = ast.parse(path.read_text())
        except (SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in places:
                places[node.value].append(f"{relative}:{node.lineno}")
    return places


def not_written_once(sentences, root=REPO_ROOT):
    """The sentences written other than once, with where (for a message)."""
    return {
        sentence[:50]: where
        for sentence, where in sentence_places(sentences, root).items()
        if len(where) != 1
    }
