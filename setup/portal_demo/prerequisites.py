"""What the demo needs on the machine, checked and explained (never installed)."""

import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from repo import ADDONS

from . import cluster
from .settings import (
    ADDON_SOURCES,
    HOST,
    ODOO_SERIES,
    PYTHON_LIBRARIES,
)


@dataclass
class Check:
    """One prerequisite: ok, a warning (the demo runs) or missing (it cannot)."""

    name: str
    status: str  # "ok", "warn", "missing"
    detail: str = ""

    @property
    def fatal(self):
        return self.status == "missing"

    def line(self):
        label = {"ok": "ok", "warn": "warning", "missing": "MISSING"}[self.status]
        text = f"  {label:<8} {self.name}"
        return text + (f": {self.detail}" if self.detail else "")


@dataclass
class OdooProbe:
    """What ``import odoo`` gives in the interpreter that will run Odoo."""

    version: tuple = ()
    path: str = ""
    addons_dirs: list = field(default_factory=list)
    error: str = ""


# Odoo's own addons, then the odoo.addons namespace (where pip puts the
# odoo-addon-* wheels, e.g. OCA's auth_oidc, queue_job, session_db): Odoo
# looks there after the configuration's addons_path.
PROBE_SCRIPT = """
import json, os
import odoo, odoo.addons, odoo.release
root = os.path.dirname(os.path.abspath(odoo.__file__))
dirs = [os.path.join(root, "addons"), os.path.join(os.path.dirname(root), "addons")]
dirs += [os.path.abspath(d) for d in odoo.addons.__path__]
seen = []
for d in dirs:
    if os.path.isdir(d) and d not in seen:
        seen.append(d)
print(json.dumps({"version": list(odoo.release.version_info[:2]), "path": root,
                  "addons_dirs": seen}))
"""


