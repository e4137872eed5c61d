"""Each check reports exactly the defect of its broken fixture addon."""

import shutil

import pytest
from repo import ADDONS

from . import checks

FIXTURES = checks.REPO_ROOT / "tests" / "fixtures" / "broken_addons"
GOOD = FIXTURES / "fx_good"


@pytest.mark.parametrize("check_name", sorted(checks.ADDON_CHECKS))
def test_good_fixture_passes(check_name):
    assert checks.ADDON_CHECKS[check_name](GOOD) == []


def test_fixtures_are_not_named_like_real_addons():
    names = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert names and all(n.startswith("fx_") for n in names)
    assert not names.intersection(ADDONS)


@pytest.mark.parametrize(
    ("fixture", "check_name", "expected"),
    [
        ("fx_manifest_syntax", "manifest", ["__manifest__.py:4: syntax error"]),
        (
            "fx_missing_data",
            "manifest",
            ["'data' file not found: views/missing_views.xml"],
        ),
        ("fx_bad_version", "manifest", ["version '17.0.1.0' does not match"]),
        ("fx_malformed_xml", "xml", ["views/broken_views.xml:3: malformed XML"]),
        (
            "fx_access_header",
            "access_csv",
            ["ir.model.access.csv:1: header must be id,name,model_id:id,"],
        ),
        (
            "fx_access_columns",
            "access_csv",
            ["ir.model.access.csv:3: 7 columns, expected 8"],
        ),
        (
            "fx_access_model",
            "access_csv",
            ["ir.model.access.csv:3: unknown model 'model_fx_nowhere'"],
        ),
        (
            "fx_access_group",
            "access_csv",
            ["ir.model.access.csv:3: unknown group 'group_fx_nowhere'"],
        ),
        ("fx_py_syntax", "python", ["broken_module.py:4: does not compile"]),
        (
            "fx_debugger",
            "python",
            [
                "debug_module.py:3: debugger left in code: import pdb",
                "debug_module.py:7: debugger left in code: breakpoint()",
            ],
        ),
        (
            "fx_pure_imports_odoo",
            "pure_subpackages",
            ["core/engine.py:3: functional core 'core' imports odoo: from odoo"],
        ),
        (
            "fx_missing_readme",
            "readme_i18n",
            ["readme/CONFIGURE.md (or .rst) is missing"],
        ),
    ],
)
def test_broken_fixture_reports_its_problem(fixture, check_name, expected):
    problems = checks.ADDON_CHECKS[check_name](FIXTURES / fixture)
    assert len(problems) == len(expected), problems
    for problem, start in zip(problems, expected, strict=True):
        assert start in problem, problems


def test_xml_check_without_lxml(monkeypatch):
    monkeypatch.setattr(checks, "_lxml_etree", None)
    problems = checks.check_xml(FIXTURES / "fx_malformed_xml")
    assert len(problems) == 1
    assert problems[0].startswith("views/broken_views.xml:3: malformed XML")
    assert checks.check_xml(GOOD) == []


def test_access_csv_uses_given_known_ids():
    problems = checks.check_access_csv(GOOD, known_models=set(), known_groups=set())
    assert any("unknown model 'model_fx_thing'" in p for p in problems)
    assert any("unknown group 'group_fx_user'" in p for p in problems)


def test_access_csv_rejects_module_outside_depends(tmp_path):
    addon = tmp_path / "fx_tmp"
    (addon / "security").mkdir(parents=True)
    (addon / "__manifest__.py").write_text('{"name": "x", "depends": ["base"]}')
    rows = [
        ",".join(checks.ACCESS_HEADER),
        "a1,a,website.model_website,,1,0,0,0",
        "a1,a,base.model_res_partner,,1,0,0,2",
    ]
    (addon / checks.ACCESS_CSV).write_text("\n".join(rows) + "\n")
    problems = checks.check_access_csv(addon)
    assert problems == [
        "security/ir.model.access.csv:2: model 'website.model_website': "
        "module 'website' is not in depends",
        "security/ir.model.access.csv:3: duplicate id 'a1' (line 2)",
        "security/ir.model.access.csv:3: perms must be 0 or 1, "
        "got ['1', '0', '0', '2']",
    ]


def test_depends_closure_follows_siblings_and_known_modules():
    closure = checks.depends_closure(GOOD)
    assert {"portal", "mail", "web", "base", "auth_signup"} <= closure
    assert "fx_good" not in closure


def test_manifest_glob_must_match(tmp_path):
    addon = tmp_path / "fx_tmp"
    addon.mkdir()
    manifest = (GOOD / "__manifest__.py").read_text()
    manifest = manifest.replace('"fx_good/static/src/js/*.js"', '"fx_tmp/nothing/*.js"')
    manifest = manifest.replace('"fx_good/static/src/js/thing.js",', "")
    manifest = manifest.replace('"security/groups.xml",', "")
    manifest = manifest.replace('"security/ir.model.access.csv",', "")
    manifest = manifest.replace('"views/thing_views.xml",', "")
    (addon / "__manifest__.py").write_text(manifest)
    assert checks.check_manifest(addon) == [
        "__manifest__.py: assets 'web.assets_frontend' glob matches no file: "
        "fx_tmp/nothing/*.js"
    ]


