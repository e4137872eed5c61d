"""setup/portal_demo/cluster.py and ``setup/demo.py --servers N`` without Odoo."""

import configparser
import shutil
import subprocess
import sys

import pytest
from portal_demo import cluster, command, prerequisites, state_folder

from .test_demo_command import _addon


def _servers(tmp_path, count=2):
    return cluster.plan_servers(tmp_path, count, 8069)


# -- ports and folders ---------------------------------------------------------------


def test_ports_follow_the_public_one_unless_given(tmp_path):
    servers = _servers(tmp_path)
    assert [(s.name, s.http_port, s.gevent_port) for s in servers] == [
        ("odoo-1", 8070, 8072),
        ("odoo-2", 8071, 8073),
    ]
    assert servers[0].config == tmp_path / "odoo-1" / "odoo.conf"
    assert servers[1].own_data_dir == tmp_path / "odoo-2" / "data"
    chosen = cluster.plan_servers(tmp_path, 2, 8270, [8271, 8272], [8371, 8372])
    assert [s.gevent_port for s in chosen] == [8371, 8372]
    with pytest.raises(ValueError, match="used twice"):
        cluster.plan_servers(tmp_path, 2, 8270, [8271, 8270])
    with pytest.raises(ValueError, match="2 server"):
        cluster.plan_servers(tmp_path, 2, 8270, [8271])
    assert cluster.parse_ports("8071, 8072") == [8071, 8072]
    with pytest.raises(ValueError):
        cluster.parse_ports("8071,70000")


def test_demo_arguments_for_a_cluster():
    args = command.parse_args(["--servers", "2", "--port", "8270"])
    assert (args.servers, args.port, args.workers) == (2, 8270, 2)
    assert command.parse_args([]).servers == 1
    for wrong in (
        ["--servers", "0"],
        ["--odoo-ports", "8071,8072"],  # without --servers
        ["--servers", "2", "--odoo-ports", "8071"],
        ["--servers", "2", "--odoo-ports", "8069,8070"],  # the public port
        ["--esignet-port", "0"],
        ["--servers", "2", "--restart-delay", "-1"],
    ):
        with pytest.raises(SystemExit):
            command.parse_args(wrong)


# -- each server's configuration ---------------------------------------------------


def test_each_server_has_its_own_port_and_data_folder(tmp_path):
    state = state_folder.StateFolder(tmp_path / "state")
    state.prepare()
    text = state_folder.demo_config_text(
        {"db_host": "127.0.0.1", "db_user": "root"},
        ["/opt/a"],
        state,
        "S2V5",
        "d",
        1,
        admin_passwd="Zm9v",
    )
    state_folder.write_if_changed(state.config, text)
    args = command.parse_args(["--servers", "2", "--db", "d", "--port", "8270"])
    servers = state_folder.plan_cluster(args, state)
    texts = state_folder.cluster_config_texts(state.config, servers, state, args, True)
    parsed = {}
    for server, config_text in texts.items():
        parser = configparser.RawConfigParser()
        parser.read_string(config_text)
        parsed[server.name] = parser
    one, two = parsed["odoo-1"], parsed["odoo-2"]
    for parser, server in zip((one, two), servers, strict=True):
        options = dict(parser.items("options"))
        assert options["http_port"] == str(server.http_port)
        assert options["gevent_port"] == str(server.gevent_port)
        assert options["data_dir"] == str(server.own_data_dir)
        assert options["logfile"] == str(state.log(server.name))
        # The demo's database-manager settings reach every server.
        assert options["admin_passwd"] == "Zm9v" and options["list_db"] == "False"
        assert options["server_wide_modules"] == "base,web,session_db,queue_job"
        assert options["proxy_mode"] == "True"
        assert options["max_cron_threads"] == "1"
        assert options["db_name"] == "d" and options["dbfilter"] == "^d$"
        # What all servers must share: the database and the master key.
        assert options["g2p_biometric_master_key"] == "S2V5"
        assert options["db_host"] == "127.0.0.1"
        # The job runner asks its own server to run a job.
        assert parser.get("queue_job", "port") == str(server.http_port)
    shared = state_folder.cluster_config_texts(
        state.config, servers, state, args, False
    )
    assert all(f"data_dir = {state.data_dir}\n" in t for t in shared.values())


def test_sessions_go_to_the_configured_database():
    parser = configparser.RawConfigParser()
    parser.read_string(
        "[options]\ndb_host = db.example\ndb_port = 6432\ndb_user = odoo\n"
        "db_password = p@ss:word\ndb_name = g2p\n"
    )
    assert cluster.session_db_uri(parser) == (
        "postgresql://odoo:p%40ss%3Aword@db.example:6432/g2p"
    )
    parser.read_string("[options]\ndb_host = /run/postgresql\ndb_password = False\n")
    assert cluster.session_db_uri(parser).endswith("?host=%2Frun%2Fpostgresql")
    with pytest.raises(ValueError):
        cluster.session_db_uri(configparser.RawConfigParser())


