"""The eSignet client registration, the database, the supervisor, the messages."""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import tooling
from repo import ADDONS
from tooling import ToolError as DemoError  # one kind of error
from tooling import (
    http_get,
    own_module_problems,
)

from .prerequisites import connection_params
from .settings import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    CLIENT_ID,
    GUIDE_ACR_VALUES,
    GUIDE_USER_CLAIMS,
    HOST,
    IDENTITIES_FILE,
    LINKING_CLAIM,
    OFFICER_LOGIN,
    OFFICER_PASSWORD,
    REPO_ROOT,
    SMS_ADDON,
    STOP_TIMEOUT,
)
from .state_folder import (
    process_entry,
    read_pid_file,
    write_pid_file,
)

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
