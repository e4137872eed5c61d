#!/usr/bin/env python3
"""Several Odoo servers behind nginx on one machine: the pieces.

Used by ``setup/demo.py --servers N`` (the demo as a small cluster), the
cluster suite (``tests/cluster``) and ``bench/bench_cluster_failover.py``.
Plain Python: it never imports Odoo.

The topology is the production one, on 127.0.0.1:

- N identical Odoo servers (prefork workers, one cron worker each) on one
  PostgreSQL database, each with its own port, gevent port and data folder;
  ``server_wide_modules`` brings OCA ``session_db`` (HTTP sessions in
  PostgreSQL, read by every server) and OCA ``queue_job`` (every server
  starts a job runner; one of them wins a PostgreSQL advisory lock and
  dispatches the jobs, the others wait to take over);
- the filestore (attachments, asset bundles, ``storage.file`` documents of
  a filesystem store) shared by all servers. In production it is a shared
  volume mounted at ``<data_dir>/filestore`` (or object storage); here one
  folder is bind-mounted there in each server's own mount namespace
  (``unshare --mount``), so that each server keeps its own data folder.
  Where mount namespaces are not allowed (some containers), the servers use
  one data folder instead, and say so;
- nginx in front: round robin, no sticky sessions, passive health checks
  (an upstream that fails once is left alone for ``fail_timeout``),
  ``/websocket`` to the servers' gevent ports, ``X-Forwarded-*`` headers for
  Odoo's ``proxy_mode``, and an access log that names the upstream of each
  request.

``python3 setup/portal_demo/cluster.py serve --config FILE [--filestore DIR] [-- ARGS]``
starts one Odoo server of the cluster: it sets ``SESSION_DB_URI`` from the
configuration's database settings, mounts the shared filestore, and becomes
Odoo (same process id: stopping it stops the server).
"""

import argparse
import configparser
import contextlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

HOST = "127.0.0.1"
CLUSTER_SCRIPT = Path(__file__).resolve()
# Loaded in every server before any database: sessions in PostgreSQL, the
# job runner.
SERVER_WIDE_MODULES = ("base", "web", "session_db", "queue_job")
# OCA queue_job elects one job runner per database from this release on.
QUEUE_JOB_ELECTION = (17, 0, 1, 3, 0)
SESSION_DB_ENV = "SESSION_DB_URI"
APPNAME_ENV = "ODOO_PGAPPNAME"
# nginx leaves an upstream that failed once alone this long (seconds).
DEFAULT_FAIL_TIMEOUT = 30


@dataclass(frozen=True)
class Server:
    """One Odoo server of the cluster and its own folder."""

    index: int  # 1..N
    http_port: int
    gevent_port: int
    folder: Path

    @property
    def name(self):
        return f"odoo-{self.index}"

    @property
    def config(self):
        return self.folder / "odoo.conf"

    @property
    def own_data_dir(self):
        return self.folder / "data"

    @property
    def url(self):
        return f"http://{HOST}:{self.http_port}"

    @property
    def upstream(self):
        """How nginx's access log names it."""
        return f"{HOST}:{self.http_port}"


def parse_ports(text):
    """``"8071,8072"`` → [8071, 8072]; ValueError on anything else."""
    ports = [int(part) for part in str(text).split(",") if part.strip()]
    if not ports or any(not 1 <= port <= 65535 for port in ports):
        raise ValueError(f"ports: {text!r}")
    return ports


def plan_servers(root, count, public_port, http_ports=None, gevent_ports=None):
    """The servers: by default HTTP on the ``count`` ports after the public
    one, gevent on the ``count`` ports after those (8069 → 8070, 8071 and
    8072, 8073). Raises ValueError on a wrong count or a port used twice."""
    if count < 1:
        raise ValueError("at least one server")
    http_ports = list(http_ports or range(public_port + 1, public_port + 1 + count))
    if gevent_ports is None:
        start = max(http_ports) + 1
        gevent_ports = range(start, start + count)
    gevent_ports = list(gevent_ports)
    if len(http_ports) != count or len(gevent_ports) != count:
        raise ValueError(f"{count} server(s) need {count} HTTP and gevent port(s)")
    every = [public_port, *http_ports, *gevent_ports]
    if len(set(every)) != len(every):
        raise ValueError(f"a port is used twice: {every}")
    root = Path(root)
    return [
        Server(i + 1, http, gevent, root / f"odoo-{i + 1}")
        for i, (http, gevent) in enumerate(zip(http_ports, gevent_ports, strict=True))
    ]


