"""PEP 517 build backend for ``setup/<addon>``: package the addon with whool.

whool (the OCA build backend for Odoo >= 17 addons) builds the addon folder it
runs in. Here the project folder is ``setup/<addon>/``, whose
``odoo/addons/<addon>`` is a relative symlink to the addon (the OCA ``setup/``
layout). This shim stages the addon the way an sdist holds it (its files, a
``PKG-INFO`` with the name and version computed from the real checkout, and a
``pyproject.toml`` for whool) and lets whool build the wheel from that tree.

Each ``setup/<addon>/g2p_whool_backend.py`` is a symlink to this file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from email.generator import Generator
from email.message import Message
from pathlib import Path

from manifestoo_core.metadata import metadata_from_addon_dir
from whool import buildapi

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SKIP_PARTS = frozenset({"__pycache__", ".git"})
STRATEGY_ENV = "WHOOL_POST_VERSION_STRATEGY_OVERRIDE"


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return proc.stdout


def _addon_dir(project_dir: Path) -> Path:
    addons = project_dir / "odoo" / "addons"
    found = [p for p in addons.iterdir() if (p / "__manifest__.py").is_file()]
    if len(found) != 1:
        raise RuntimeError(f"{addons} must hold exactly one addon, found {found}")
    return found[0]


def _options(project_dir: Path) -> dict:
    """``[tool.whool]`` of ``setup/<addon>/pyproject.toml`` (manifestoo options)."""
    with (project_dir / "pyproject.toml").open("rb") as handle:
        options = dict(tomllib.load(handle).get("tool", {}).get("whool", {}))
    if os.environ.get(STRATEGY_ENV):
        options["post_version_strategy_override"] = os.environ[STRATEGY_ENV]
    return options


def _addon_files(addon_dir: Path) -> list[Path]:
    """Files to ship: git-tracked plus new files that are not ignored.

    Outside of git every file is shipped (except caches).
    """
    out = _git(
        ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "."],
        addon_dir,
    )
    if out is None:
        candidates = [p.relative_to(addon_dir) for p in addon_dir.rglob("*")]
    else:
        candidates = [Path(f) for f in out.split("\0") if f]
    return sorted(
        rel
        for rel in set(candidates)
        if (addon_dir / rel).is_file() and not SKIP_PARTS.intersection(rel.parts)
    )


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        items = ", ".join(
            f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()
        )
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)  # str / int: JSON and TOML basic strings agree


def _sdist_pyproject(options: dict) -> str:
    lines = [
        "[build-system]",
        'requires = ["whool"]',
        'build-backend = "whool.buildapi"',
        "",
        "[tool.whool]",
    ]
    lines += [
        f"{key} = {_toml_value(value)}"
        for key, value in options.items()
        if key != "post_version_strategy_override"
    ]
    return "\n".join(lines) + "\n"


def _stage(dst_root: Path) -> Path:
    """Lay the addon out as an sdist tree under ``dst_root``; return that tree."""
    project_dir = Path.cwd()
    addon_dir = _addon_dir(project_dir).resolve()
    options = _options(project_dir)
    if _git(["rev-parse", "--git-dir"], addon_dir) is not None and (
        _git(["rev-parse", "--verify", "-q", "HEAD"], addon_dir) is None
    ):
        # a repository without any commit yet: no git history to count
        options.setdefault("post_version_strategy_override", "none")
    metadata: Message = metadata_from_addon_dir(addon_dir, options)
    dist = re.sub(r"[-_.]+", "_", metadata["Name"]).lower()
    staged = dst_root / f"{dist}-{metadata['Version']}"
    for rel in _addon_files(addon_dir):
        (staged / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(addon_dir / rel, staged / rel)
    with (staged / "PKG-INFO").open("w", encoding="utf-8") as handle:
        Generator(handle, mangle_from_=False, maxheaderlen=0).flatten(metadata)
    (staged / "pyproject.toml").write_text(_sdist_pyproject(options), encoding="utf-8")
    return staged


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    wheel_directory = os.path.abspath(wheel_directory)
    with tempfile.TemporaryDirectory(prefix="g2p-whool-") as tmp:
        staged = _stage(Path(tmp))
        with _cwd(staged):
            return buildapi.build_wheel(wheel_directory, config_settings)


def build_sdist(sdist_directory, config_settings=None):
    with tempfile.TemporaryDirectory(prefix="g2p-whool-") as tmp:
        staged = _stage(Path(tmp))
        name = f"{staged.name}.tar.gz"
        target = Path(sdist_directory) / name
        with tarfile.open(target, "w:gz", format=tarfile.PAX_FORMAT) as tar:
            tar.add(staged, arcname=staged.name)
        return name
