#!/usr/bin/env python3
"""The self-service portal demo in one command: ``python3 setup/demo.py``.

On a machine with the README's prerequisites (Odoo 17 with the OpenG2P 17.0
addons, Nova Code's formio and OCA's auth_oidc on its ``addons_path``, and
PostgreSQL), it:

1. finds Odoo through ``$ODOO_RC`` or ``~/.odoorc`` (as ``tests/run_suites.py``
   does) and says what is missing;
2. writes its own Odoo configuration in a state folder (``$G2P_DEMO_DIR``,
   else ``$XDG_STATE_HOME/g2p-demo``, else ``~/.local/state/g2p-demo``):
   this repository plus the user's ``addons_path``, a biometric master key
   and a database-manager password (``admin_passwd``) made once, the database
   manager's listing off (``list_db``), its own data folder and logs;
3. creates the database (``g2p_demo``) with the five addons and their demo
   data, or reuses it as it is;
4. starts the eSignet emulator (a relying-party client registered through its
   client-management API, with a key kept in the state folder), the SBI
   device emulator (its keys kept too, its CA trusted by Odoo), and Odoo;
   configures the eSignet provider with the OpenG2P guide's settings;
5. prints the addresses, the test identities and the logins, and runs until
   Ctrl-C. ``python3 setup/demo.py --stop`` stops a demo started elsewhere.

It never installs Odoo, OpenG2P or any other dependency: it checks for them
and explains. The emulators are test doubles from ``tests/emulators``.
"""

import argparse
import base64
import configparser
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = REPO_ROOT / "tests"
SETUP_DIR = REPO_ROOT / "setup"
for _folder in (TESTS_DIR, SETUP_DIR):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

import cluster  # noqa: E402
import tooling  # noqa: E402
from repo import ADDONS  # noqa: E402
from tooling import ToolError as DemoError  # noqa: E402  (one kind of error)
from tooling import (  # noqa: E402
    drop_database,
    http_get,
    odoo_config_source,
    own_module_problems,
    read_odoo_options,
    register_client,
    wait_until,
)
from tooling import log_tail as tail  # noqa: E402

ODOO_SERIES = 17
DEFAULT_DB = "g2p_demo"
DEFAULT_PORT = 8069
ESIGNET_PORT = 8088
SBI_PORT = 4501
# The message sink (tests/emulators/messages): Odoo's outgoing mail server
# and SMS gateway of the demo; a person reads what was sent on its page.
MAIL_PORT = 8025
MESSAGES_PORT = 8026
# OpenG2P's SMS gateway client (openg2p-program), installed with the demo
# when it is on addons_path: the sink answers in its gateway's shape.
SMS_ADDON = "g2p_notifications_fast2sms"
# The demo runs OCA queue_job's job runner in its Odoo server (notifications
# are queue jobs); in a cluster every server runs one and one is elected.
DEMO_SERVER_WIDE_MODULES = ("base", "web", "queue_job")
HOST = "127.0.0.1"
CLIENT_ID = "g2p-demo-portal"
FORMIOJS_VERSION = "4.21.7"
OFFICER_LOGIN = "officer"
OFFICER_PASSWORD = "officer"  # demo data (g2p_biometric_assist/demo)
ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "admin"  # Odoo's own for a database made with demo data
# Odoo's default master password (``admin_passwd``): never the demo's.
ODOO_DEFAULT_ADMIN_PASSWD = "admin"
EMULATORS = REPO_ROOT / "tests" / "emulators"
IDENTITIES_FILE = EMULATORS / "esignet" / "identities.json"
DEMO_ODOO_SCRIPT = REPO_ROOT / "setup" / "demo_odoo.py"
# The OpenG2P eSignet guide's client registration (eSignet client-mgmt API).
GUIDE_USER_CLAIMS = (
    "birthdate",
    "address",
    "gender",
    "name",
    "phone_number",
    "email",
    "picture",
)
# Automatic linking of existing registrants compares their national ID
# with this claim, so the client is also allowed to receive it.
LINKING_CLAIM = "individual_id"
GUIDE_ACR_VALUES = ("mosip:idp:acr:biometrics", "mosip:idp:acr:generated-code")
# Odoo configuration options copied from the user's: the database server.
COPIED_OPTIONS = ("db_host", "db_port", "db_user", "db_password", "db_sslmode")
# Where each family of dependency addons comes from (README, Prerequisites).
ADDON_SOURCES = (
    (
        ("g2p_programs", "g2p_program_", "g2p_formio", "g2p_entitlement_"),
        "OpenG2P program addons 17.0: https://github.com/OpenG2P/openg2p-program",
    ),
    (
        ("g2p_",),
        "OpenG2P registry addons 17.0: https://github.com/OpenG2P/openg2p-registry",
    ),
    (
        ("formio",),
        "Nova Code formio 17.0: https://github.com/novacode-nl/odoo-formio",
    ),
    (
        ("auth_oidc",),
        "OCA server-auth 17.0: https://github.com/OCA/server-auth "
        "(or pip install odoo-addon-auth-oidc)",
    ),
    (
        ("queue_job",),
        "OCA queue-job 17.0.1.3.0 or later: pip install "
        "'odoo-addon-queue-job>=17.0.1.3.0' (not OpenG2P's older copy)",
    ),
    (
        ("session_db",),
        "OCA server-tools 17.0: pip install odoo-addon-session-db",
    ),
    (
        ("storage_", "component", "server_environment"),
        "OpenG2P community addons 17.0: "
        "https://github.com/OpenG2P/openg2p-social-registry-community-addons",
    ),
)
# Python libraries of the addons (requirements.txt) and their import names.
PYTHON_LIBRARIES = {
    "cryptography": "cryptography",
    "email-validator": "email_validator",
    "formio-data": "formiodata",
    "jwcrypto": "jwcrypto",
    "panzi-json-logic": "json_logic",
    "phonenumbers": "phonenumbers",
    "pyjwt": "jwt",
    "requests": "requests",
    "google-re2": "re2",
    # the demo's mail sink (tests/emulators/messages)
    "aiosmtpd": "aiosmtpd",
}
STOP_TIMEOUT = 30


