"""The demo's command line and its run."""

import argparse
import contextlib
import re
import secrets
import shutil
import signal
import time

from repo import ADDONS
from tooling import ToolError as DemoError  # one kind of error
from tooling import (
    drop_database,
    odoo_config_source,
    read_odoo_options,
)

from . import cluster
from .launch import Launch
from .prerequisites import (
    Check,
    addon_copies,
    check_addons,
    check_chromium,
    check_mounts,
    check_nginx,
    check_npm,
    check_odoo,
    check_port,
    check_postgres,
    check_python_libraries,
    check_queue_job,
    check_session_db,
    check_setuptools,
    chromium_path,
    find_addons,
    missing_addons,
    probe_odoo,
    setuptools_state,
    split_addons_path,
)
from .services import (
    Supervisor,
    database_state,
    info_text,
    install_addons,
    installation_plan,
    load_identities,
)
from .settings import (
    DEFAULT_DB,
    DEFAULT_PORT,
    ESIGNET_PORT,
    HOST,
    MAIL_PORT,
    MESSAGES_PORT,
    REPO_ROOT,
    SBI_PORT,
    SMS_ADDON,
)
from .state_folder import (
    StateFolder,
    demo_config_text,
    ensure_secret,
    new_admin_passwd,
    new_master_key,
    new_rsa_private_key_pem,
    plan_cluster,
    read_pid_file,
    running_demo,
    state_dir,
    stop_demo,
    terminate,
    write_if_changed,
)


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
        # What the old database sent is not the new one's.
        with contextlib.suppress(FileNotFoundError):
            state.messages.unlink()
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


def main(argv=None):
    args = parse_args(argv)
    try:
        return run(args)
    except DemoError as error:
        print(f"\nThe demo cannot continue: {error}")
        return 1
