"""Build the wheels the OCA 17.0 way and check them.

Each addon is its own Python project: ``<addon>/pyproject.toml`` builds it
with whool (name ``odoo-addon-<addon>``, version and dependencies from the
manifest). ``setup/_metapackage/pyproject.toml`` is the meta package that
requires the five, as oca-gen-metapackage writes it for 17.0 (setuptools,
from ``[project]`` alone). The tests build all six wheels, check their names,
versions, dependencies and content, install them with ``--no-deps`` into a
target folder and import the addons from there.
"""

import email.parser
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from repo import ADDONS

from . import checks

METAPACKAGE_DIR = checks.REPO_ROOT / "setup" / "_metapackage"
METAPACKAGE = "odoo-addons-g2p-self-service-portal"
# Odoo 17.0 addons that ship with Odoo itself: no odoo-addon-* requirement.
ODOO_CORE_DEPENDS = {"auth_oauth", "base", "mail", "portal", "web", "website"}
# Folders whose every file is data Odoo reads at run time (or the addon's
# description), shipped whatever the manifest says.
DATA_DIRS = ("i18n", "readme", "security", "static", "views", "data", "demo")

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("whool") is None,
    reason="whool is not installed (pip install whool): wheels cannot be built",
)


@dataclass
class Wheel:
    path: Path
    metadata: Message
    names: list


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(metadata):
    from packaging.requirements import Requirement

    return {
        _canonical(Requirement(r).name): Requirement(r)
        for r in metadata.get_all("Requires-Dist") or []
    }