# ---------------------------------------------------------------------------
# prerequisites


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
        return Check("Chromium (only for setup/screenshots.py)", "ok", path)
    return Check(
        "Chromium (only for setup/screenshots.py)",
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


# ---------------------------------------------------------------------------
# the state folder: configuration, keys, pid file


def state_dir(environ=None):
    environ = os.environ if environ is None else environ
    if environ.get("G2P_DEMO_DIR"):
        return Path(environ["G2P_DEMO_DIR"]).expanduser()
    base = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base).expanduser() / "g2p-demo"


class StateFolder:
    """The demo's files; secrets are created once, mode 0600, and kept."""

    def __init__(self, root):
        self.root = Path(root)

    config = property(lambda self: self.root / "odoo.conf")
    master_key = property(lambda self: self.root / "biometric-master-key")
    # Odoo's own master password: it guards the database manager.
    admin_passwd = property(lambda self: self.root / "odoo-admin-passwd")
    client_key = property(lambda self: self.root / "esignet" / "client-key.pem")
    psut_secret = property(lambda self: self.root / "esignet" / "psut-secret")
    signing_key = property(lambda self: self.root / "esignet" / "signing-key.pem")
    # What the demo's Odoo sent (emails and SMS), kept across restarts; the
    # key the SMS gateway asks of Odoo.
    messages = property(lambda self: self.root / "messages" / "messages.jsonl")
    sms_key = property(lambda self: self.root / "messages" / "sms-key")
    sbi_keys = property(lambda self: self.root / "sbi")
    data_dir = property(lambda self: self.root / "data")
    logs = property(lambda self: self.root / "logs")
    pid_file = property(lambda self: self.root / "demo.pid")
    # --servers N: each server's folder (configuration, own data folder) and
    # nginx's; the filestore of ``data_dir`` is the volume they share.
    cluster_dir = property(lambda self: self.root / "cluster")
    nginx_dir = property(lambda self: self.root / "cluster" / "nginx")
    filestore = property(lambda self: self.data_dir / "filestore")

    def log(self, name):
        return self.logs / f"{name}.log"

    def prepare(self):
        for folder in (
            self.root,
            self.root / "esignet",
            self.sbi_keys,
            self.messages.parent,
        ):
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
        self.data_dir.mkdir(exist_ok=True)
        self.logs.mkdir(exist_ok=True)


def ensure_secret(path, make):
    """The secret in ``path``, made by ``make()`` the first time (mode 0600)."""
    path = Path(path)
    if path.is_file() and path.read_text().strip():
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make().strip()
    write_private(path, value + "\n")
    return value


def write_private(path, text):
    """Write ``text`` to ``path`` readable by its owner only, atomically."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def new_admin_passwd():
    """A random password for Odoo's database manager (never Odoo's default)."""
    return secrets.token_urlsafe(24)


def new_master_key():
    """256 random bits in base64, as g2p_biometric_assist reads its master key."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def new_rsa_private_key_pem():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def demo_config_text(
    user_options, addons_path, state, master_key, db, port, *, admin_passwd
):
    """The demo's Odoo configuration: the user's database server and addons,
    this repository first, the demo's own data folder, port and keys. The
    database manager gets the demo's own password and lists no databases."""
    if not admin_passwd or admin_passwd == ODOO_DEFAULT_ADMIN_PASSWD:
        raise DemoError("the demo needs its own database-manager password")
    parser = configparser.RawConfigParser()
    parser.add_section("options")
    options = {
        name: user_options[name] for name in COPIED_OPTIONS if name in user_options
    }
    options.update(
        {
            "addons_path": ",".join([str(REPO_ROOT), *addons_path]),
            "data_dir": str(state.data_dir),
            "http_interface": HOST,
            "http_port": str(port),
            "db_name": db,
            "dbfilter": f"^{re.escape(db)}$",
            "list_db": "False",
            "admin_passwd": admin_passwd,
            "logfile": str(state.log("odoo")),
            "g2p_biometric_master_key": master_key,
            "server_wide_modules": ",".join(DEMO_SERVER_WIDE_MODULES),
        }
    )
    for name, value in options.items():
        parser.set("options", name, value)
    # The job runner sends the notifications (two at a time); it asks this
    # server to run each job.
    parser.add_section("queue_job")
    for name, value in {
        "channels": "root:2",
        "scheme": "http",
        "host": HOST,
        "port": str(port),
    }.items():
        parser.set("queue_job", name, value)
    lines = [
        "# Written by setup/demo.py for the demo; regenerated at each start.\n",
        "# The master key encrypts biometric captures: keep it with the data.\n",
        f"# admin_passwd guards the database manager; it is kept in "
        f"{state.admin_passwd.name}.\n",
    ]
    with tempfile.TemporaryFile("w+") as handle:
        parser.write(handle)
        handle.seek(0)
        lines.append(handle.read())
    return "".join(lines)


