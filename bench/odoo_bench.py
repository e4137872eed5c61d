"""What the benchmarks that drive a real Odoo server share.

A database created or reused with an addon installed (updated first, since
the code may be newer), scripts run in ``odoo-bin shell`` as superuser, the
server started with workers on 127.0.0.1 and stopped as one process group,
and Odoo's log read back: the per-request figures of werkzeug's request
lines (SQL queries, SQL time, remaining time) and the error records.

Imported by the ``bench/bench_*_odoo.py``-style scripts, which run with this
folder on ``sys.path``.
"""

import configparser
import json
import math
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

from tooling import (  # noqa: E402
    drop_database,
    free_port,
    odoo_command,
    read_odoo_options,
    wait_until,
    write_test_config,
)

__all__ = [
    "HTTP_TIMEOUT",
    "INSTALL_TIMEOUT",
    "LOCAL_ENV",
    "LOG_WAIT",
    "REPO_ROOT",
    "START_TIMEOUT",
    "OdooLog",
    "Perf",
    "addon_installed",
    "connect",
    "drop_database",
    "ensure_haproxy",
    "ensure_nginx",
    "free_port",
    "ms",
    "new_session",
    "percentile",
    "prepare_database",
    "run_in_workdir",
    "run_in_odoo",
    "run_shell",
    "start_haproxy",
    "start_nginx",
    "start_odoo",
    "start_process",
    "stop_process",
    "wait_until",
    "write_test_config",
]

HTTP_TIMEOUT = 60
START_TIMEOUT = 180
INSTALL_TIMEOUT = 30 * 60
SHELL_TIMEOUT = 300
LOG_WAIT = 15
# Loopback only, whatever the environment says about proxies.
LOCAL_ENV = {"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}


@dataclass
class Perf:
    """What Odoo's log line says about one request (odoo/netsvc.py PerfFilter)."""

    status: int
    queries: int
    sql_s: float
    other_s: float
    pid: int | None = None  # the worker that served it

    @property
    def server_s(self):
        return self.sql_s + self.other_s


# -- small helpers -------------------------------------------------------------


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(seconds):
    return f"{seconds * 1000:.1f}"


def new_session():
    session = requests.Session()
    session.trust_env = False  # no proxy, no netrc: loopback only
    return session


def start_process(cmd, log_path):
    with log_path.open("w") as log:
        return subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, stopped as one
            env={**os.environ, **LOCAL_ENV},
        )


def stop_process(process, name):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    print(f"stopped {name}")


def run_in_workdir(run, args, prefix):
    """``run(args, workdir)`` in a new /tmp folder kept for its logs; 130 on ^C."""
    handle_signals()
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    print(f"work files in {workdir}")
    try:
        return run(args, workdir)
    except KeyboardInterrupt:
        print("interrupted")
        return 130


def handle_signals():
    """Ctrl-C (even when started in the background) and SIGTERM end the run
    through the ``finally`` clauses that stop the servers."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


# -- database --------------------------------------------------------------------


def connect(config, database):
    parser = configparser.RawConfigParser()
    parser.read(config)

    def option(name, default=None):
        value = parser.get("options", name, fallback=default)
        return None if value in (None, "", "False") else value

    return psycopg2.connect(
        dbname=database,
        host=option("db_host"),
        port=option("db_port"),
        user=option("db_user"),
        password=option("db_password"),
    )


def _proc_stat(pid):
    """(ppid, CPU seconds of the process and its reaped children) of a live
    process, from /proc; None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    # After the command: state ppid ... utime(14) stime(15) cutime(16) cstime(17)
    ticks = sum(int(value) for value in fields[11:15])
    return int(fields[1]), ticks / os.sysconf("SC_CLK_TCK")


def process_tree_cpu(root_pid):
    """CPU seconds used so far by a process and all its descendants, those
    alive and those already reaped (their time is in their parent's
    ``cutime``/``cstime``). 0.0 when the process is gone."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _proc_stat(int(entry.name))
            if stat:
                parents[int(entry.name)], cpu[int(entry.name)] = stat
    tree, todo = set(), [root_pid]
    while todo:
        pid = todo.pop()
        if pid in cpu and pid not in tree:
            tree.add(pid)
            todo += [child for child, parent in parents.items() if parent == pid]
    return sum(cpu[pid] for pid in tree)


def backend_cpu(config, database):
    """{pid: CPU seconds} of the PostgreSQL backends connected to a database
    (this machine's server, read from /proc)."""
    conn = connect(config, database)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid()",
                (database,),
            )
            pids = [row[0] for row in cr.fetchall()]
    finally:
        conn.close()
    cpu = {}
    for pid in pids:
        stat = _proc_stat(pid)
        if stat:
            cpu[pid] = stat[1]
    return cpu