# -- Odoo's configuration ---------------------------------------------------------


def server_options(
    base,
    server,
    *,
    database,
    data_dir,
    logfile,
    workers=2,
    cron_threads=1,
    job_runner_port=None,
    job_channels="root:2",
):
    """The ``{section: {option: value}}`` of one server's configuration.

    ``base``: the options every server shares (database connection,
    ``addons_path``, keys). ``job_runner_port``: where the job runner asks
    for a job to be run (``/queue_job/runjob``), the load balancer's port in
    a cluster so that any live server runs it; default the server's own.
    """
    options = dict(base)
    options.update(
        {
            "http_interface": HOST,
            "http_port": str(server.http_port),
            "gevent_port": str(server.gevent_port),
            "data_dir": str(data_dir),
            "logfile": str(logfile),
            "db_name": database,
            "dbfilter": f"^{re.escape(database)}$",
            "list_db": "False",
            "proxy_mode": "True",
            "workers": str(workers),
            "max_cron_threads": str(cron_threads),
            "server_wide_modules": ",".join(SERVER_WIDE_MODULES),
        }
    )
    queue_job = {
        "channels": job_channels,
        "scheme": "http",
        "host": HOST,
        "port": str(job_runner_port or server.http_port),
    }
    return {"options": options, "queue_job": queue_job}


def config_text(sections, header=()):
    """An Odoo configuration file of ``{section: {option: value}}``."""
    parser = configparser.RawConfigParser()
    for section, values in sections.items():
        parser.add_section(section)
        for name, value in values.items():
            parser.set(section, name, value)
    with tempfile.TemporaryFile("w+") as handle:
        parser.write(handle)
        handle.seek(0)
        return "".join(f"# {line}\n" for line in header) + handle.read()


def read_config(path):
    parser = configparser.RawConfigParser()
    parser.read(path)
    return parser


def _option(parser, name):
    value = parser.get("options", name, fallback=None)
    return None if value in (None, "", "False", "false", "None") else value


def session_db_uri(parser):
    """``postgresql://user:password@host:port/db`` of an Odoo configuration:
    session_db keeps the sessions in the cluster's own database."""
    database = _option(parser, "db_name")
    if not database:
        raise ValueError("the configuration names no database (db_name)")
    user = _option(parser, "db_user") or ""
    password = _option(parser, "db_password")
    credentials = quote(user, safe="")
    if password:
        credentials += ":" + quote(password, safe="")
    host = _option(parser, "db_host") or ""
    if host.startswith("/"):
        # A Unix socket folder: libpq's "host" query parameter.
        where, query = "", f"?host={quote(host, safe='')}"
    else:
        where, query = host, ""
    port = _option(parser, "db_port")
    if port:
        where += f":{port}"
    at = f"{credentials}@" if credentials else ""
    return f"postgresql://{at}{where}/{quote(database, safe='')}{query}"


# -- one server: the launcher ----------------------------------------------------

MOUNT_SCRIPT = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'