def test_relative_import_escaping_core(tmp_path):
    core = tmp_path / "fx_tmp" / "engine"
    core.mkdir(parents=True)
    (core / "__init__.py").write_text("from . import rules\n")
    (core / "rules.py").write_text("from .. import models\nfrom . import other\n")
    problems = checks.check_pure_subpackages(tmp_path / "fx_tmp")
    assert problems == [
        "engine/rules.py:1: functional core 'engine' imports odoo: "
        "from .. import (leaves it)"
    ]


def test_core_may_use_another_core(tmp_path):
    addon = tmp_path / "fx_tmp"
    for core in ("engine", "wire"):
        (addon / core).mkdir(parents=True)
        (addon / core / "__init__.py").write_text("")
    (addon / "models").mkdir()
    (addon / "models" / "__init__.py").write_text("")
    (addon / "wire" / "calls.py").write_text(
        "from ..engine import rules\n"
        "from ..engine.rules import rule\n"
        "from .. import engine\n"
        "from .. import engine, models\n"
        "from ..models import record\n"
        "from ...other_addon import thing\n"
    )
    assert checks.check_pure_subpackages(addon) == [
        "wire/calls.py:4: functional core 'wire' imports odoo: "
        "from .. import (leaves it)",
        "wire/calls.py:5: functional core 'wire' imports odoo: "
        "from ..models import (leaves it)",
        "wire/calls.py:6: functional core 'wire' imports odoo: "
        "from ...other_addon import (leaves it)",
    ]


def test_plain_module_outside_the_cores_is_reported(tmp_path):
    addon = tmp_path / "fx_tmp"
    (addon / "engine").mkdir(parents=True)
    (addon / "engine" / "__init__.py").write_text("")
    (addon / "models").mkdir()
    (addon / "models" / "__init__.py").write_text("")
    modules = {
        "__init__.py": "from . import models\n",
        "__manifest__.py": "{}\n",
        "hooks.py": "from odoo.tools import SQL\n",
        "messages.py": "import odoo.tools.translate\n",
        # Odoo-land through the addon's own shell modules and folders.
        "labels.py": "from .messages import x\n",
        "relay.py": "from . import labels\n",
        "record_helpers.py": "from .models import record\n",
        # Plain: stdlib, a core, or other plain modules only.
        "clock.py": "import time\n",
        "transport.py": "import json\nfrom .engine import rules\nfrom . import clock\n",
        "empty.py": "",
    }
    for name, text in modules.items():
        (addon / name).write_text(text)
    assert [p.name for p in checks.plain_modules_outside_cores(addon)] == [
        "clock.py",
        "empty.py",
        "transport.py",
    ]
    problems = checks.check_pure_subpackages(addon)
    assert problems == [
        f"{name}: plain module outside the functional cores (it imports no "
        "odoo): move it into a core package, where the purity check sees it"
        for name in ("clock.py", "empty.py", "transport.py")
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('msgid ""\nmsgstr ""\n', None),
        ('msgid ""\nmsgstr ""\nmsgid "a"\n', "end: last entry has no msgstr"),
        ('msgid ""\nmsgstr ""\nmsgid "a"\nmsgid "b"\nmsgstr ""\n', "4: msgid"),
        ('msgid ""\nmsgstr ""\nmsgid "a\nmsgstr ""\n', "3: not a quoted string"),
        ('msgid "a"\nmsgstr ""\n', "first entry must be the header"),
        ('msgstr ""\n', "1: msgstr without msgid"),
        ("", "no msgid at all"),
    ],
)
def test_parse_pot(text, problem):
    _msgids, problems = checks.parse_pot(text)
    if problem is None:
        assert problems == []
    else:
        assert any(p.startswith(problem) for p in problems), problems


def test_pylint_odoo_reports_a_print_in_an_addon(tmp_path):
    addon = tmp_path / "fx_prints"
    shutil.copytree(FIXTURES / "fx_good", addon)
    (addon / "models" / "printer.py").write_text('def show():\n    print("hello")\n')
    problems = checks.check_pylint_odoo([addon])
    if problems is None:
        pytest.skip("pylint-odoo is not installed")
    assert any("print-used" in line for line in problems), problems


def test_a_test_module_the_package_does_not_import_is_reported(tmp_path):
    addon = tmp_path / "fx_tests"
    (addon / "tests").mkdir(parents=True)
    (addon / "tests" / "__init__.py").write_text(
        "from . import test_a\nfrom . import (\n    test_b,\n)\n"
    )
    for name in ("test_a", "test_b", "test_c", "common"):
        (addon / "tests" / f"{name}.py").write_text("")
    assert checks.check_test_imports(addon) == [
        "tests/test_c.py is not imported by tests/__init__.py"
    ]
    (addon / "tests" / "__init__.py").unlink()
    assert checks.check_test_imports(addon) == ["tests/__init__.py is missing"]
    assert checks.check_test_imports(tmp_path / "no_tests") == []


def test_a_long_shipped_file_is_reported(tmp_path):
    addon = tmp_path / "fx_long"
    (addon / "models").mkdir(parents=True)
    (addon / "tests").mkdir()
    (addon / "models" / "long.py").write_text("x = 1\n" * checks.MAX_PYTHON_LINES)
    (addon / "models" / "short.py").write_text("x = 1\n" * 10)
    (addon / "tests" / "test_long.py").write_text("x = 1\n" * 900)
    assert checks.check_file_length(addon) == [
        f"models/long.py: {checks.MAX_PYTHON_LINES} lines (split it by concern: "
        f"at most {checks.MAX_PYTHON_LINES - 1})"
    ]