def test_the_launcher_mounts_the_shared_filestore(tmp_path):
    config = tmp_path / "odoo.conf"
    config.write_text(f"[options]\ndata_dir = {tmp_path / 'own'}\ndb_name = d\n")
    cmd = cluster.serve_command(config, tmp_path / "shared", ["-u", "x"], name="odoo-1")
    assert cmd[2:] == [
        "serve",
        f"--config={config}",
        "--name=odoo-1",
        f"--filestore={tmp_path / 'shared'}",
        "--",
        "-u",
        "x",
    ]
    plain, target = cluster.odoo_exec_command(config)
    assert target is None and plain[-1] == f"--config={config}"
    if cluster.unshare_prefix():
        mounted, target = cluster.odoo_exec_command(config, tmp_path / "shared")
        assert target == tmp_path / "own" / "filestore"
        assert mounted[0].endswith("unshare") and "--mount" in mounted
        assert mounted[-len(plain) :] == plain


# -- nginx --------------------------------------------------------------------------


def test_nginx_configuration(tmp_path):
    text = cluster.nginx_config_text(tmp_path, 8270, _servers(tmp_path), 45)
    assert "listen 127.0.0.1:8270" in text
    for port in (8070, 8071):
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=45s;" in text
    for port in (8072, 8073):
        assert f"server 127.0.0.1:{port} max_fails=1" in text  # websocket
    assert "zone odoo 64k;" in text and "keepalive" not in text.split("#")[0]
    assert "ip_hash" not in text and "sticky" not in text
    assert "proxy_set_header X-Forwarded-Host $http_host;" in text
    assert "proxy_next_upstream error timeout;" in text


@pytest.mark.skipif(not cluster.find_nginx(), reason="nginx not installed")
def test_nginx_accepts_the_configuration(tmp_path):
    cmd = cluster.write_nginx_config(
        cluster.find_nginx(), tmp_path / "nginx", 8270, _servers(tmp_path), 30
    )
    assert cmd[-2:] == ["-g", "daemon off;"]


def test_the_access_log_tells_where_each_request_went():
    line = (
        "1700000010.500\t0.250\t303\tPOST\t/my/programs/1/apply\t"
        "127.0.0.1:8070, 127.0.0.1:8071\t502, 303\t0.000, 0.250\tabc\n"
    )
    access = cluster.parse_access_line(line)
    assert access.status == 303 and access.method == "POST"
    assert access.attempts == (("127.0.0.1:8070", "502"), ("127.0.0.1:8071", "303"))
    assert access.start == pytest.approx(1700000010.25)
    assert cluster.parse_access_line("garbage") is None


def test_requests_sent_to_a_dead_server_after_its_first_failure():
    def access(end, duration, *attempts):
        return cluster.Access(end, duration, 200, "GET", "/", attempts, "")

    dead, live = "127.0.0.1:8070", "127.0.0.1:8071"
    accesses = [
        access(100.0, 1.0, (dead, "200")),  # before the kill
        access(105.0, 0.5, (dead, "502"), (live, "200")),  # its first failure
        access(105.2, 0.5, (dead, "502")),  # in flight when it died
        access(106.0, 0.5, (live, "200")),
        access(107.0, 0.5, (dead, "502"), (live, "200")),  # sent after: wrong
        access(130.0, 0.5, (dead, "200")),  # after it came back
    ]
    first, later = cluster.sent_to_dead_server(accesses, dead, 104.0, 120.0)
    assert first == 105.0
    assert [a.end for a in later] == [107.0]
    assert cluster.sent_to_dead_server(accesses[:1], dead, 104.0, 120.0) == (None, [])


# -- prerequisites of a cluster --------------------------------------------------------


def test_queue_job_must_elect_one_runner(tmp_path):
    _addon(tmp_path / "pip", "queue_job", [], version="17.0.1.5.4")
    _addon(tmp_path / "vendored", "queue_job", [], version="17.0.1.0.2")
    recent = prerequisites.addon_copies([tmp_path / "pip"], "queue_job")
    assert prerequisites.check_queue_job(recent).status == "ok"
    old = prerequisites.check_queue_job(
        prerequisites.addon_copies([tmp_path / "vendored"], "queue_job")
    )
    assert old.fatal and "17.0.1.3.0" in old.detail
    both = prerequisites.addon_copies(
        [tmp_path / "pip", tmp_path / "vendored"], "queue_job"
    )
    assert len(both) == 2
    twice = prerequisites.check_queue_job(both)
    assert twice.fatal and "2 copies" in twice.detail
    assert prerequisites.check_queue_job([]).fatal
    assert prerequisites.check_session_db([]).fatal
    assert "odoo-addon-session-db" in prerequisites.check_session_db([]).detail
    assert prerequisites.check_nginx(None).fatal
    assert prerequisites.check_mounts(False).status == "warn"


@pytest.mark.skipif(not shutil.which("unshare"), reason="no unshare (util-linux)")
def test_mount_probe_answers():
    assert cluster.mounts_supported() in (True, False)


def test_the_launcher_runs(tmp_path):
    config = tmp_path / "odoo.conf"
    config.write_text("[options]\ndb_name = d\n")
    # serve execs Odoo: here only the argument parsing, through --help.
    proc = subprocess.run(
        [sys.executable, str(cluster.CLUSTER_SCRIPT), "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and "--filestore" in proc.stdout