def write_if_changed(path, text):
    """Write a private file only when its content changes; True if written."""
    path = Path(path)
    if path.is_file() and path.read_text() == text:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return False
    write_private(path, text)
    return True


# -- several servers (--servers N) ---------------------------------------------


def plan_cluster(args, state):
    """The servers of ``--servers N`` with their ports and folders."""
    return cluster.plan_servers(
        state.cluster_dir,
        args.servers,
        args.port,
        args.odoo_ports,
        args.gevent_ports,
    )


def cluster_config_texts(demo_config, servers, state, args, own_data_dirs):
    """{server: configuration text}: the demo's configuration, and what
    each server has of its own (port, gevent port, data folder, log)."""
    base = dict(cluster.read_config(demo_config).items("options"))
    for name in ("http_port", "http_interface", "logfile", "data_dir"):
        base.pop(name, None)
    texts = {}
    for server in servers:
        sections = cluster.server_options(
            base,
            server,
            database=args.db,
            data_dir=server.own_data_dir if own_data_dirs else state.data_dir,
            logfile=state.log(server.name),
            workers=args.workers,
            cron_threads=1,
        )
        texts[server] = cluster.config_text(
            sections,
            header=(
                f"Written by setup/demo.py for {server.name} of the demo cluster; "
                "regenerated at each start.",
            ),
        )
    return texts


# -- pid file ---------------------------------------------------------------


def process_start_time(pid):
    """The process's start time (clock ticks since boot), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return parse_stat_start_time(text)


def parse_stat_start_time(text):
    # The command name (field 2) is in parentheses and may hold spaces.
    try:
        fields = text[text.rindex(")") + 2 :].split()
        return int(fields[19])
    except (ValueError, IndexError):
        return None


def parse_stat_state(text):
    """The process state letter of /proc/<pid>/stat (Z: a zombie)."""
    try:
        return text[text.rindex(")") + 2]
    except (ValueError, IndexError):
        return None


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # An ended child not yet reaped by its parent is gone for our purpose.
    return parse_stat_state(stat) not in ("Z", "X")


def is_same_process(entry):
    """True when ``{"pid", "start"}`` is a process still running (not a reuse)."""
    if not entry or not process_alive(entry["pid"]):
        return False
    if entry.get("start") is None:
        return True
    return process_start_time(entry["pid"]) == entry["start"]


def process_entry(pid):
    return {"pid": pid, "start": process_start_time(pid)}


def read_pid_file(path):
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "supervisor" in data else None


def write_pid_file(path, data):
    write_private(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def running_demo(path):
    """The pid file's data when its supervisor still runs, else None."""
    data = read_pid_file(path)
    if data and is_same_process(data["supervisor"]):
        return data
    return None


