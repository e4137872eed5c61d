"""setup/demo.py (setup/portal_demo/) without Odoo: configuration,
prerequisites, state, pid file."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import tooling
from emulators.esignet import EsignetEmulator
from portal_demo import (
    command,
    prerequisites,
    services,
    settings,
    state_folder,
)
from repo import ADDONS, REPO_ROOT

# -- where things are -----------------------------------------------------------


def test_odoo_is_found_as_the_test_runner_finds_it(tmp_path, monkeypatch):
    assert command.odoo_config_source is tooling.odoo_config_source
    rc = tmp_path / "odoo.conf"
    rc.write_text("[options]\ndb_host = db.example\naddons_path = /a, /b\n")
    monkeypatch.setenv("ODOO_RC", str(rc))
    assert tooling.odoo_config_source() == rc
    options = tooling.read_odoo_options(rc)
    assert options["db_host"] == "db.example"
    assert prerequisites.split_addons_path(options["addons_path"]) == ["/a", "/b"]
    assert tooling.read_odoo_options(None) == {}


def test_state_folder_location():
    assert str(state_folder.state_dir({"G2P_DEMO_DIR": "/srv/demo"})) == "/srv/demo"
    assert str(state_folder.state_dir({"XDG_STATE_HOME": "/x"})) == "/x/g2p-demo"
    default = state_folder.state_dir({})
    assert default.parts[-3:] == (".local", "state", "g2p-demo")


# -- prerequisites: what is missing, said clearly --------------------------------


def test_odoo_missing_or_wrong_version():
    missing = prerequisites.check_odoo(
        prerequisites.OdooProbe(error="ModuleNotFoundError: odoo")
    )
    assert missing.fatal
    assert "import odoo" in missing.detail
    assert sys.executable in missing.detail
    old = prerequisites.check_odoo(
        prerequisites.OdooProbe(version=(16, 0), path="/opt/odoo16")
    )
    assert old.fatal and "Odoo 16.0" in old.detail and "17 needed" in old.detail
    good = prerequisites.check_odoo(
        prerequisites.OdooProbe(version=(17, 0), path="/opt/odoo")
    )
    assert not good.fatal and good.status == "ok"


def test_setuptools_messages():
    absent = prerequisites.check_setuptools(None, False)
    assert absent.fatal and "setuptools<70" in absent.detail
    without_pkg_resources = prerequisites.check_setuptools("81.0.0", False)
    assert (
        without_pkg_resources.fatal and "pkg_resources" in without_pkg_resources.detail
    )
    newer = prerequisites.check_setuptools("75.1.0", True)
    assert newer.status == "warn" and "before 70" in newer.detail
    assert prerequisites.check_setuptools("65.5.0", True).status == "ok"


def _addon(folder, name, depends, version="17.0.1.0.0"):
    (folder / name).mkdir(parents=True)
    (folder / name / "__manifest__.py").write_text(
        repr({"name": name, "depends": depends, "version": version})
    )


def test_missing_dependency_addons_name_their_source(tmp_path):
    _addon(tmp_path / "ours", "portal_addon", ["formio", "g2p_programs", "base"])
    _addon(tmp_path / "theirs", "g2p_programs", ["g2p_registry_individual"])
    _addon(tmp_path / "core", "base", [])
    available = prerequisites.find_addons(
        [tmp_path / "ours", tmp_path / "theirs", tmp_path / "core"]
    )
    missing = prerequisites.missing_addons(available, roots=["portal_addon"])
    assert sorted(missing) == ["formio", "g2p_registry_individual"]
    check = prerequisites.check_addons(missing, ["/opt/theirs"], "/root/.odoorc")
    assert check.fatal
    assert "formio -> Nova Code formio 17.0" in check.detail
    assert "g2p_registry_individual -> OpenG2P registry addons" in check.detail
    assert "/root/.odoorc" in check.detail
    assert prerequisites.addon_source("auth_oidc").startswith("OCA server-auth")
    assert "openg2p-program" in prerequisites.addon_source("g2p_program_documents")
    assert "odoo-addon-queue-job>=17.0.1.3.0" in prerequisites.addon_source("queue_job")
    assert "odoo-addon-session-db" in prerequisites.addon_source("session_db")
    assert "community" in prerequisites.addon_source("storage_file")
    assert not prerequisites.check_addons([], [], None).fatal


def test_the_real_addons_declare_what_they_need():
    # With this checkout alone, its addons are found and their dependencies
    # are the ones reported missing.
    available = prerequisites.find_addons([REPO_ROOT])
    missing = prerequisites.missing_addons(available)
    assert set(ADDONS).isdisjoint(missing)
    assert {"formio", "auth_oidc", "g2p_programs", "website"} <= set(missing)


def test_python_libraries_missing():
    check = prerequisites.check_python_libraries(find_spec=lambda name: name != "jwt")
    assert check.fatal and "pyjwt" in check.detail
    assert "requirements.txt" in check.detail
    assert not prerequisites.check_python_libraries(find_spec=lambda name: True).fatal


def test_postgres_not_answering():
    def refuse(**params):
        assert params["host"] == "127.0.0.1" and params["dbname"] == "postgres"
        raise OSError("could not connect to server: Connection refused\nmore")

    options = {"db_host": "127.0.0.1", "db_port": "5433", "db_user": "odoo"}
    check = prerequisites.check_postgres(options, connect=refuse)
    assert check.fatal
    assert "127.0.0.1:5433 as odoo" in check.detail
    assert "Connection refused" in check.detail and "more" not in check.detail

    class Connection:
        def close(self):
            pass

    assert not prerequisites.check_postgres(
        options, connect=lambda **p: Connection()
    ).fatal
    params = prerequisites.connection_params(
        {"db_password": "False", "db_port": "5432"}, "x"
    )
    assert "password" not in params and params["port"] == "5432"


def test_ports_and_optional_tools():
    busy = prerequisites.check_port(8069, "Odoo", is_free=lambda port: False)
    assert busy.fatal and "--port" in busy.detail
    assert not prerequisites.check_port(
        4501, "SBI emulator", is_free=lambda p: True
    ).fatal
    chromium = prerequisites.check_chromium(None)
    assert chromium.status == "warn" and "screenshots" in chromium.detail
    assert not chromium.fatal
    assert prerequisites.check_npm(None).status == "warn"
    assert "MISSING" in busy.line() and "warning" in chromium.line()


# -- state: keys and configuration made once -------------------------------------


def test_secrets_are_made_once_and_private(tmp_path):
    calls = []

    def make():
        calls.append(1)
        return state_folder.new_master_key()

    path = tmp_path / "keys" / "master"
    first = state_folder.ensure_secret(path, make)
    second = state_folder.ensure_secret(path, make)
    assert first == second and len(calls) == 1
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    path.chmod(0o644)
    state_folder.ensure_secret(path, make)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    import base64

    assert len(base64.b64decode(first)) == 32


def test_demo_configuration(tmp_path):
    state = state_folder.StateFolder(tmp_path / "state")
    state.prepare()
    user = {
        "db_host": "127.0.0.1",
        "db_user": "root",
        "addons_path": "/ignored",
        "logfile": "/var/log/odoo.log",
        "without_demo": "all",
        "data_dir": "/opt/data",
    }
    text = state_folder.demo_config_text(
        user, ["/opt/a", "/opt/b"], state, "S2V5", "demo", 8070, admin_passwd="Zm9v"
    )
    import configparser

    parser = configparser.RawConfigParser()
    parser.read_string(text)
    options = dict(parser.items("options"))
    assert options["addons_path"] == f"{REPO_ROOT},/opt/a,/opt/b"
    assert options["db_host"] == "127.0.0.1" and options["db_user"] == "root"
    assert options["g2p_biometric_master_key"] == "S2V5"
    assert options["http_port"] == "8070" and options["http_interface"] == "127.0.0.1"
    assert options["data_dir"] == str(state.data_dir)
    assert options["logfile"] == str(state.log("odoo"))
    assert options["db_name"] == "demo" and options["dbfilter"] == "^demo$"
    # The database manager: the demo's own password, no database listing.
    assert options["admin_passwd"] == "Zm9v" and options["list_db"] == "False"
    assert "Zm9v" not in "".join(line for line in text.splitlines() if "#" in line)
    assert "without_demo" not in options
    # The job runner runs in the demo's server and asks it to run the jobs
    # (the notifications): without it they would stay pending for good.
    assert options["server_wide_modules"].split(",") == ["base", "web", "queue_job"]
    assert dict(parser.items("queue_job")) == {
        "channels": "root:2",
        "scheme": "http",
        "host": "127.0.0.1",
        "port": "8070",
    }
    assert state_folder.write_if_changed(state.config, text) is True
    assert state_folder.write_if_changed(state.config, text) is False
    assert oct(state.config.stat().st_mode & 0o777) == "0o600"
    assert oct(state.root.stat().st_mode & 0o777) == "0o700"


def test_the_database_manager_password_is_made_once_and_kept(tmp_path):
    state = state_folder.StateFolder(tmp_path / "state")
    state.prepare()
    first = state_folder.ensure_secret(
        state.admin_passwd, state_folder.new_admin_passwd
    )
    again = state_folder.ensure_secret(
        state.admin_passwd, state_folder.new_admin_passwd
    )
    assert first == again and len(first) >= 32
    assert first != settings.ODOO_DEFAULT_ADMIN_PASSWD
    assert oct(state.admin_passwd.stat().st_mode & 0o777) == "0o600"
    other = state_folder.StateFolder(tmp_path / "other")
    other.prepare()
    assert (
        state_folder.ensure_secret(other.admin_passwd, state_folder.new_admin_passwd)
        != first
    )
    # Odoo's default is never written into the demo's configuration.
    for refused in ("", "admin"):
        with pytest.raises(tooling.ToolError):
            state_folder.demo_config_text(
                {}, [], state, "S2V5", "demo", 8069, admin_passwd=refused
            )


def test_the_demo_prints_no_database_manager_password(tmp_path):
    state = state_folder.StateFolder(tmp_path)
    state.prepare()
    secret = state_folder.ensure_secret(
        state.admin_passwd, state_folder.new_admin_passwd
    )
    info = {"db": "g2p_demo", "port": 8069, "esignet": "e", "sbi": "s"}
    assert secret not in services.info_text(info, services.load_identities(), state)


def test_installation_plan():
    assert services.installation_plan(None) == ("create", list(ADDONS))
    everything = dict.fromkeys(ADDONS, ("installed", True))
    assert services.installation_plan(everything) == ("reuse", [])
    partial = dict(everything, g2p_biometric_assist=("uninstalled", True))
    assert services.installation_plan(partial) == ("install", ["g2p_biometric_assist"])
    no_demo = dict.fromkeys(ADDONS, ("installed", False))
    with pytest.raises(tooling.ToolError, match="without demo data"):
        services.installation_plan(no_demo)


def test_arguments():
    args = command.parse_args([])
    assert (args.db, args.port, args.stop) == ("g2p_demo", 8069, False)
    with pytest.raises(SystemExit):
        command.parse_args(["--db", "bad name; drop"])
    with pytest.raises(SystemExit):
        command.parse_args(["--port", "0"])


# -- the pid file and stopping ----------------------------------------------------


def test_start_time_from_proc_stat():
    text = (
        "1234 (odd name) with) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99 20\n"
    )
    assert state_folder.parse_stat_start_time(text) == 99
    assert state_folder.parse_stat_start_time("garbage") is None
    assert state_folder.parse_stat_state(text) == "S"
    assert state_folder.parse_stat_state("1 (zombie) Z 1 2") == "Z"


def test_pid_file_round_trip(tmp_path):
    path = tmp_path / "demo.pid"
    assert state_folder.read_pid_file(path) is None
    path.write_text("not json")
    assert state_folder.read_pid_file(path) is None
    me = state_folder.process_entry(os.getpid())
    state_folder.write_pid_file(path, {"supervisor": me, "children": {}, "port": 1})
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert state_folder.running_demo(path)["port"] == 1
    # A pid reused by another process is not the demo's.
    if me["start"] is not None:
        reused = dict(me, start=me["start"] + 1)
        state_folder.write_pid_file(path, {"supervisor": reused, "children": {}})
        assert state_folder.running_demo(path) is None


def _sleeper(ignore_term=False):
    code = "import signal, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    code += "print('ready', flush=True)\ntime.sleep(120)\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_stop_ends_the_supervisor_and_leftover_children(tmp_path, monkeypatch):
    state = state_folder.StateFolder(tmp_path)
    messages = []
    assert state_folder.stop_demo(state, out=messages.append) == 0
    assert "No demo is running" in messages[0]

    supervisor, child, stubborn = _sleeper(), _sleeper(), _sleeper(ignore_term=True)
    try:
        state_folder.write_pid_file(
            state.pid_file,
            {
                "supervisor": state_folder.process_entry(supervisor.pid),
                "children": {
                    "odoo": state_folder.process_entry(child.pid),
                    "sbi": state_folder.process_entry(stubborn.pid),
                },
            },
        )
        started = time.monotonic()
        monkeypatch.setattr(state_folder, "STOP_TIMEOUT", 1)
        assert state_folder.stop_demo(state, out=messages.append) == 0, messages
        assert time.monotonic() - started < 25
        for proc in (supervisor, child, stubborn):
            assert proc.wait(timeout=5) is not None
        assert stubborn.returncode == -signal.SIGKILL
        assert not state.pid_file.exists()
        assert "no longer running" in messages[-1]
    finally:
        for proc in (supervisor, child, stubborn):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# -- the eSignet client registration ------------------------------------------------


def test_registration_request_follows_the_guide():
    body = services.client_registration_request(
        {"kty": "RSA"}, services.redirect_uris(8069), "http://127.0.0.1:8069/logo"
    )
    request = body["request"]
    assert request["clientAuthMethods"] == ["private_key_jwt"]
    assert request["grantTypes"] == ["authorization_code"]
    assert set(request["authContextRefs"]) == {
        "mosip:idp:acr:biometrics",
        "mosip:idp:acr:generated-code",
    }
    assert set(settings.GUIDE_USER_CLAIMS) < set(request["userClaims"])
    assert "individual_id" in request["userClaims"]
    assert "http://127.0.0.1:8069/auth_oauth/signin" in request["redirectUris"]
    assert body["requestTime"].endswith("Z")


def test_registration_answers():
    body = services.client_registration_request({"kty": "RSA"}, [], "http://x/logo")
    ok = {
        "response": {"clientId": settings.CLIENT_ID, "status": "ACTIVE"},
        "errors": [],
    }
    assert (
        tooling.register_client("http://e", body, post=lambda u, b: ok) == "registered"
    )
    other = {"response": {"clientId": "another", "status": "ACTIVE"}, "errors": []}
    with pytest.raises(tooling.ToolError):
        tooling.register_client("http://e", body, post=lambda u, b: other)
    duplicate = {"response": None, "errors": [{"errorCode": "duplicate_client_id"}]}
    assert tooling.register_client("http://e", body, post=lambda u, b: duplicate) == (
        "exists"
    )
    refused = {"response": None, "errors": [{"errorCode": "invalid_input"}]}
    with pytest.raises(tooling.ToolError, match="invalid_input"):
        tooling.register_client("http://e", body, post=lambda u, b: refused)


def test_registration_with_the_emulator():
    pem = state_folder.new_rsa_private_key_pem()
    body = services.client_registration_request(
        services.client_public_jwk(pem), services.redirect_uris(8069), "http://x/logo"
    )
    with EsignetEmulator(allow_client_registration=True) as emulator:
        assert tooling.register_client(emulator.issuer, body) == "registered"
        assert tooling.register_client(emulator.issuer, body) == "exists"
        client = emulator.clients[settings.CLIENT_ID]
        assert set(client.allowed_acr) == set(settings.GUIDE_ACR_VALUES)
        assert "individual_id" in client.claims


# -- what it prints ----------------------------------------------------------------


def test_information_printed(tmp_path):
    state = state_folder.StateFolder(tmp_path)
    identities = services.load_identities()
    info = {
        "db": "g2p_demo",
        "port": 8069,
        "esignet": "http://127.0.0.1:8088",
        "sbi": "http://127.0.0.1:4501",
    }
    text = services.info_text(info, identities, state)
    assert "http://127.0.0.1:8069/selfservice" in text
    for identity in identities:
        assert identity["individual_id"] in text
        assert identity["otp"] in text
    assert "login officer / password officer" in text
    assert "login admin / password admin" in text
    assert "python3 setup/demo.py --stop" in text
    assert "odoo.log" in text and str(tmp_path) in text
    # Nothing secret: the state folder is named, not the keys.
    assert "PRIVATE KEY" not in text and "master" not in text.lower()
    assert json.dumps(info)  # the pid file's info is JSON
    assert "Messages the portal sent" not in text  # no sink in this info


def test_where_the_messages_are_read(tmp_path):
    state = state_folder.StateFolder(tmp_path)
    info = {
        "db": "g2p_demo",
        "port": 8069,
        "esignet": "http://127.0.0.1:8088",
        "sbi": "http://127.0.0.1:4501",
        "messages": "http://127.0.0.1:8026",
        "smtp_port": 8025,
        "sms": True,
    }
    text = services.info_text(info, services.load_identities(), state)
    assert "emails, SMS): http://127.0.0.1:8026/" in text
    assert "SMTP port 8025" in text and "Fast2SMS" in text
    assert "messages.log" in text
    text = services.info_text(dict(info, sms=False), services.load_identities(), state)
    assert "no SMS (g2p_notifications_fast2sms is not on addons_path)" in text


def test_the_sink_ports_are_checked(monkeypatch):
    args = command.parse_args(["--mail-port", "2525", "--messages-port", "2526"])
    assert (args.mail_port, args.messages_port) == (2525, 2526)
    with pytest.raises(SystemExit):
        command.parse_args(["--mail-port", "0"])