def probe_odoo(python=sys.executable):
    proc = subprocess.run(
        [python, "-c", PROBE_SCRIPT],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return OdooProbe(error=last)
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return OdooProbe(error="unexpected output of import odoo")
    return OdooProbe(
        version=tuple(data["version"]),
        path=data["path"],
        addons_dirs=data["addons_dirs"],
    )


def check_odoo(probe):
    if probe.error:
        return Check(
            "Odoo 17",
            "missing",
            f"`import odoo` fails in {sys.executable} ({probe.error}). Install "
            "Odoo 17 in this interpreter (README, Prerequisites) or run this "
            "command with the Python that has it.",
        )
    if probe.version[:1] != (ODOO_SERIES,):
        found = ".".join(str(part) for part in probe.version)
        return Check(
            "Odoo 17", "missing", f"Odoo {found} found at {probe.path}; 17 needed"
        )
    return Check("Odoo 17", "ok", probe.path)


def check_setuptools(version, has_pkg_resources):
    """Odoo 17 imports pkg_resources: setuptools before 70 is what it runs on."""
    fix = "pip install 'setuptools<70'"
    if version is None:
        return Check(
            "setuptools",
            "missing",
            f"not installed; Odoo 17 imports its pkg_resources: {fix}",
        )
    if not has_pkg_resources:
        return Check(
            "setuptools",
            "missing",
            f"setuptools {version} has no pkg_resources, which Odoo 17 imports: {fix}",
        )
    if _version_tuple(version) >= (70,):
        return Check(
            "setuptools",
            "warn",
            f"setuptools {version}: Odoo 17 is run with setuptools before 70 "
            f"(its pkg_resources imports); if Odoo fails to start: {fix}",
        )
    return Check("setuptools", "ok", version)


def _version_tuple(text):
    parts = []
    for part in str(text).split("."):
        digits = re.match(r"\d+", part)
        if not digits:
            break
        parts.append(int(digits.group()))
    return tuple(parts)


def setuptools_state():
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        version = None
    return version, importlib.util.find_spec("pkg_resources") is not None


def split_addons_path(text):
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def find_addons(dirs):
    """{addon name: folder} of the addons in ``dirs`` (the first one wins)."""
    found = {}
    for directory in dirs:
        path = Path(directory).expanduser()
        if not path.is_dir():
            continue
        for child in sorted(path.iterdir()):
            if child.name not in found and (child / "__manifest__.py").is_file():
                found[child.name] = child
    return found


def _manifest_depends(folder):
    import ast

    try:
        manifest = ast.literal_eval((folder / "__manifest__.py").read_text())
    except (OSError, SyntaxError, ValueError):
        return []
    depends = manifest.get("depends") if isinstance(manifest, dict) else None
    return [name for name in depends or [] if isinstance(name, str)]


def missing_addons(available, roots=ADDONS):
    """Dependencies of ``roots`` (transitively) that no folder provides."""
    missing, seen, todo = [], set(), list(roots)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        seen.add(name)
        folder = available.get(name)
        if folder is None:
            missing.append(name)
            continue
        todo.extend(_manifest_depends(folder))
    return missing


def addon_source(name):
    for prefixes, source in ADDON_SOURCES:
        if any(name == p or name.startswith(p) for p in prefixes):
            return source
    return "Odoo 17 itself (its addons folder) or another dependency"


def check_addons(missing, addons_path, config_source):
    if not missing:
        return Check(
            "Dependency addons (OpenG2P, formio, server-auth, community)",
            "ok",
            "all on addons_path",
        )
    by_source = {}
    for name in missing:
        by_source.setdefault(addon_source(name), []).append(name)
    lines = [
        f"not found on addons_path ({', '.join(addons_path) or 'empty'}, from "
        f"{config_source or 'no Odoo configuration file'}):"
    ]
    for source, names in by_source.items():
        lines.append(f"      {', '.join(sorted(names))} -> {source}")
    lines.append("      Put them on addons_path in that file (README, Prerequisites).")
    return Check("Dependency addons", "missing", "\n".join(lines))


def check_python_libraries(find_spec=importlib.util.find_spec):
    absent = [
        name for name, module in PYTHON_LIBRARIES.items() if not find_spec(module)
    ]
    if absent:
        return Check(
            "Python libraries",
            "missing",
            f"{', '.join(absent)}: pip install -r requirements.txt",
        )
    return Check("Python libraries", "ok", "requirements.txt")


def check_postgres(options, connect=None):
    """PostgreSQL answers with the configuration's connection settings."""
    where = (
        f"{options.get('db_host') or 'local socket'}:"
        f"{options.get('db_port') or 5432} as "
        f"{options.get('db_user') or os.environ.get('USER', 'the current user')}"
    )
    if connect is None:
        try:
            import psycopg2
        except ImportError:
            return Check("PostgreSQL", "missing", "psycopg2 (an Odoo dependency)")
        connect = psycopg2.connect
    try:
        connection = connect(**connection_params(options, "postgres"))
    except Exception as error:  # psycopg2.Error and socket errors alike
        first = str(error).strip().splitlines()[0] if str(error).strip() else error
        return Check(
            "PostgreSQL",
            "missing",
            f"not answering at {where} ({first}). Start PostgreSQL, or fix "
            "db_host, db_port, db_user, db_password in the Odoo configuration.",
        )
    connection.close()
    return Check("PostgreSQL", "ok", where)


def connection_params(options, dbname):
    params = {"dbname": dbname, "connect_timeout": 5}
    for option, key in (
        ("db_host", "host"),
        ("db_port", "port"),
        ("db_user", "user"),
        ("db_password", "password"),
        ("db_sslmode", "sslmode"),
    ):
        value = options.get(option)
        if value not in (None, "", "False", "false"):
            params[key] = value
    return params


def check_port(port, what, is_free=None, option="--port"):
    is_free = is_free or port_is_free
    if is_free(port):
        return Check(f"Port {port} ({what})", "ok")
    return Check(
        f"Port {port} ({what})",
        "missing",
        f"already in use by another program: stop it, or choose another with {option}",
    )


def port_is_free(port, host=HOST):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def manifest_version(folder):
    """The ``version`` of an addon folder's manifest, or ""."""
    import ast

    try:
        manifest = ast.literal_eval((Path(folder) / "__manifest__.py").read_text())
    except (OSError, SyntaxError, ValueError):
        return ""
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return version if isinstance(version, str) else ""


def addon_copies(dirs, name):
    """Every folder of ``dirs`` holding addon ``name``, in Odoo's order."""
    copies = []
    for directory in dirs:
        folder = Path(directory).expanduser() / name
        if (folder / "__manifest__.py").is_file() and folder not in copies:
            copies.append(folder)
    return copies


def check_queue_job(copies):
    """One queue_job, recent enough to elect one job runner per database."""
    name = "OCA queue_job (one job runner elected among the servers)"
    wanted = ".".join(str(part) for part in cluster.QUEUE_JOB_ELECTION)
    fix = f"pip install 'odoo-addon-queue-job>={wanted}'"
    if not copies:
        return Check(name, "missing", f"not found: {fix}")
    if len(copies) > 1:
        found = ", ".join(f"{c} ({manifest_version(c) or '?'})" for c in copies)
        return Check(
            name,
            "missing",
            f"{len(copies)} copies ({found}): keep only one, {wanted} or later "
            "(remove OpenG2P's vendored copy from addons_path)",
        )
    version = manifest_version(copies[0])
    if _version_tuple(version) < cluster.QUEUE_JOB_ELECTION:
        return Check(
            name,
            "missing",
            f"{copies[0]} is {version or 'of no version'}: before {wanted} every "
            f"server runs its own job runner; {fix}",
        )
    return Check(name, "ok", f"{version} ({copies[0]})")


def check_session_db(copies):
    name = "OCA session_db (HTTP sessions in PostgreSQL)"
    if not copies:
        return Check(name, "missing", "not found: pip install odoo-addon-session-db")
    return Check(name, "ok", f"{manifest_version(copies[0])} ({copies[0]})")


def check_nginx(path):
    if path:
        return Check("nginx (the load balancer)", "ok", path)
    return Check(
        "nginx (the load balancer)",
        "missing",
        "not found: install it (Debian, Ubuntu: apt-get install nginx); the "
        "demo runs it as your own process, not as a system service",
    )


def check_mounts(supported):
    name = "Own data folder per server (mount namespaces)"
    if supported:
        return Check(name, "ok", "the shared filestore is mounted in each server")
    return Check(
        name,
        "warn",
        "this system does not allow mount namespaces (unshare --mount): the "
        "servers share one data folder (the filestore volume) instead",
    )


def check_chromium(path):
    if path:
        return Check("Chromium (only for setup/portal_demo/screenshots.py)", "ok", path)
    return Check(
        "Chromium (only for setup/portal_demo/screenshots.py)",
        "warn",
        "not found; the demo runs without it, screenshots need it",
    )


def check_npm(path):
    if path:
        return Check("npm (formio.js for the forms)", "ok", path)
    return Check(
        "npm (formio.js for the forms)",
        "warn",
        "not found: the forms cannot be shown in a browser until formio.js is "
        "installed (g2p_portal_forms/readme/INSTALL.md, formiojs-install "
        "--tarball)",
    )