def data_dir(config):
    """The data folder (filestore, sessions) of an Odoo configuration: its
    ``data_dir``, else Odoo's own default for this user."""
    text = read_odoo_options(config).get("data_dir")
    if text:
        return Path(text).expanduser()
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, odoo; odoo.tools.config.parse_config(['-c', sys.argv[1]]);"
            " print(odoo.tools.config['data_dir'])",
            str(config),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip().splitlines()[-1])


def addon_installed(config, database, addon):
    try:
        conn = connect(config, database)
    except psycopg2.OperationalError:
        return False  # no such database
    try:
        with conn.cursor() as cr:
            cr.execute("SELECT state FROM ir_module_module WHERE name = %s", (addon,))
            row = cr.fetchone()
    except psycopg2.Error:
        return False
    finally:
        conn.close()
    return bool(row) and row[0] == "installed"


def prepare_database(
    config, database, fresh, update, workdir, addon, update_addon=None
):
    """Install ``addon``, or update ``update_addon`` (default: ``addon``) in a
    reused database (the code may be newer). Updating an addon updates the
    installed addons that depend on it too. In a reused database without
    ``addon`` but with ``update_addon``, both in one run: ``addon`` installed,
    ``update_addon`` updated."""
    update_addon = update_addon or addon
    if fresh:
        print(f"dropping database {database}")
        drop_database(config, database)
    if addon_installed(config, database, addon):
        if not update:
            print(f"reusing database {database} ({addon} installed)")
            return
        action, options = f"updating {update_addon}", [f"--update={update_addon}"]
    else:
        action, options = f"installing {addon}", [f"--init={addon}"]
        if (
            update
            and update_addon != addon
            and addon_installed(config, database, update_addon)
        ):
            action += f" and updating {update_addon}"
            options.append(f"--update={update_addon}")
    print(f"{action} in {database} ...", flush=True)
    log = workdir / "install.log"
    cmd = odoo_command(
        config,
        f"--database={database}",
        *options,
        "--without-demo=all",
        "--stop-after-init",
        "--http-port=0",
        f"--logfile={log}",
    )
    started = time.monotonic()
    proc = subprocess.run(cmd, check=False, timeout=INSTALL_TIMEOUT)
    if proc.returncode != 0 or not addon_installed(config, database, addon):
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{action} failed, log {log}:\n{tail}")
    print(f"done in {time.monotonic() - started:.0f}s")


def run_shell(config, database, script, params, marker, timeout=SHELL_TIMEOUT):
    """Run ``script`` in ``odoo-bin shell`` as superuser; its result is the JSON
    it prints after ``marker``. ``PARAMS`` holds ``params`` as JSON text.

    The shell rolls back at the end: the script commits what it keeps.
    """
    source = f"PARAMS = {json.dumps(json.dumps(params))}\n{script}"
    cmd = [
        sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        "shell",
        f"--config={config}",
        f"--database={database}",
        "--no-http",
        "--log-level=warn",
    ]
    proc = subprocess.run(
        cmd,
        input=source,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **LOCAL_ENV},
    )
    for line in proc.stdout.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line.split(" ", 1)[1])
    output = (proc.stdout[-1500:] + "\n" + proc.stderr[-3000:]).strip()
    raise RuntimeError(f"odoo shell script ({marker}) failed:\n{output}")


def run_in_odoo(config, database, path, function, params, timeout=SHELL_TIMEOUT):
    """``function(env, params)`` of the file ``path`` run in ``odoo-bin
    shell`` as superuser (``run_shell``); what it returns (JSON).

    The file is a module of its own (it imports ``odoo``, never the
    benchmark's modules); the function commits what it keeps."""
    marker = f"BENCH_{function.upper()}"
    call = f"print({marker!r}, json.dumps({function}(env, json.loads(PARAMS))))\n"
    script = Path(path).read_text(encoding="utf-8") + "\n\n" + call
    return run_shell(config, database, script, params, marker, timeout=timeout)


# -- the Odoo server -------------------------------------------------------------


