"""The core stays pure: no Odoo, relative imports, declared dependencies."""

import ast
from pathlib import Path

from g2p_portal_forms import formio_core
from g2p_portal_forms.formio_core import (
    DocumentError,
    FormioCoreError,
    PrefillError,
    SchemaError,
)

from .conftest import HERE

CORE = Path(formio_core.__file__).resolve().parent
REPO = CORE.parent.parent


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ""


def test_core_never_imports_odoo_or_itself_absolutely():
    for path in sorted(CORE.glob("*.py")):
        for module in _imports(path):
            assert module.split(".")[0] != "odoo", f"{path.name} imports {module}"
            assert not module.startswith("g2p_portal_forms"), path.name


def test_third_party_imports_are_declared():
    # import name -> distribution in requirements.txt and the manifest
    allowed = {"json_logic": "panzi-json-logic", "re2": "google-re2"}
    stdlib = {
        "dataclasses",
        "datetime",
        "decimal",
        "functools",
        "itertools",
        "json",
        "math",
        "re",
        "struct",
        "typing",
        "unicodedata",
        "collections",
    }
    for path in sorted(CORE.glob("*.py")):
        for module in _imports(path):
            assert module.split(".")[0] in allowed.keys() | stdlib, (
                f"{path.name}: {module}"
            )
    requirements = (REPO / "requirements.txt").read_text().split()
    manifest = ast.literal_eval(
        (REPO / "g2p_portal_forms" / "__manifest__.py").read_text()
    )
    for distribution in allowed.values():
        assert distribution in requirements
        assert distribution in manifest["external_dependencies"]["python"]


def test_public_api_exported():
    for name in formio_core.__all__:
        assert hasattr(formio_core, name), name


def test_error_hierarchy():
    for error in (SchemaError, DocumentError, PrefillError):
        assert issubclass(error, FormioCoreError)
    assert str(SchemaError("schema.json", "bad")) == "schema.json: bad"


def test_corpus_origin_documented():
    assert "python-formio-data" in (HERE / "schemas" / "README.md").read_text()
