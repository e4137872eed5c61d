"""The README's prerequisites name every Python library the addons we
install need, through their whole dependency chain (manifests'
``external_dependencies``). Runs where the dependencies' addons are on the
Odoo configuration's addons_path; skipped elsewhere."""

import re

import pytest
import run_suites
import tooling
from repo import ADDONS, REPO_ROOT


def _name(requirement):
    name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
    return name.strip().lower().replace("_", "-")


def _prerequisites():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Prerequisites")
    section = readme[start : readme.index("\n## ", start + 1)]
    return section.lower().replace("_", "-")


def _requirements_txt():
    lines = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return {_name(line) for line in lines if line.strip() and not line.startswith("#")}


@pytest.fixture(scope="module")
def closure(tmp_path_factory):
    source = tooling.odoo_config_source()
    if source is None:
        pytest.skip("no Odoo configuration ($ODOO_RC, ~/.odoorc)")
    config, _ = tooling.write_test_config(tmp_path_factory.mktemp("odoo"))
    paths = run_suites.addons_paths(config)
    found = {}
    for name in (*ADDONS, *run_suites.OPTIONAL_ADDONS):
        found.update(run_suites.dependency_closure(name, paths))
    missing = sorted(name for name, manifest in found.items() if manifest is None)
    if missing:
        pytest.skip(f"addons not on addons_path: {', '.join(missing)}")
    return found


def test_every_library_of_the_dependencies_is_a_prerequisite(closure):
    ours = _requirements_txt()
    prerequisites = _prerequisites()
    unnamed = []
    for addon, manifest in sorted(closure.items()):
        for requirement in (manifest.get("external_dependencies") or {}).get(
            "python", ()
        ):
            name = _name(requirement)
            if addon in ADDONS:
                if name not in ours:
                    unnamed.append(f"{name} ({addon}) not in requirements.txt")
            elif f"`{name}`" not in prerequisites and name not in ours:
                unnamed.append(f"{name} ({addon}) not in the README's prerequisites")
    assert not unnamed, unnamed