def terminate(entries, timeout=None, sleep=time.sleep):
    """SIGTERM the still-running processes, SIGKILL those that stay."""
    timeout = STOP_TIMEOUT if timeout is None else timeout
    alive = [e for e in entries if is_same_process(e)]
    for entry in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(entry["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while alive and time.monotonic() < deadline:
        sleep(0.2)
        alive = [e for e in alive if is_same_process(e)]
    for entry in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(entry["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 5
    while alive and time.monotonic() < deadline:
        sleep(0.1)
        alive = [e for e in alive if is_same_process(e)]
    return not alive


def stop_demo(state, out=print):
    """``--stop``: the supervisor stops its children; leftovers are ended."""
    data = read_pid_file(state.pid_file)
    if data is None:
        out(f"No demo is running (no pid file at {state.pid_file}).")
        return 0
    children = list((data.get("children") or {}).values())
    supervisor = data["supervisor"]
    if is_same_process(supervisor):
        out(f"Stopping the demo (pid {supervisor['pid']})...")
        terminate([supervisor], timeout=STOP_TIMEOUT + 15)
    leftovers = [entry for entry in children if is_same_process(entry)]
    if leftovers:
        terminate(leftovers)
    with contextlib.suppress(FileNotFoundError):
        state.pid_file.unlink()
    still = [
        entry["pid"] for entry in children + [supervisor] if is_same_process(entry)
    ]
    if still:
        out(f"Could not stop processes {still}.")
        return 1
    out(
        "The demo is stopped: Odoo, the emulators and the message sink are no "
        "longer running."
    )
    return 0


# ---------------------------------------------------------------------------
# eSignet client registration (eSignet's client-management API)


def client_registration_request(public_jwk, redirect_uris, logo_uri, now=None):
    """The demo client's registration, as the OpenG2P eSignet guide asks."""
    return tooling.client_registration_request(
        CLIENT_ID,
        public_jwk,
        redirect_uris,
        client_name="G2P self-service portal (demo)",
        relying_party_id="g2p-demo",
        user_claims=[*GUIDE_USER_CLAIMS, LINKING_CLAIM],
        acr_values=GUIDE_ACR_VALUES,
        logo_uri=logo_uri,
        now=now,
    )


def redirect_uris(port):
    return [f"http://{host}:{port}/auth_oauth/signin" for host in (HOST, "localhost")]


def client_public_jwk(private_key_pem):
    """The public JWK the addon derives from the key (same key id)."""
    from repo import register_bare_addon_packages

    register_bare_addon_packages()
    from g2p_auth_esignet.oidc import load_private_key, public_jwk

    return public_jwk(load_private_key(private_key_pem))


# ---------------------------------------------------------------------------
# the database


def database_state(options, db, addons=ADDONS):
    """None (no such database) or {addon: (state, demo)} of the addons."""
    import psycopg2

    with contextlib.closing(
        psycopg2.connect(**connection_params(options, "postgres"))
    ) as connection:
        with connection.cursor() as cr:
            cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
            if not cr.fetchone():
                return None
    with contextlib.closing(psycopg2.connect(**connection_params(options, db))) as cn:
        with cn.cursor() as cr:
            cr.execute("SELECT to_regclass('ir_module_module')")
            if cr.fetchone()[0] is None:
                raise DemoError(
                    f"database {db} exists but is not an Odoo database: choose "
                    "another name with --db"
                )
            cr.execute(
                "SELECT name, state, demo FROM ir_module_module WHERE name IN %s",
                (tuple(addons),),
            )
            return {name: (state, demo) for name, state, demo in cr.fetchall()}


def installation_plan(modules, addons=ADDONS):
    """What to do with the database: ("create" | "install" | "reuse", names)."""
    if modules is None:
        return "create", list(addons)
    installed = [n for n in addons if (modules.get(n) or ("", False))[0] == "installed"]
    without_demo = [n for n in installed if not modules[n][1]]
    if without_demo:
        raise DemoError(
            f"the database holds {', '.join(without_demo)} without demo data. "
            "Use another database (--db NAME), or drop this one first."
        )
    missing = [name for name in addons if name not in installed]
    if missing:
        return "install", missing
    return "reuse", []


def install_addons(state, db, names, update=False):
    log = state.log("install")
    action = "--update" if update else "--init"
    cmd = [
        sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        f"--config={state.config}",
        f"--database={db}",
        f"{action}={','.join(names)}",
        "--stop-after-init",
        "--no-http",
        f"--logfile={log}",
        "--log-level=info",
    ]
    with contextlib.suppress(FileNotFoundError):
        log.unlink()
    proc = subprocess.run(cmd, cwd=REPO_ROOT, check=False, capture_output=True)
    text = log.read_text(errors="replace") if log.is_file() else ""
    text += proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    problems = own_module_problems(text)
    failed_demo = [
        line for line in text.splitlines() if "demo data failed to install" in line
    ]
    if proc.returncode != 0 or " ERROR " in text or " CRITICAL " in text:
        problems.append(f"Odoo exited with {proc.returncode} or logged errors")
    if problems or failed_demo:
        raise DemoError(
            "installing the addons failed; see "
            f"{log}:\n  " + "\n  ".join(problems + failed_demo)
        )


# ---------------------------------------------------------------------------
# processes


def answers(url, expect=200):
    status, _body = http_get(url)
    return status == expect


class Supervisor:
    """Starts the children, records them in the pid file, stops them."""

    def __init__(self, state, info):
        self.state = state
        self.info = info
        self.children = {}
        self.entries = {}
        self.commands = {}
        self.started_at = {}
        self.stopping = False

    def record(self):
        write_pid_file(
            self.state.pid_file,
            dict(
                self.info,
                supervisor=process_entry(os.getpid()),
                children=self.entries,
            ),
        )

    def start(self, name, cmd, env=None, log=None):
        log = log or self.state.log(name)
        self.commands[name] = (cmd, env, log)
        self.started_at[name] = time.monotonic()
        with log.open("ab") as handle:
            proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=dict(os.environ, PYTHONUNBUFFERED="1", **(env or {})),
                # Own session: Ctrl-C reaches the supervisor, which stops the
                # children in order.
                start_new_session=True,
            )
        self.children[name] = proc
        self.entries[name] = process_entry(proc.pid)
        self.record()
        return proc

    def restart(self, name):
        """Start ``name`` again with the command it was started with."""
        cmd, env, log = self.commands[name]
        return self.start(name, cmd, env=env, log=log)

    def stop(self):
        if self.stopping:
            return
        self.stopping = True
        # The load balancer, then Odoo (it talks to the emulators), then the
        # emulators.
        servers = sorted(n for n in self.children if n.startswith("odoo"))
        order = [
            n
            for n in ("nginx", *servers, "sbi", "esignet", "messages")
            if n in self.children
        ]
        for name in order:
            proc = self.children[name]
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        data = read_pid_file(self.state.pid_file)
        if data and data["supervisor"]["pid"] == os.getpid():
            with contextlib.suppress(FileNotFoundError):
                self.state.pid_file.unlink()

    def exited(self):
        return [
            (n, p.returncode) for n, p in self.children.items() if p.poll() is not None
        ]


# ---------------------------------------------------------------------------
# what the demo prints


def load_identities(path=IDENTITIES_FILE):
    return json.loads(Path(path).read_text(encoding="utf-8"))


IDENTITY_NOTES = {
    # Demo data: his record holds his national ID (automatic linking).
    "9182736450": "existing registrant (applications, benefits)",
}


def _home(path):
    """``path`` with the home folder written ``~``."""
    path, home = str(path), str(Path.home())
    return "~" + path[len(home) :] if path.startswith(home + os.sep) else path


def info_text(info, identities, state):
    port, db = info["port"], info["db"]
    base = f"http://{HOST}:{port}"
    known = sorted(identities, key=lambda i: i["individual_id"] not in IDENTITY_NOTES)
    rows = []
    for identity in known:
        uin = identity["individual_id"]
        name = identity.get("claims", {}).get("name", "")
        note = IDENTITY_NOTES.get(uin, "new: registered at first sign-in")
        rows.append(f"    {uin}   {identity.get('otp', ''):<6}   {name:<20}  {note}")
    return "\n".join(
        [
            "",
            "The G2P self-service portal demo is running.",
            "",
            f"Registrants: {base}/selfservice",
            "  Sign in with 'National ID: one-time code (OTP)'. The eSignet "
            f"emulator ({info['esignet']})",
            "  knows these people:",
            "    national ID  OTP      name",
            *rows,
            "",
            f"Registration officer: {base}/assist",
            f"  login {OFFICER_LOGIN} / password {OFFICER_PASSWORD} (signs in at "
            f"{base}/web/login); fingerprints",
            f"  come from the SBI device emulator ({info['sbi']}), "
            "whose CA Odoo trusts",
            f"Administrator: {base}/web  "
            f"login {ADMIN_LOGIN} / password {ADMIN_PASSWORD}",
            "",
            *message_lines(info),
            "",
            *cluster_lines(info),
            f"Database {db}; configuration, keys and data in {_home(state.root)}",
            f"Logs: {_home(state.logs)}/ ({', '.join(log_names(info))})",
            "Stop: Ctrl-C here, or from another terminal: python3 setup/demo.py --stop",
            "",
        ]
    )


def message_lines(info):
    """Where a person reads what the demo sent."""
    if not info.get("messages"):
        return []
    sms = (
        "SMS through OpenG2P's Fast2SMS gateway client"
        if info.get("sms")
        else f"no SMS ({SMS_ADDON} is not on addons_path)"
    )
    return [
        f"Messages the portal sent (emails, {'SMS' if info.get('sms') else 'no SMS'}): "
        f"{info['messages']}/",
        f"  Odoo's outgoing mail server is the sink's SMTP port "
        f"{info.get('smtp_port')}; {sms}; the job runner sends notifications",
        "  as applications and benefits change; nothing leaves this machine.",
    ]


def log_names(info):
    servers = [s["name"] for s in info.get("servers") or ()] or ["odoo"]
    extra = ["nginx.log"] if info.get("servers") else []
    return [
        *(f"{name}.log" for name in servers),
        *extra,
        "esignet.log",
        "sbi.log",
        "messages.log",
    ]


def cluster_lines(info):
    """What ``--servers N`` adds to the printed information."""
    servers = info.get("servers")
    if not servers:
        return []
    nginx = info["nginx"]
    lines = [
        f"Cluster: nginx on {nginx['url']} (round robin, no sticky sessions) "
        f"in front of {len(servers)} Odoo servers",
    ]
    for server in servers:
        lines.append(
            f"  {server['name']}  {server['url']}  (websocket port "
            f"{server['gevent_port']}, data folder {_home(server['data_dir'])})"
        )
    shared = "mounted in each server's data folder"
    if not info.get("own_data_dirs"):
        shared = "one data folder for all servers"
    lines += [
        "  HTTP sessions in PostgreSQL (session_db); one job runner elected "
        "(queue_job); crons locked in PostgreSQL",
        f"  shared filestore {_home(info['filestore'])} ({shared})",
        f"  nginx's access log (upstream of each request): "
        f"{_home(nginx['access_log'])}",
        f"  A server that stops is started again after "
        f"{info['restart_delay']:g} s; stop one to see the others serve on.",
        "",
    ]
    return lines


# ---------------------------------------------------------------------------
# main


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 setup/demo.py",
        description="Run the G2P self-service portal demo: Odoo with demo data, "
        "the eSignet and SBI emulators.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="the portal's port: Odoo's, or nginx's with --servers N",
    )
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="Odoo servers: 2 or more run behind nginx on --port (a small "
        "cluster on one database)",
    )
    parser.add_argument(
        "--odoo-ports",
        type=_ports,
        help="with --servers N: the servers' HTTP ports, comma-separated "
        "(default: the N ports after --port)",
    )
    parser.add_argument(
        "--gevent-ports",
        type=_ports,
        help="with --servers N: the servers' websocket (gevent) ports "
        "(default: the N ports after the HTTP ports)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="with --servers N: workers per server"
    )
    parser.add_argument(
        "--restart-delay",
        type=float,
        default=5,
        help="with --servers N: seconds before a server that stopped is started again",
    )
    parser.add_argument(
        "--fail-timeout",
        type=int,
        default=cluster.DEFAULT_FAIL_TIMEOUT,
        help="with --servers N: seconds nginx leaves a server alone after it "
        "failed to answer",
    )
    parser.add_argument(
        "--no-formiojs",
        action="store_true",
        help="do not fetch formio.js from npm (the forms then show no fields in "
        "a browser; HTTP clients and tests do not need it)",
    )
    parser.add_argument(
        "--esignet-port", type=int, default=ESIGNET_PORT, help="eSignet emulator"
    )
    parser.add_argument(
        "--sbi-port", type=int, default=SBI_PORT, help="SBI device emulator"
    )
    parser.add_argument(
        "--mail-port",
        type=int,
        default=MAIL_PORT,
        help="the message sink's SMTP port (Odoo's outgoing mail server)",
    )
    parser.add_argument(
        "--messages-port",
        type=int,
        default=MESSAGES_PORT,
        help="the message sink's web page (and SMS gateway)",
    )
    parser.add_argument("--db", default=DEFAULT_DB, help="demo database name")
    parser.add_argument(
        "--stop", action="store_true", help="stop a demo started in another terminal"
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="drop the demo database first and make it again (keys are kept)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="update the five addons in the demo database (after pulling code)",
    )
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,62}", args.db):
        parser.error("--db: letters, digits, _ . - only")
    for name in ("port", "esignet_port", "sbi_port", "mail_port", "messages_port"):
        if not 1 <= getattr(args, name) <= 65535:
            parser.error(f"--{name.replace('_', '-')}: 1 to 65535")
    if args.servers < 1 or args.workers < 1:
        parser.error("--servers and --workers: 1 or more")
    if args.restart_delay < 0 or args.fail_timeout < 1:
        parser.error("--restart-delay: 0 or more; --fail-timeout: 1 or more")
    if args.servers > 1:
        try:
            plan_cluster(args, StateFolder("."))
        except ValueError as error:
            parser.error(str(error))
    elif args.odoo_ports or args.gevent_ports:
        parser.error("--odoo-ports and --gevent-ports go with --servers 2 or more")
    return args