def unshare_prefix():
    """The command that runs the rest in a mount namespace of its own."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    prefix = [unshare, "--mount"]
    if os.geteuid() != 0:
        prefix.append("--map-root-user")
    return prefix


def mounts_supported():
    """Whether this process may bind-mount a folder in a mount namespace."""
    prefix = unshare_prefix()
    if not prefix:
        return False
    with tempfile.TemporaryDirectory(prefix="g2p-mount-") as tmp:
        source, target = Path(tmp, "source"), Path(tmp, "target")
        source.mkdir()
        target.mkdir()
        (source / "probe").write_text("ok")
        cmd = [
            *prefix,
            "--",
            "/bin/sh",
            "-c",
            MOUNT_SCRIPT,
            "sh",
            str(source),
            str(target),
            "cat",
            str(target / "probe"),
        ]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return False
    return proc.returncode == 0 and proc.stdout == "ok"


def serve_command(config, filestore=None, odoo_args=(), python=None, name=None):
    """The command line of one server (``cluster.py serve``, this file)."""
    cmd = [python or sys.executable, str(CLUSTER_SCRIPT), "serve", f"--config={config}"]
    if name:
        cmd.append(f"--name={name}")
    if filestore:
        cmd.append(f"--filestore={filestore}")
    if odoo_args:
        cmd += ["--", *odoo_args]
    return cmd


def odoo_exec_command(config, filestore=None, odoo_args=(), python=None):
    """What ``serve`` becomes: Odoo, in a mount namespace with the shared
    filestore at ``<data_dir>/filestore`` when ``filestore`` is given."""
    odoo = [
        python or sys.executable,
        "-c",
        "import odoo.cli; odoo.cli.main()",
        f"--config={config}",
        *odoo_args,
    ]
    if not filestore:
        return odoo, None
    parser = read_config(config)
    data_dir = _option(parser, "data_dir")
    if not data_dir:
        raise ValueError(f"{config}: no data_dir to mount the filestore in")
    target = Path(data_dir) / "filestore"
    prefix = unshare_prefix()
    if not prefix:
        raise RuntimeError("unshare (util-linux) is needed to mount the filestore")
    cmd = [*prefix, "--", "/bin/sh", "-c", MOUNT_SCRIPT, "sh", str(filestore)]
    return [*cmd, str(target), *odoo], target


def serve(args):
    parser = read_config(args.config)
    env = dict(os.environ)
    env[SESSION_DB_ENV] = session_db_uri(parser)
    if args.name:
        # PostgreSQL's application_name of every connection: which server
        # holds the job runner's lock, whose queries these are.
        env[APPNAME_ENV] = f"{args.name}-{{pid}}"
    env.setdefault("PYTHONUNBUFFERED", "1")
    cmd, target = odoo_exec_command(args.config, args.filestore, args.odoo_args)
    if target is not None:
        Path(args.filestore).mkdir(parents=True, exist_ok=True)
        target.mkdir(parents=True, exist_ok=True)
    os.execvpe(cmd[0], cmd, env)


# -- nginx ---------------------------------------------------------------------------

# Tab-separated, one request per line: read by ``parse_access_line``.
ACCESS_FIELDS = (
    "msec",
    "request_time",
    "status",
    "method",
    "uri",
    "upstream_addr",
    "upstream_status",
    "upstream_response_time",
    "request_id",
)

NGINX_CONF = """\
# Written by setup/portal_demo/cluster.py: everything under {dir}, nothing system-wide.
{user}worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;

events {{
    worker_connections 4096;
}}

http {{
    log_format cluster '$msec\\t$request_time\\t$status\\t$request_method\\t'
                       '$request_uri\\t$upstream_addr\\t$upstream_status\\t'
                       '$upstream_response_time\\t$request_id';
    access_log {dir}/access.log cluster;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # The largest application: its answers and every document.
    client_max_body_size 64m;
    client_body_buffer_size 1m;

    # Round robin, no stickiness: any server answers any request. A server
    # that fails once (refused, reset, timed out) is left alone for
    # fail_timeout; the zone shares that state between nginx's workers.
    # No keepalive to the servers: a request written on a kept-alive
    # connection to a server that has just died counts as sent, and nginx
    # would answer 502 to a POST instead of sending it to another server.
    upstream odoo {{
        zone odoo 64k;
{http_servers}
    }}

    upstream odoo_websocket {{
        zone odoo_websocket 64k;
{gevent_servers}
    }}

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    server {{
        listen {host}:{port} backlog=4096;

        proxy_http_version 1.1;
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Request-Id $request_id;
        proxy_connect_timeout 5s;
        proxy_send_timeout 300s;
        proxy_read_timeout 300s;
        proxy_redirect off;
        # A request that could not be sent to a server (refused, reset
        # before an answer) goes to the next one; a POST already sent is
        # never sent twice (nginx's default for non-idempotent requests).
        proxy_next_upstream error timeout;
        proxy_next_upstream_tries {tries};

        location /websocket {{
            proxy_pass http://odoo_websocket;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 3600s;
        }}

        location / {{
            proxy_pass http://odoo;
        }}
    }}
}}
"""


def nginx_config_text(folder, port, servers, fail_timeout=DEFAULT_FAIL_TIMEOUT):
    """nginx in front of ``servers`` on 127.0.0.1:``port``; its pid, logs
    and temporary files in ``folder``."""
    user = ""
    if os.geteuid() == 0:
        # Workers as root too, so that they write their files in ``folder``.
        user = f"user {pwd.getpwuid(0).pw_name};\n"

    def lines(port_of):
        return "\n".join(
            f"        server {HOST}:{port_of(s)} max_fails=1 "
            f"fail_timeout={int(fail_timeout)}s;"
            for s in servers
        )

    return NGINX_CONF.format(
        dir=folder,
        user=user,
        host=HOST,
        port=port,
        http_servers=lines(lambda s: s.http_port),
        gevent_servers=lines(lambda s: s.gevent_port),
        tries=len(servers),
    )


def find_nginx():
    """The nginx binary (Debian keeps it in /usr/sbin), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def nginx_command(binary, folder):
    """nginx in the foreground with the configuration of ``folder``."""
    folder = Path(folder)
    return [
        binary,
        "-p",
        str(folder),
        "-c",
        str(folder / "nginx.conf"),
        "-e",
        str(folder / "error.log"),
        "-g",
        "daemon off;",
    ]


