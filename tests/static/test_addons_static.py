"""Run every static check over the five real addons (no Odoo needed)."""

import pytest
from repo import ADDONS

from . import checks
from .readme import markdown_to_rst, render_readme

ADDON_DIRS = [checks.REPO_ROOT / name for name in ADDONS]


def _report(addon_dir, check_name, problems):
    lines = "\n".join(f"  - {p}" for p in problems)
    count = len(problems)
    return f"{addon_dir.name}: {check_name}: {count} problem(s):\n{lines}"


@pytest.mark.parametrize("check_name", sorted(checks.ADDON_CHECKS))
@pytest.mark.parametrize("addon_dir", ADDON_DIRS, ids=lambda p: p.name)
def test_addon_static(addon_dir, check_name):
    assert addon_dir.is_dir(), f"addon folder {addon_dir.name} is missing"
    problems = checks.ADDON_CHECKS[check_name](addon_dir)
    assert not problems, _report(addon_dir, check_name, problems)


def test_ruff_clean():
    if checks.ruff_command() is None:
        pytest.skip("ruff is not installed (pip install -r test-requirements.txt)")
    problems = checks.check_ruff(checks.REPO_ROOT)
    assert not problems, "ruff is not clean:\n" + "\n".join(problems)


@pytest.mark.parametrize("addon_dir", ADDON_DIRS, ids=lambda p: p.name)
def test_readme_rst_generated_from_fragments(addon_dir):
    readme = addon_dir / "README.rst"
    assert readme.is_file(), f"{addon_dir.name}: run python3 tests/static/readme.py"
    assert readme.read_text(encoding="utf-8") == render_readme(addon_dir), (
        f"{addon_dir.name}/README.rst is stale: run python3 tests/static/readme.py"
    )


def test_readme_conversion_turns_markdown_code_into_rst():
    assert markdown_to_rst("use `sub` and ``x``") == "use ``sub`` and ``x``"


def test_pylint_odoo_mandatory_checks():
    problems = checks.check_pylint_odoo(ADDON_DIRS)
    if problems is None:
        pytest.skip("pylint-odoo missing: pip install -r test-requirements.txt")
    assert not problems, "pylint-odoo:\n" + "\n".join(problems)