def start_odoo(config, database, port, log, workers=2, extra_args=(), log_sql=False):
    """Odoo with ``workers`` on 127.0.0.1:``port``, no cron, request lines logged;
    returns (process, base URL) once /web/login answers."""
    sql_handler = ["--log-handler=odoo.sql_db:DEBUG"] if log_sql else []
    cmd = odoo_command(
        config,
        f"--database={database}",
        f"--db-filter=^{database}$",
        f"--workers={workers}",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--http-interface=127.0.0.1",
        "--max-cron-threads=0",
        f"--logfile={log}",
        "--log-handler=werkzeug:INFO",
        "--log-level=info",
        *sql_handler,
        *extra_args,
    )
    process = start_process(cmd, log.with_suffix(".stdout"))
    base = f"http://127.0.0.1:{port}"
    probe = new_session()
    wait_until(
        lambda: probe.get(base + "/web/login", timeout=10).status_code == 200,
        "Odoo",
        START_TIMEOUT,
        process,
        log,
    )
    return process, base


# -- nginx in front of Odoo --------------------------------------------------------

NGINX_CONF = """\
# The bench's own nginx: everything under {dir}, nothing system-wide.
{user}worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/nginx-error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    log_format bench '$remote_addr "$request" $status $body_bytes_sent '
                     'rt=$request_time urt=$upstream_response_time '
                     'uct=$upstream_connect_time us=$upstream_status';
    access_log {dir}/nginx-access.log bench;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 64m;
    client_body_buffer_size 1m;
{gzip}
    upstream odoo {{
        # One server: never marked down after an error (max_fails=0).
        server 127.0.0.1:{upstream} max_fails=0;
        keepalive 32;
    }}

    server {{
        listen 127.0.0.1:{port} backlog={backlog};
        location / {{
            proxy_pass http://odoo;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_connect_timeout 120s;
            proxy_send_timeout 120s;
            proxy_read_timeout 120s;
            proxy_redirect off;
        }}
    }}
}}
"""


def sbin_binary(name):
    candidates = (f"/usr/sbin/{name}", f"/usr/local/sbin/{name}")
    return shutil.which(name) or next(
        (p for p in candidates if os.path.exists(p)), None
    )


def ensure_package(name):
    """The ``name`` binary; installed with apt-get (Debian) when missing."""
    binary = sbin_binary(name)
    if binary:
        return binary
    print(f"installing {name} (apt-get) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", name]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    binary = sbin_binary(name)
    if not binary:
        raise RuntimeError(f"{name} installed but not found on PATH")
    return binary


def ensure_nginx():
    """The nginx binary; installed with apt-get (Debian) when missing."""
    return ensure_package("nginx")


# The compression the README's deployment notes give (``gzip=True``).
NGINX_GZIP = """\
    gzip on;
    gzip_comp_level 6;
    gzip_min_length 1024;
    gzip_proxied any;
    gzip_vary on;
    gzip_types text/css text/plain text/xml text/javascript application/javascript
               application/json application/xml image/svg+xml font/ttf font/otf
               application/vnd.ms-fontobject;
"""


def start_nginx(workdir, upstream_port, backlog=4096, gzip=False):
    """nginx in the foreground on 127.0.0.1:<free port>, proxying to Odoo on
    ``upstream_port``; its config, pid, logs and temp files in ``workdir/nginx``
    (``gzip``: compressing responses as the README's deployment notes say).
    Returns (process, base URL) once /web/login answers through it."""
    binary = ensure_nginx()
    folder = workdir / ("nginx-gzip" if gzip else "nginx")
    folder.mkdir(exist_ok=True)
    user = ""
    if os.geteuid() == 0:
        # Workers as root too, so they can write the temp files in workdir.
        user = f"user {pwd.getpwuid(0).pw_name};\n"
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            dir=folder,
            user=user,
            upstream=upstream_port,
            port=port,
            backlog=backlog,
            gzip=NGINX_GZIP if gzip else "",
        )
    )
    cmd = [
        binary,
        "-p",
        str(folder),
        "-c",
        str(conf),
        "-e",
        str(folder / "nginx-error.log"),
        "-g",
        "daemon off;",
    ]
    test = subprocess.run(
        [*cmd[:-2], "-t", "-q"], check=False, capture_output=True, text=True
    )
    if test.returncode != 0:
        raise RuntimeError(f"nginx config {conf} refused:\n{test.stderr}")
    process = start_process(cmd, folder / "nginx.stdout")
    base = f"http://127.0.0.1:{port}"
    probe = new_session()
    wait_until(
        lambda: probe.get(base + "/web/login", timeout=10).status_code == 200,
        "nginx",
        START_TIMEOUT,
        process,
        folder / "nginx-error.log",
    )
    return process, base


# -- HAProxy in front of Odoo ------------------------------------------------------