def write_nginx_config(binary, folder, port, servers, fail_timeout):
    """Write and check nginx's configuration; returns its start command.
    Raises RuntimeError with nginx's own words when it refuses it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nginx.conf").write_text(
        nginx_config_text(folder, port, servers, fail_timeout)
    )
    cmd = nginx_command(binary, folder)
    test = subprocess.run(
        [*cmd[:-2], "-t", "-q"], capture_output=True, text=True, check=False
    )
    if test.returncode != 0:
        raise RuntimeError(f"nginx refused {folder / 'nginx.conf'}: {test.stderr}")
    return cmd


@dataclass(frozen=True)
class Access:
    """One request of nginx's access log; ``attempts`` lists (upstream,
    status) in the order nginx tried them."""

    end: float
    duration: float
    status: int
    method: str
    uri: str
    attempts: tuple
    request_id: str

    @property
    def start(self):
        return self.end - self.duration


def parse_access_line(line):
    """An ``Access`` of one line of the cluster's access log, or None."""
    parts = line.rstrip("\n").split("\t")
    if len(parts) != len(ACCESS_FIELDS):
        return None
    row = dict(zip(ACCESS_FIELDS, parts, strict=True))
    try:
        upstreams = [u.strip() for u in row["upstream_addr"].split(",")]
        statuses = [s.strip() for s in row["upstream_status"].split(",")]
        attempts = tuple(
            (upstream, status)
            for upstream, status in zip(upstreams, statuses, strict=False)
            if upstream and upstream != "-"
        )
        return Access(
            end=float(row["msec"]),
            duration=float(row["request_time"]),
            status=int(row["status"]),
            method=row["method"],
            uri=row["uri"],
            attempts=attempts,
            request_id=row["request_id"],
        )
    except ValueError:
        return None


def read_access_log(path):
    """Every request of a cluster access log, in the order written."""
    with contextlib.suppress(FileNotFoundError):
        with open(path, encoding="utf-8", errors="replace") as handle:
            return [a for a in map(parse_access_line, handle) if a is not None]
    return []


def sent_to_dead_server(accesses, upstream, killed_at, back_at):
    """Requests nginx tried on ``upstream`` while it was down, after its
    first failed answer: (the first failure, the requests sent after it).

    ``killed_at``/``back_at``: when the server was killed and when it
    answered again (``time.time()`` seconds). A failed answer is an attempt
    whose upstream status is 502/504 or missing (refused, reset)."""
    failures = sorted(
        a.end
        for a in accesses
        if killed_at <= a.end <= back_at
        and any(u == upstream and s in ("502", "504", "-", "") for u, s in a.attempts)
    )
    if not failures:
        return None, []
    first = failures[0]
    later = [
        a
        for a in accesses
        # Sent (started) after the first failure, before the server was back.
        if first < a.start < back_at and any(u == upstream for u, _s in a.attempts)
    ]
    return first, later


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 setup/portal_demo/cluster.py",
        description=__doc__.split("\n\n")[0],
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("serve", help="start one Odoo server of the cluster")
    run.add_argument("--config", required=True, help="the server's Odoo config")
    run.add_argument(
        "--filestore", help="shared filestore folder, mounted at <data_dir>/filestore"
    )
    run.add_argument(
        "--name", help="the server's name in PostgreSQL (application_name NAME-pid)"
    )
    run.add_argument("odoo_args", nargs="*", help="more Odoo options, after --")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
