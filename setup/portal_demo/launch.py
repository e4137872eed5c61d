"""Starting the demo's children in order: sink, emulators, Odoo (or a cluster)."""

import argparse
import json
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field

from tooling import ToolError as DemoError  # one kind of error
from tooling import (
    http_get,
    register_client,
    wait_until,
)
from tooling import log_tail as tail

from . import cluster
from .services import (
    answers,
    client_public_jwk,
    client_registration_request,
    info_text,
    redirect_uris,
)
from .settings import (
    CLIENT_ID,
    DEMO_ODOO_SCRIPT,
    EMULATORS,
    FORMIOJS_VERSION,
    GUIDE_ACR_VALUES,
    HOST,
    REPO_ROOT,
)
from .state_folder import (
    StateFolder,
    cluster_config_texts,
    ensure_secret,
    plan_cluster,
    write_if_changed,
    write_private,
)


def configure_odoo(state, db, settings):
    """Provider, trusted CA, base URL… in the database (``demo_odoo.py``)."""
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

    def start_emulator(self, supervisor, name, what, options, ready_path, env=None):
        """``python3 tests/emulators/<name> <options>``, started and waited
        for until ``ready_path`` answers (its address is ``info[name]``)."""
        url = self.info[name]
        print(f"Starting {what} on {url}")
        process = supervisor.start(
            name, [sys.executable, str(EMULATORS / name), *options], env=env
        )
        wait_until(
            lambda: answers(url + ready_path),
            what,
            30,
            process,
            self.state.log(name),
            cancel=self.stop_requested,
        )
        return process

    def start_and_supervise(self, supervisor):
        args, state, info = self.args, self.state, self.info
        sms_key = ensure_secret(state.sms_key, lambda: secrets.token_urlsafe(24))
        self.start_emulator(
            supervisor,
            "messages",
            "the message sink",
            [
                f"--smtp-port={args.mail_port}",
                f"--http-port={args.messages_port}",
                f"--store={state.messages}",
            ],
            "/_emulator/health",
            # The gateway key stays out of the command line (ps, logs).
            env={"MESSAGE_SINK_SMS_KEY": sms_key},
        )
        self.start_emulator(
            supervisor,
            "esignet",
            "the eSignet emulator",
            [
                f"--port={args.esignet_port}",
                f"--signing-key={state.signing_key}",
                "--allow-client-registration",
            ],
            "/_emulator/health",
            # The PSUT secret stays out of the command line (ps, logs).
            env={"ESIGNET_EMULATOR_PSUT_SECRET": self.psut_secret},
        )
        body = client_registration_request(
            client_public_jwk(self.client_pem),
            redirect_uris(args.port),
            f"http://{HOST}:{args.port}/web/binary/company_logo",
        )
        register_client(info["esignet"], body)

        self.start_emulator(
            supervisor,
            "sbi",
            "the SBI device emulator",
            [f"--port={args.sbi_port}", f"--keys-dir={state.sbi_keys}"],
            "/_emulator/ca.pem",
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