def _ports(text):
    try:
        return cluster.parse_ports(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "comma-separated port numbers, e.g. 8070,8071"
        ) from None


def check_prerequisites(args, config_source, options):
    """Every check, in the order a newcomer fixes them."""
    probe = probe_odoo()
    checks = [check_odoo(probe)]
    if not checks[0].fatal:
        checks.append(check_setuptools(*setuptools_state()))
    checks.append(
        Check(
            "Odoo configuration",
            "ok" if config_source else "warn",
            str(config_source)
            if config_source
            else "no $ODOO_RC nor ~/.odoorc: using Odoo's defaults",
        )
    )
    user_path = split_addons_path(options.get("addons_path"))
    # Odoo's order: its own addons and the odoo.addons namespace (pip), then
    # addons_path.
    dirs = [*probe.addons_dirs, REPO_ROOT, *user_path]
    available = find_addons(dirs)
    checks.append(check_addons(missing_addons(available), user_path, config_source))
    checks.append(check_python_libraries())
    checks.append(check_postgres(options))
    ports = [
        (
            args.port,
            "nginx, the cluster's address" if args.servers > 1 else "Odoo",
            "--port",
        ),
        (args.esignet_port, "eSignet emulator", "--esignet-port"),
        (args.sbi_port, "SBI emulator", "--sbi-port"),
        (args.mail_port, "message sink (SMTP)", "--mail-port"),
        (args.messages_port, "message sink (web page)", "--messages-port"),
    ]
    if args.servers > 1:
        checks.append(check_nginx(cluster.find_nginx()))
        checks.append(check_session_db(addon_copies(dirs, "session_db")))
        checks.append(check_queue_job(addon_copies(dirs, "queue_job")))
        checks.append(check_mounts(cluster.mounts_supported()))
        for server in plan_cluster(args, StateFolder(state_dir())):
            ports.append((server.http_port, server.name, "--odoo-ports"))
            ports.append(
                (server.gevent_port, f"{server.name} websocket", "--gevent-ports")
            )
    for port, what, option in ports:
        checks.append(check_port(port, what, option=option))
    checks.append(check_npm(shutil.which("npm")))
    checks.append(check_chromium(chromium_path()))
    args.sms_addon = SMS_ADDON in available
    return checks, user_path


