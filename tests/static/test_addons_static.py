"""Run every static check over the five real addons (no Odoo needed)."""

import pytest

from . import checks

ADDON_DIRS = [checks.REPO_ROOT / name for name in checks.ADDONS]


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