def _pip(*args, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _tracked_files(addon_dir):
    """The addon's files under git, relative to it; None outside of git."""
    try:
        proc = subprocess.run(
            ["git", "ls-files", "-z"],
            cwd=addon_dir,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return {f for f in proc.stdout.split("\0") if f}


def _data_files(addon):
    """Non-Python files the addon needs at run time, relative to it."""
    addon_dir = checks.REPO_ROOT / addon
    manifest, problems = checks.read_manifest(addon_dir)
    assert not problems, problems
    files = {"__manifest__.py", "README.rst"}
    for key in ("data", "demo"):
        files.update(manifest.get(key) or [])
    for entries in (manifest.get("assets") or {}).values():
        for entry in entries:
            for raw in checks._asset_paths(entry):
                path = raw.lstrip("/")
                if path.startswith(f"{addon}/"):
                    files.update(
                        str(p.relative_to(addon_dir))
                        for p in checks.REPO_ROOT.glob(path)
                        if p.is_file()
                    )
    for folder in DATA_DIRS:
        files.update(
            str(p.relative_to(addon_dir))
            for p in (addon_dir / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )
    return files


@pytest.fixture(scope="session")
def wheels(tmp_path_factory):
    """Build every wheel in one pip run; map canonical dist name -> Wheel."""
    out = tmp_path_factory.mktemp("wheels")
    # setuptools builds in the source folder (build/, *.egg-info): use a copy.
    meta = shutil.copytree(METAPACKAGE_DIR, tmp_path_factory.mktemp("meta") / "m")
    projects = [str(checks.REPO_ROOT / a) for a in ADDONS] + [str(meta)]
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(out), *projects)
    built = {}
    for wheel in out.glob("*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            names = archive.namelist()
            meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
            text = archive.read(meta_name).decode("utf-8")
        metadata = email.parser.HeaderParser().parsestr(text)
        built[_canonical(metadata["Name"])] = Wheel(wheel, metadata, names)
    return built


@pytest.fixture(scope="session")
def installed(wheels, tmp_path_factory):
    """All six wheels installed with --no-deps into a target folder."""
    target = tmp_path_factory.mktemp("target")
    files = [str(w.path) for w in wheels.values()]
    assert len(files) == len(ADDONS) + 1, sorted(wheels)
    _pip("install", "--no-deps", "--no-index", "--target", str(target), *files)
    return target


def test_addons_are_whool_projects():
    """Every addon of the repository, and only those, builds with whool."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: whool's own dependency
        import tomli as tomllib

    addons = {p.parent.name for p in checks.REPO_ROOT.glob(f"*/{checks.MANIFEST}")}
    assert addons == set(ADDONS)
    for addon in ADDONS:
        with (checks.REPO_ROOT / addon / "pyproject.toml").open("rb") as handle:
            pyproject = tomllib.load(handle)
        assert pyproject["build-system"] == {
            "requires": ["whool"],
            "build-backend": "whool.buildapi",
        }, addon
        # name, version and dependencies come from the manifest, not from here
        assert "project" not in pyproject, addon


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_wheel(wheels, addon):
    dist = f"odoo-addon-{addon}"
    assert _canonical(dist) in wheels, f"no wheel for {dist}; built: {sorted(wheels)}"
    wheel = wheels[_canonical(dist)]
    metadata = wheel.metadata
    assert metadata["Name"] == dist
    manifest, _problems = checks.read_manifest(checks.REPO_ROOT / addon)
    # the manifest version, and with whool's ".N" strategy the number of
    # commits to the addon since that version was set
    version = metadata["Version"]
    assert re.fullmatch(re.escape(manifest["version"]) + r"(\.\d+)?", version)
    assert wheel.path.name == f"odoo_addon_{addon}-{version}-py3-none-any.whl"
    requirements = _requirements(metadata)
    odoo = requirements["odoo"]
    assert odoo.specifier.contains("17.0", prereleases=True)
    assert not odoo.specifier.contains("17.1", prereleases=True)
    assert not odoo.specifier.contains("16.0", prereleases=True)
    for depend in manifest["depends"]:
        name = _canonical(f"odoo-addon-{depend}")
        if depend in ODOO_CORE_DEPENDS:
            assert name not in requirements
        else:  # repo, OpenG2P, OCA and Nova Code addons: odoo-addon-<name>
            assert requirements[name].specifier.contains("17.0.1.0.0")
            assert not requirements[name].specifier.contains("17.1.0.0.0")
    for lib in manifest.get("external_dependencies", {}).get("python", []):
        assert _canonical(lib) in requirements
    unexpected = set(requirements) - {
        "odoo",
        *(_canonical(f"odoo-addon-{d}") for d in manifest["depends"]),
        *(
            _canonical(lib)
            for lib in manifest.get("external_dependencies", {}).get("python", [])
        ),
    }
    assert not unexpected, unexpected


@pytest.mark.parametrize("addon", ADDONS)
def test_addon_wheel_content(wheels, addon):
    names = wheels[_canonical(f"odoo-addon-{addon}")].names
    prefix = f"odoo/addons/{addon}/"
    shipped = {n[len(prefix) :] for n in names if n.startswith(prefix)}
    # Nothing else: in particular no odoo/__init__.py nor
    # odoo/addons/__init__.py, the namespace packages stay Odoo's.
    others = [n for n in names if not n.startswith(prefix)]
    assert all(".dist-info/" in n for n in others), others
    data = _data_files(addon)
    assert any(f.startswith("i18n/") and f.endswith(".pot") for f in data)
    assert "security/ir.model.access.csv" in data
    assert any(f.endswith(".xml") for f in data)
    missing = data - shipped
    # whool ships the files git tracks: a new file must be added to git
    assert not missing, f"not in the wheel (git add them?): {sorted(missing)}"
    assert "__init__.py" in shipped
    assert "pyproject.toml" not in shipped
    assert "PKG-INFO" not in shipped
    # Test doubles (tests/emulators/) are never shipped.
    assert not [n for n in shipped if "/emulator/" in n or "emulators/" in n]
    assert not [n for n in shipped if "__pycache__" in n or n.endswith(".pyc")]
    tracked = _tracked_files(checks.REPO_ROOT / addon)
    if tracked is not None:  # whool ships what git tracks, but pyproject.toml
        assert shipped == tracked - {"pyproject.toml"}


def test_metapackage_wheel(wheels):
    assert METAPACKAGE in wheels, sorted(wheels)
    wheel = wheels[METAPACKAGE]
    version = wheel.metadata["Version"]
    assert re.fullmatch(r"17\.0\.\d{8}\.\d+", version), version
    assert (
        wheel.path.name
        == f"odoo_addons_g2p_self_service_portal-{version}-py3-none-any.whl"
    )
    requirements = _requirements(wheel.metadata)
    assert set(requirements) == {_canonical(f"odoo-addon-{a}") for a in ADDONS}
    for requirement in requirements.values():
        assert requirement.specifier.contains("17.0.1.0.0")
        assert requirement.specifier.contains("17.0.1.0.0.12")
        assert not requirement.specifier.contains("17.1.0.0.0")
        assert not requirement.specifier.contains("16.0.1.0.0")
    assert all(".dist-info/" in n for n in wheel.names), wheel.names


def test_wheels_install_without_dependencies(wheels, installed):
    found = {
        _canonical(d.metadata["Name"]): d.version
        for d in importlib.metadata.distributions(path=[str(installed)])
    }
    assert found == {name: w.metadata["Version"] for name, w in wheels.items()}
    for addon in ADDONS:
        assert (installed / "odoo" / "addons" / addon / "__manifest__.py").is_file()
    assert not (installed / "odoo" / "__init__.py").exists()
    assert not (installed / "odoo" / "addons" / "__init__.py").exists()


IMPORT_SCRIPT = """
import configparser, importlib, json, os, sys
sys.path.insert(0, sys.argv[1])  # the target folder, before site-packages
import odoo.addons
# Dependencies come from the addons_path of ODOO_RC or ~/.odoorc, after the
# target folder (which pkgutil put in odoo.addons.__path__ from sys.path).
parser = configparser.RawConfigParser()
parser.read(os.environ.get("ODOO_RC") or os.path.expanduser("~/.odoorc"))
for path in parser.get("options", "addons_path", fallback="").split(","):
    path = os.path.abspath(path.strip()) if path.strip() else ""
    if os.path.isdir(path) and path not in odoo.addons.__path__:
        odoo.addons.__path__.append(path)
found = {}
for addon in sys.argv[2:]:
    try:
        module = importlib.import_module("odoo.addons." + addon)
    except ModuleNotFoundError as error:
        found[addon] = {"missing": error.name}
    else:
        found[addon] = {"file": module.__file__}
print(json.dumps(found))
"""


def test_installed_addons_import(installed):
    """Odoo imports each addon from the installed wheel, not from the checkout."""
    if importlib.util.find_spec("odoo") is None:
        pytest.skip("Odoo is not importable here: the installed addons cannot load")
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_SCRIPT, str(installed), *ADDONS],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        cwd=installed,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = tuple(f"odoo.addons.{a}" for a in ADDONS)
    skipped = []
    for addon in ADDONS:
        missing = found[addon].get("missing")
        if missing is not None:
            # a module of ours missing is a wheel without it; anything else
            # is a dependency (--no-deps) that this machine does not have
            assert not missing.startswith(ours), found[addon]
            skipped.append(f"{addon} needs {missing}")
            continue
        path = Path(found[addon]["file"])
        assert path == installed / "odoo" / "addons" / addon / "__init__.py"
    if skipped:
        pytest.skip("dependencies not importable here: " + "; ".join(skipped))