def configure_odoo(state, db, settings):
    """Provider, trusted CA, base URL… in the database (setup/demo_odoo.py)."""
    settings_file = state.root / "configure.json"
    write_private(settings_file, json.dumps(settings))
    log = state.log("configure")
    try:
        with log.open("w") as handle:
            proc = subprocess.run(
                [
                    sys.executable,
                    str(DEMO_ODOO_SCRIPT),
                    f"--config={state.config}",
                    f"--database={db}",
                    f"--settings={settings_file}",
                ],
                cwd=REPO_ROOT,
                stdout=subprocess.PIPE,
                stderr=handle,
                text=True,
                check=False,
            )
    finally:
        settings_file.unlink()
    if proc.returncode != 0:
        raise DemoError(f"configuring the database failed{tail(log)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def install_formiojs(state, db, user_path):
    log = state.log("formiojs")
    addons_path = ",".join([str(REPO_ROOT), *user_path])
    with log.open("w") as handle:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import odoo.cli; odoo.cli.main()",
                f"--addons-path={addons_path}",
                "formiojs-install",
                f"--config={state.config}",
                f"--database={db}",
                f"--version={FORMIOJS_VERSION}",
                f"--logfile={log}",
            ],
            cwd=REPO_ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return proc.returncode == 0


def run(args):
    state = StateFolder(state_dir())
    if args.stop:
        return stop_demo(state)
    state.prepare()
    identities = load_identities()
    already = running_demo(state.pid_file)
    if already and args.reset:
        print("The demo is running: stop it first (python3 setup/demo.py --stop).")
        return 1
    if already:
        print(f"The demo is already running (pid {already['supervisor']['pid']}).")
        print(info_text(already, identities, state))
        return 0
    stale = read_pid_file(state.pid_file)
    if stale:
        # A demo that did not stop cleanly: end what is left of it.
        terminate(list((stale.get("children") or {}).values()))
        state.pid_file.unlink()

    config_source = odoo_config_source()
    options = read_odoo_options(config_source)
    print("Checking prerequisites")
    checks, user_path = check_prerequisites(args, config_source, options)
    print("\n".join(check.line() for check in checks))
    if any(check.fatal for check in checks):
        print("\nThe demo cannot start: fix what is MISSING above, then run again.")
        return 2

    master_key = ensure_secret(state.master_key, new_master_key)
    admin_passwd = ensure_secret(state.admin_passwd, new_admin_passwd)
    client_pem = ensure_secret(state.client_key, new_rsa_private_key_pem)
    psut_secret = ensure_secret(state.psut_secret, lambda: secrets.token_urlsafe(32))
    config = demo_config_text(
        options,
        user_path,
        state,
        master_key,
        args.db,
        args.port,
        admin_passwd=admin_passwd,
    )
    write_if_changed(state.config, config)

    if args.reset and database_state(options, args.db) is not None:
        print(f"\nDropping database {args.db} (--reset)")
        drop_database(state.config, args.db)
        if database_state(options, args.db) is not None:
            raise DemoError(f"database {args.db} could not be dropped (is it in use?)")
    # OpenG2P's SMS gateway client, when its addon is there: the demo's SMS
    # go through it to the sink, as they would to a real gateway.
    addons = (*ADDONS, SMS_ADDON) if getattr(args, "sms_addon", False) else ADDONS
    plan, names = installation_plan(database_state(options, args.db, addons), addons)
    started = time.monotonic()
    if plan == "create":
        print(
            f"\nCreating database {args.db} with the five addons and their demo "
            f"data (a few minutes; log: {state.log('install')})"
        )
        install_addons(state, args.db, names)
    elif plan == "install":
        print(f"\nInstalling {', '.join(names)} in {args.db} (with demo data)")
        install_addons(state, args.db, names)
    else:
        print(f"\nReusing database {args.db}")
    if args.update:
        print(f"Updating the addons in {args.db}")
        install_addons(state, args.db, list(ADDONS), update=True)
    if plan != "reuse" or args.update:
        print(f"  done in {time.monotonic() - started:.0f}s")

    info = {
        "db": args.db,
        "port": args.port,
        "esignet": f"http://{HOST}:{args.esignet_port}",
        "sbi": f"http://{HOST}:{args.sbi_port}",
        "messages": f"http://{HOST}:{args.messages_port}",
        "smtp_port": args.mail_port,
        "sms": bool(getattr(args, "sms_addon", False)),
    }
    if args.servers > 1:
        info.update(cluster_info(args, state, cluster.mounts_supported()))
    launch = Launch(
        args=args,
        state=state,
        info=info,
        client_pem=client_pem,
        psut_secret=psut_secret,
        user_path=user_path,
        identities=identities,
    )
    supervisor = Supervisor(state, info)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, launch.request_stop)
    try:
        return launch.start_and_supervise(supervisor)
    finally:
        supervisor.stop()
        if supervisor.children:
            print("Stopped Odoo and the emulators.")


