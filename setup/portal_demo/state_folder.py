"""The demo's state folder: its Odoo configuration, keys, pid file; stopping."""

import base64
import configparser
import contextlib
import json
import os
import re
import secrets
import signal
import tempfile
import time
from pathlib import Path

from tooling import ToolError as DemoError  # one kind of error

from . import cluster
from .settings import (
    COPIED_OPTIONS,
    DEMO_SERVER_WIDE_MODULES,
    HOST,
    ODOO_DEFAULT_ADMIN_PASSWD,
    REPO_ROOT,
    STOP_TIMEOUT,
)


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
