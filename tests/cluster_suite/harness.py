"""The cluster under test: ``setup/demo.py --servers 2`` and ways to drive it.

The demo command is started as it is documented, in a state folder and on a
database of its own; what it writes in its pid file (servers, ports, logs)
tells the tests where everything is. A test plays a person's browser and
chooses, for each request, the server it reaches: straight to that server
with the ``X-Forwarded-*`` headers nginx would add (Odoo runs with
``proxy_mode``), so that addresses, cookies and redirects are those of the
load balancer. Checks read PostgreSQL directly.
"""

import contextlib
import html
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2
import requests
import tooling
from repo import REPO_ROOT

# The demo's package (setup/portal_demo/), importable with setup/ on sys.path.
SETUP_DIR = REPO_ROOT / "setup"
if str(SETUP_DIR) not in sys.path:
    sys.path.append(str(SETUP_DIR))
from portal_demo import cluster as cluster_setup  # noqa: E402
from portal_demo import prerequisites, state_folder  # noqa: E402

START_TIMEOUT = 40 * 60  # a new database with demo data, on a busy machine
HTTP_TIMEOUT = 120
SERVERS = ("odoo-1", "odoo-2")
HIDDEN_INPUT = re.compile(
    r'<input type="hidden" name="(\w+)"(?: class="[^"]*")? value="([^"]*)"'
)
ADMIN = ("admin", "admin")


def free_ports(count, first=None):
    """``count`` ports: consecutive from ``first``, else any free ones."""
    if first:
        return list(range(first, first + count))
    sockets, ports = [], []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
            ports.append(sock.getsockname()[1])
    finally:
        for sock in sockets:
            sock.close()
    return ports