def cluster_info(args, state, own_data_dirs):
    """What the pid file and the printed information say of the cluster."""
    servers = plan_cluster(args, state)
    return {
        "servers": [
            {
                "name": server.name,
                "url": server.url,
                "http_port": server.http_port,
                "gevent_port": server.gevent_port,
                "config": str(server.config),
                "data_dir": str(
                    server.own_data_dir if own_data_dirs else state.data_dir
                ),
                "log": str(state.log(server.name)),
            }
            for server in servers
        ],
        "nginx": {
            "url": f"http://{HOST}:{args.port}",
            "access_log": str(state.nginx_dir / "access.log"),
            "error_log": str(state.nginx_dir / "error.log"),
            "fail_timeout": args.fail_timeout,
        },
        "filestore": str(state.filestore),
        "own_data_dirs": own_data_dirs,
        "restart_delay": args.restart_delay,
    }


@dataclass
class Launch:
    """Starting the three processes and watching them until asked to stop."""

    args: argparse.Namespace
    state: StateFolder
    info: dict
    client_pem: str
    psut_secret: str
    user_path: list
    identities: list
    stop_requested: list = field(default_factory=list)

    def request_stop(self, signum, _frame):
        self.stop_requested.append(signum)

    def start_and_supervise(self, supervisor):
        args, state, info = self.args, self.state, self.info
        print(f"Starting the message sink on {info['messages']}")
        sms_key = ensure_secret(state.sms_key, lambda: secrets.token_urlsafe(24))
        sink = supervisor.start(
            "messages",
            [
                sys.executable,
                str(EMULATORS / "messages"),
                f"--smtp-port={args.mail_port}",
                f"--http-port={args.messages_port}",
                f"--store={state.messages}",
            ],
            # The gateway key stays out of the command line (ps, logs).
            env={"MESSAGE_SINK_SMS_KEY": sms_key},
        )
        wait_until(
            lambda: answers(info["messages"] + "/_emulator/health"),
            "the message sink",
            30,
            sink,
            state.log("messages"),
            cancel=self.stop_requested,
        )
        print(f"Starting the eSignet emulator on {info['esignet']}")
        esignet = supervisor.start(
            "esignet",
            [
                sys.executable,
                str(EMULATORS / "esignet"),
                f"--port={args.esignet_port}",
                f"--signing-key={state.signing_key}",
                "--allow-client-registration",
            ],
            # The PSUT secret stays out of the command line (ps, logs).
            env={"ESIGNET_EMULATOR_PSUT_SECRET": self.psut_secret},
        )
        wait_until(
            lambda: answers(info["esignet"] + "/_emulator/health"),
            "the eSignet emulator",
            30,
            esignet,
            state.log("esignet"),
            cancel=self.stop_requested,
        )
        body = client_registration_request(
            client_public_jwk(self.client_pem),
            redirect_uris(args.port),
            f"http://{HOST}:{args.port}/web/binary/company_logo",
        )
        register_client(info["esignet"], body)

        print(f"Starting the SBI device emulator on {info['sbi']}")
        sbi = supervisor.start(
            "sbi",
            [
                sys.executable,
                str(EMULATORS / "sbi"),
                f"--port={args.sbi_port}",
                f"--keys-dir={state.sbi_keys}",
            ],
        )
        wait_until(
            lambda: answers(info["sbi"] + "/_emulator/ca.pem"),
            "the SBI emulator",
            30,
            sbi,
            state.log("sbi"),
            cancel=self.stop_requested,
        )
        _status, ca_pem = http_get(info["sbi"] + "/_emulator/ca.pem")

        print("Configuring the database (eSignet provider, trusted device CA)")
        result = configure_odoo(
            state,
            args.db,
            {
                "issuer": info["esignet"],
                "client_id": CLIENT_ID,
                "client_key_file": str(state.client_key),
                "acr_values": list(GUIDE_ACR_VALUES),
                "device_ca_pem": ca_pem.decode("ascii"),
                "base_url": f"http://{HOST}:{args.port}",
                "smtp_port": args.mail_port,
                "sms_endpoint": info["messages"] + "/sms" if info["sms"] else None,
                "sms_key_file": str(state.sms_key),
            },
        )
        if not result.get("formiojs_assets") and not args.no_formiojs:
            print(f"Installing formio.js {FORMIOJS_VERSION} from npm for the forms")
            if not install_formiojs(state, args.db, self.user_path):
                print(
                    "  warning: formio.js could not be installed (see "
                    f"{state.log('formiojs')}); forms will not show in a browser"
                )

        base = f"http://{HOST}:{args.port}"
        if args.servers > 1:
            front, front_name = self.start_cluster(supervisor)
        else:
            print(f"Starting Odoo on {base}")
            front = supervisor.start(
                "odoo",
                [
                    sys.executable,
                    "-c",
                    "import odoo.cli; odoo.cli.main()",
                    f"--config={state.config}",
                ],
            )
            front_name = "odoo"
            wait_until(
                lambda: answers(base + "/web/health"),
                "Odoo",
                180,
                front,
                state.log("odoo"),
                cancel=self.stop_requested,
            )
        # The first page builds the website's assets: done before anyone waits.
        wait_until(
            lambda: answers(base + "/selfservice/login"),
            "the portal's sign-in page",
            300,
            front,
            state.log(front_name),
            cancel=self.stop_requested,
        )
        print(info_text(info, self.identities, state))
        sys.stdout.flush()
        return self.supervise(supervisor)

    def start_cluster(self, supervisor):
        """Odoo servers one after the other (the first creates session_db's
        table), then nginx in front of them; returns nginx's process."""
        args, state, info = self.args, self.state, self.info
        servers = plan_cluster(args, state)
        own = info["own_data_dirs"]
        texts = cluster_config_texts(state.config, servers, state, args, own)
        for server, text in texts.items():
            server.folder.mkdir(parents=True, exist_ok=True)
            server.folder.chmod(0o700)
            write_if_changed(server.config, text)
        state.filestore.mkdir(parents=True, exist_ok=True)
        for server in servers:
            print(f"Starting {server.name} on {server.url}")
            proc = supervisor.start(
                server.name,
                cluster.serve_command(
                    server.config,
                    state.filestore if own else None,
                    name=server.name,
                ),
            )
            wait_until(
                lambda server=server: answers(server.url + "/web/health"),
                server.name,
                180,
                proc,
                state.log(server.name),
                cancel=self.stop_requested,
            )
        print(f"Starting nginx on {info['nginx']['url']} in front of them")
        try:
            cmd = cluster.write_nginx_config(
                cluster.find_nginx(),
                state.nginx_dir,
                args.port,
                servers,
                args.fail_timeout,
            )
        except RuntimeError as error:
            raise DemoError(str(error)) from None
        nginx = supervisor.start("nginx", cmd)
        wait_until(
            lambda: answers(info["nginx"]["url"] + "/web/health"),
            "nginx",
            30,
            nginx,
            state.nginx_dir / "error.log",
            cancel=self.stop_requested,
        )
        return nginx, "nginx"

    def supervise(self, supervisor):
        """Run until asked to stop. In a cluster, a server that stops is
        started again after ``--restart-delay`` (as a service manager
        would); the others serve meanwhile. Anything else that stops ends
        the demo."""
        state, delay = self.state, self.args.restart_delay
        due, quick = {}, {}
        while not self.stop_requested:
            time.sleep(0.2)
            now = time.monotonic()
            for name, code in supervisor.exited():
                if name in due:
                    continue
                if not name.startswith("odoo-"):
                    print(
                        f"{name} stopped unexpectedly (exit {code})"
                        f"{tail(state.log(name))}"
                    )
                    return 1
                lived = now - supervisor.started_at.get(name, now)
                quick[name] = quick.get(name, 0) + 1 if lived < 60 else 1
                if quick[name] > 3:
                    print(
                        f"{name} keeps stopping (exit {code}) right after it "
                        f"starts{tail(state.log(name))}"
                    )
                    return 1
                print(
                    f"{name} stopped (exit {code}); the other servers serve; "
                    f"starting it again in {delay:g} s",
                    flush=True,
                )
                due[name] = now + delay
            for name, when in list(due.items()):
                if now >= when:
                    del due[name]
                    supervisor.restart(name)
                    print(f"{name} started again", flush=True)
        print("\nStopping the demo...")
        return 0


def main(argv=None):
    args = parse_args(argv)
    try:
        return run(args)
    except DemoError as error:
        print(f"\nThe demo cannot continue: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
