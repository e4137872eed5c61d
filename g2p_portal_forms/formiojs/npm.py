"""Fetch an npm package tarball with the deployer's own ``npm pack``.

``npm pack`` honours the deployer's npm configuration, such as an internal
registry mirror in ``~/.npmrc`` or ``npm_config_registry``. It runs without a
shell, without the package's scripts, with a timeout.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

NPM_TIMEOUT_SECONDS = 300

# An npm package name (``formiojs``, ``@ckeditor/ckeditor5-build-classic``).
_PACKAGE = re.compile(r"^(?:@[a-z0-9][a-z0-9._-]*/)?[a-z0-9][a-z0-9._-]{0,100}$")
# What may follow ``name@`` on the npm command line: a version, a range or a
# dist-tag. No ``:`` or ``/``, so never a git, file or URL specifier.
_SPEC = re.compile(r"^[0-9A-Za-z.^~<>=*| -]{1,64}$")
_NPM_ERROR_LINE = re.compile(r"^npm (?:ERR!|error) (?:code|errno|[0-9]{3})\b.*$")
_CREDENTIALS_IN_URL = re.compile(r"//[^/\s:@]+:[^/\s@]+@")


class NpmPackError(Exception):
    """``npm pack`` could not fetch the package.

    ``reason`` says why; the message adds what to do without the registry.
    """

    def __init__(self, reason, specs=()):
        self.reason = reason
        self.specs = tuple(specs)  # empty when asking the registry cannot help
        hint = f" {offline_hint(specs)}" if specs else ""
        super().__init__(f"{reason}{hint}")


def offline_hint(specs):
    """What to do without registry access, for the given ``name@version``s."""
    return (
        f"On a machine with internet access run `npm pack {' '.join(specs)}`, "
        "copy the .tgz files here and pass them with --tarball."
    )


def npm_pack(package, spec, destination, *, npm="npm", timeout=NPM_TIMEOUT_SECONDS):
    """Fetch ``<package>@<spec>`` into ``destination``; return the .tgz path."""
    spec = str(spec).strip()
    if not _PACKAGE.match(package):
        raise NpmPackError(f"{package[:64]!r} is not an npm package name")
    if not _SPEC.match(spec):
        raise NpmPackError(
            f"{spec[:64]!r} is not a {package} version, range or tag (e.g. 4.21.7)"
        )
    wanted = f"{package}@{spec}"
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    before = set(destination.glob("*.tgz"))
    executable = shutil.which(npm)
    if executable is None:
        raise NpmPackError("npm is not installed here.", [wanted])
    command = [
        executable,
        "pack",
        wanted,
        "--pack-destination",
        str(destination),
        "--ignore-scripts",
    ]
    try:
        result = subprocess.run(
            command,
            cwd=destination,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
    except subprocess.TimeoutExpired as error:
        raise NpmPackError(
            f"npm pack {wanted} gave no answer within {timeout} s: is the npm "
            "registry reachable?",
            [wanted],
        ) from error
    except OSError as error:
        raise NpmPackError(f"cannot run npm: {error.strerror}.", [wanted]) from error
    if result.returncode != 0:
        summary = _npm_error_summary(result.stderr)
        raise NpmPackError(f"npm pack {wanted} failed ({summary}).", [wanted])
    created = sorted(set(destination.glob("*.tgz")) - before)
    if len(created) != 1:
        raise NpmPackError(f"npm pack {wanted} wrote {len(created)} tarballs, not one")
    return created[0]


def _npm_error_summary(stderr):
    """npm's error code lines (``npm error code ENOTFOUND``), credentials removed."""
    lines = [
        line.strip() for line in stderr.splitlines() if _NPM_ERROR_LINE.match(line)
    ]
    summary = "; ".join(lines[:3]) or "no error code; run it by hand to see why"
    return _CREDENTIALS_IN_URL.sub("//***@", summary)[:300]
