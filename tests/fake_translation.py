"""Import an addon's message table without Odoo: a stand-in for
``odoo.tools.translate._lt`` that "translates" by tagging the sentence
(``[fr] …``), or by a translation a test sets."""

import importlib
import sys
import types


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