HAPROXY_CONF = """\
# The bench's own HAProxy, in the foreground (-db): no pidfile, no stats socket,
# nothing system-wide.
global
    maxconn 4096

defaults
    mode http
    timeout connect 5s
    timeout client 180s
    timeout server 180s
    timeout queue 180s
    option forwardfor
    option http-server-close

frontend bench
    bind 127.0.0.1:{port}
    maxconn 4096
    default_backend odoo

backend odoo
    # At most {maxconn} connections to Odoo at a time: HAProxy queues the rest,
    # so Odoo's listen queue (8 x workers) never overflows.
    server odoo 127.0.0.1:{upstream} maxconn {maxconn}
"""


def ensure_haproxy():
    """The haproxy binary; installed with apt-get (Debian) when missing."""
    return ensure_package("haproxy")


def start_haproxy(workdir, upstream_port, maxconn):
    """HAProxy in the foreground on 127.0.0.1:<free port>, proxying to Odoo on
    ``upstream_port`` with at most ``maxconn`` connections to it (the others
    wait in HAProxy's queue); its config and output in ``workdir/haproxy``.
    Returns (process, base URL) once /web/login answers through it."""
    binary = ensure_haproxy()
    folder = workdir / "haproxy"
    folder.mkdir(exist_ok=True)
    port = free_port()
    conf = folder / "haproxy.cfg"
    conf.write_text(
        HAPROXY_CONF.format(port=port, upstream=upstream_port, maxconn=maxconn)
    )
    test = subprocess.run(
        [binary, "-c", "-q", "-f", str(conf)],
        check=False,
        capture_output=True,
        text=True,
    )
    if test.returncode != 0:
        raise RuntimeError(f"haproxy config {conf} refused:\n{test.stderr}")
    output = folder / "haproxy.log"
    process = start_process([binary, "-f", str(conf), "-db"], output)
    base = f"http://127.0.0.1:{port}"
    probe = new_session()
    wait_until(
        lambda: probe.get(base + "/web/login", timeout=10).status_code == 200,
        "haproxy",
        START_TIMEOUT,
        process,
        output,
    )
    return process, base


class OdooLog:
    """Reads werkzeug's request lines of Odoo's log, by a key per request.

    ``key(method, target)`` names the requests of interest (``None`` for the
    others); ``perf(keys)`` waits for their lines.
    """

    LINE = re.compile(
        r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/[\d.]+" (?P<status>\d{3}) '
        r"\S+ (?P<queries>\d+) (?P<sql>[\d.]+) (?P<other>[\d.]+)\s*$"
    )
    RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ")
    PID = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (\d+) ")

    def __init__(self, path, key=None):
        self.path = path
        self.key = key or (lambda method, target: f"{method} {target}")
        self.offset = 0
        self.by_key = {}

    def _read(self):
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        # Keep an incomplete last line for the next read.
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8", "replace").splitlines():
            match = self.LINE.search(line)
            if not match:
                continue
            key = self.key(match["method"], match["target"])
            if key is None:
                continue
            pid = self.PID.match(line)
            self.by_key[key] = Perf(
                int(match["status"]),
                int(match["queries"]),
                float(match["sql"]),
                float(match["other"]),
                int(pid[1]) if pid else None,
            )

    def read_all(self):
        """{key: Perf} of every request of interest logged so far."""
        self._read()
        return dict(self.by_key)

    def perf(self, keys, timeout=LOG_WAIT, allow_missing=False):
        """The log figures of these requests; waits for their lines.

        With ``allow_missing``, a request without a line gives ``None``.
        """
        deadline = time.monotonic() + timeout
        while True:
            self._read()
            missing = [k for k in keys if k not in self.by_key]
            if not missing or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if missing and not allow_missing:
            raise RuntimeError(f"no log line for {len(missing)} request(s)")
        return [self.by_key.get(k) for k in keys]

    def records(self, wanted):
        """Whole log records (with their traceback lines) whose first line
        satisfies ``wanted``."""
        text = self.path.read_text(errors="replace") if self.path.exists() else ""
        records, current = [], None
        for line in text.splitlines():
            if self.RECORD_START.match(line):
                current = [line] if wanted(line) else None
                if current:
                    records.append(current)
            elif current is not None:
                current.append(line)  # a traceback's lines
        return ["\n".join(record[:40]) for record in records]

    def problems(self, addons=()):
        """Log records at ERROR or worse, and the ``addons``' warnings, whole."""

        def wanted(line):
            if " ERROR " in line or " CRITICAL " in line:
                return True
            return " WARNING " in line and any(addon in line for addon in addons)

        return self.records(wanted)
