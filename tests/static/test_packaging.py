"""Build the wheels of setup/ (whool, OCA 17.0 metadata) and check them."""

import email.parser
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from repo import ADDONS

from . import checks

SETUP = checks.REPO_ROOT / "setup"
METAPACKAGE = "odoo-addons-g2p-self-service-portal"
# Odoo 17.0 addons that ship with Odoo itself: no odoo-addon-* requirement.
ODOO_CORE_DEPENDS = {"auth_oauth", "base", "mail", "portal", "web", "website"}

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("whool") is None,
    reason="whool is not installed (pip install whool): wheels cannot be built",
)


def _canonical(name):
    return name.lower().replace("_", "-").replace(".", "-")


def _requirement_names(metadata):
    from packaging.requirements import Requirement

    return {
        _canonical(Requirement(r).name): Requirement(r)
        for r in metadata.get_all("Requires-Dist") or []
    }


@pytest.fixture(scope="session")
def wheels(tmp_path_factory):
    """Build every wheel of setup/ in one pip run; map dist name -> (meta, files)."""
    out = tmp_path_factory.mktemp("wheels")
    projects = [str(SETUP / a) for a in ADDONS] + [str(SETUP / "_metapackage")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--disable-pip-version-check", "-q", "-w", str(out), *projects],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = {}
    for wheel in out.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
            text = archive.read(meta_name).decode("utf-8")
        metadata = email.parser.HeaderParser().parsestr(text)
        built[_canonical(metadata["Name"])] = (metadata, names)
    return built


@pytest.mark.parametrize("addon", ADDONS)
def test_setup_layout(addon):
    link = SETUP / addon / "odoo" / "addons" / addon
    assert link.is_symlink(), f"{link} must be a symlink (committed as one)"
    assert os.readlink(link) == f"../../../../{addon}"
    assert (link / "__manifest__.py").is_file()
    backend = SETUP / addon / "g2p_whool_backend.py"
    assert backend.is_symlink()
    assert os.readlink(backend) == "../g2p_whool_backend.py"


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_wheel(wheels, addon):
    dist = f"odoo-addon-{addon.replace('_', '-')}"
    assert dist in wheels, f"no wheel for {dist}; built: {sorted(wheels)}"
    metadata, names = wheels[dist]
    assert metadata["Version"].startswith("17.0."), metadata["Version"]
    requirements = _requirement_names(metadata)
    odoo = requirements["odoo"]
    assert odoo.specifier.contains("17.0", prereleases=True)
    assert not odoo.specifier.contains("17.1", prereleases=True)
    assert not odoo.specifier.contains("16.0", prereleases=True)
    manifest, problems = checks.read_manifest(checks.REPO_ROOT / addon)
    assert not problems
    for depend in manifest["depends"]:
        name = f"odoo-addon-{depend.replace('_', '-')}"
        if depend in ODOO_CORE_DEPENDS:
            assert name not in requirements
        else:  # repo, OpenG2P, OCA and Nova Code addons: odoo-addon-<name>
            assert requirements[name].specifier.contains("17.0.1.0.0")
    for lib in manifest.get("external_dependencies", {}).get("python", []):
        assert _canonical(lib) in requirements
    assert f"odoo/addons/{addon}/__manifest__.py" in names
    assert f"odoo/addons/{addon}/pyproject.toml" not in names
    # Test doubles (tests/emulators/) are never shipped.
    assert not [n for n in names if "/emulator/" in n or "/emulators/" in n]
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_metapackage_wheel(wheels):
    assert METAPACKAGE in wheels, sorted(wheels)
    metadata, _names = wheels[METAPACKAGE]
    assert metadata["Version"].startswith("17.0.")
    requirements = _requirement_names(metadata)
    for addon in ADDONS:
        requirement = requirements[f"odoo-addon-{addon.replace('_', '-')}"]
        assert requirement.specifier.contains("17.0.1.0.0")
        assert not requirement.specifier.contains("17.1.0.0.0")


def test_manifest_versions_agree_with_wheels(wheels):
    for addon in ADDONS:
        manifest, _ = checks.read_manifest(checks.REPO_ROOT / addon)
        metadata, _ = wheels[f"odoo-addon-{addon.replace('_', '-')}"]
        assert metadata["Version"].startswith(manifest["version"])


def test_setup_readme_present():
    text = (SETUP / "README").read_text(encoding="utf-8")
    assert "whool" in text
    assert Path(SETUP / ".setuptools-odoo-make-default-ignore").is_file()