def wait_for(check, timeout, what, interval=0.5):
    """``check()``'s first true value; AssertionError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = check()
        except (OSError, requests.RequestException, psycopg2.Error) as error:
            last, value = error, None
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout}s (last error: {last!r})")


class Cluster:
    """The demo cluster started for the suite, and what the tests need of it."""

    def __init__(self, state_dir, database, ports, keep=False):
        self.state_dir = Path(state_dir)
        self.database = database
        (
            self.port,
            odoo_1,
            odoo_2,
            gevent_1,
            gevent_2,
            self.esignet_port,
            self.sbi_port,
            self.mail_port,
            self.messages_port,
        ) = ports
        self.odoo_ports = (odoo_1, odoo_2)
        self.gevent_ports = (gevent_1, gevent_2)
        self.keep = keep
        self.process = None
        self.output = []
        self.info = {}
        self.options = tooling.read_odoo_options(tooling.odoo_config_source())

    # -- starting and stopping -------------------------------------------------

    def command(self):
        return [
            sys.executable,
            str(SETUP_DIR / "demo.py"),
            "--servers=2",
            f"--db={self.database}",
            f"--port={self.port}",
            f"--odoo-ports={','.join(map(str, self.odoo_ports))}",
            f"--gevent-ports={','.join(map(str, self.gevent_ports))}",
            f"--esignet-port={self.esignet_port}",
            f"--sbi-port={self.sbi_port}",
            f"--mail-port={self.mail_port}",
            f"--messages-port={self.messages_port}",
            # A killed server stays down long enough to see the other take
            # its job runner's place.
            "--restart-delay=20",
            "--no-formiojs",
        ]

    def start(self):
        env = dict(os.environ, G2P_DEMO_DIR=str(self.state_dir), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            self.command(),
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            start_new_session=True,
        )
        running = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line.rstrip("\n"))
                print(f"[demo] {line}", end="", flush=True)
                if "demo is running" in line:
                    running.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not running.wait(1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(self.output[-40:])
                raise RuntimeError(f"the demo cluster did not start:\n{tail}")
        self.info = self.pid_file()
        return self

    def pid_file(self):
        return state_folder.read_pid_file(self.state_dir / "demo.pid") or {}

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        # Whatever the supervisor could not stop (it never should).
        leftovers = (self.pid_file().get("children") or {}).values()
        state_folder.terminate(list(leftovers), timeout=10)
        if not self.keep:
            state = state_folder.StateFolder(self.state_dir)
            with contextlib.suppress(tooling.ToolError):
                tooling.drop_database(state.config, self.database)

    # -- where things are --------------------------------------------------------

    @property
    def public_url(self):
        return f"http://127.0.0.1:{self.port}"

    def server(self, name):
        return next(s for s in self.info["servers"] if s["name"] == name)

    def url(self, where):
        return self.public_url if where == "nginx" else self.server(where)["url"]

    def pid(self, name):
        entry = (self.pid_file().get("children") or {}).get(name)
        return entry and entry["pid"]

    def log_text(self, name):
        return Path(self.server(name)["log"]).read_text(errors="replace")

    def messages(self, **params):
        """What the demo's message sink received (``to=``, ``kind=``)."""
        answer = requests.get(
            self.info["messages"] + "/_emulator/messages",
            params=params,
            timeout=HTTP_TIMEOUT,
        )
        answer.raise_for_status()
        return answer.json()

    def access_log(self):
        return cluster_setup.read_access_log(self.info["nginx"]["access_log"])

    # -- PostgreSQL ----------------------------------------------------------------

    def connect(self):
        connection = psycopg2.connect(
            **prerequisites.connection_params(self.options, self.database)
        )
        connection.autocommit = True
        return connection

    def sql(self, query, params=()):
        with contextlib.closing(self.connect()) as connection:
            with connection.cursor() as cr:
                cr.execute(query, params)
                return cr.fetchall() if cr.description else []

    def xmlid(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.sql(
            "SELECT res_id FROM ir_model_data WHERE module = %s AND name = %s",
            (module, name),
        )
        assert rows, f"no record {xmlid}"
        return rows[0][0]

    def job_runner_holder(self):
        """The server whose job runner holds queue_job's lock, or None."""
        key = 2293787760715711918  # queue_job.jobrunner.runner.PG_ADVISORY_LOCK_ID
        rows = self.sql(
            "SELECT a.application_name FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s "
            "AND l.classid = %s AND l.objid = %s",
            (self.database, key >> 32, key & 0xFFFFFFFF),
        )
        if not rows:
            return None
        name = rows[0][0] or ""
        return next((s for s in SERVERS if name.startswith(s + "-")), name)

    # -- servers going away and coming back ------------------------------------------

    def kill(self, name):
        """SIGKILL the server's process group (master, workers, job runner)
        and wait until its port refuses connections."""
        pid = self.pid(name)
        os.killpg(pid, signal.SIGKILL)
        port = self.server(name)["http_port"]

        def refused():
            with socket.socket() as sock:
                sock.settimeout(1)
                return sock.connect_ex(("127.0.0.1", port)) != 0

        wait_for(refused, 30, f"{name} gone", interval=0.05)
        return pid

    def healthy(self, where):
        try:
            answer = requests.get(self.url(where) + "/web/health", timeout=5)
        except requests.RequestException:
            return False
        return answer.status_code == 200

    def wait_restarted(self, name, old_pid, timeout=240):
        wait_for(
            lambda: self.pid(name) not in (None, old_pid) and self.healthy(name),
            timeout,
            f"{name} started again by the demo",
        )


class Browser:
    """One person's browser. Each request goes to the server named, as if
    nginx had chosen it, or to nginx itself (``"nginx"``)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only: no proxy

    def headers(self, where):
        if where == "nginx":
            return {}
        host = f"127.0.0.1:{self.cluster.port}"
        return {
            "X-Forwarded-Host": host,
            "X-Forwarded-Proto": "http",
            "X-Forwarded-For": "127.0.0.1",
        }

    def request(self, method, where, path, **kwargs):
        headers = dict(self.headers(where), **kwargs.pop("headers", {}))
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return self.session.request(
            method, self.cluster.url(where) + path, headers=headers, **kwargs
        )

    def get(self, where, path, **kwargs):
        return self.request("GET", where, path, **kwargs)

    def post(self, where, path, **kwargs):
        return self.request("POST", where, path, **kwargs)

    def jsonrpc(self, where, path, params=None):
        answer = self.post(
            where,
            path,
            data=json.dumps(
                {"jsonrpc": "2.0", "method": "call", "params": params or {}}
            ),
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code == 200, (answer.status_code, answer.text[:500])
        body = answer.json()
        if "error" in body:
            raise AssertionError(body["error"].get("data", {}).get("message", body))
        return body.get("result")  # absent when the method returns None

    @property
    def sid(self):
        return self.session.cookies.get("session_id")

    def form_inputs(self, where, path):
        """The hidden inputs of a page's forms (CSRF token, form token …)."""
        page = self.get(where, path)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        found = HIDDEN_INPUT.findall(page.text)
        return {name: html.unescape(value) for name, value in found}

    def uid(self, where):
        """The signed-in user's id, or None (Odoo: "Session expired")."""
        try:
            return self.jsonrpc(where, "/web/session/get_session_info").get("uid")
        except AssertionError as error:
            if "Session expired" in str(error):
                return None
            raise

    def sign_in(self, where, login, password):
        result = self.jsonrpc(
            where,
            "/web/session/authenticate",
            {"db": self.cluster.database, "login": login, "password": password},
        )
        assert result.get("uid"), result
        return result["uid"]

    def call(self, where, model, method, *args, **kwargs):
        return self.jsonrpc(
            where,
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )
