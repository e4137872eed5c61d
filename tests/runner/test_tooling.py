"""tests/tooling.py: the helpers the runner, the demo and the benchmarks share."""

import socket
import subprocess
import sys
import time

import pytest
import tooling


def test_wait_until_polls_until_true_and_ignores_network_errors():
    answers = iter([OSError("refused"), ValueError("half a page"), False, True])

    def check():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    tooling.wait_until(check, "the server", 5, interval=0.01)


def test_wait_until_says_what_did_not_answer(tmp_path):
    with pytest.raises(tooling.ToolError, match="the server did not answer within"):
        tooling.wait_until(lambda: False, "the server", 0.05, interval=0.01)
    with pytest.raises(tooling.ToolError, match="stopped while waiting for it"):
        tooling.wait_until(lambda: False, "it", 5, cancel=["SIGINT"])


def test_wait_until_stops_when_the_process_exits(tmp_path):
    log = tmp_path / "server.log"
    log.write_text("starting\nport already in use\n")
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()
    started = time.monotonic()
    with pytest.raises(tooling.ToolError, match="exited with 3") as error:
        tooling.wait_until(lambda: False, "Odoo", 60, process, log)
    assert "port already in use" in str(error.value)
    assert time.monotonic() - started < 5


def test_free_port_is_free():
    port = tooling.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_registration_request_leaves_out_what_is_not_given():
    body = tooling.client_registration_request("bench", {"kty": "RSA"}, ["http://r"])
    assert body["request"] == {
        "clientId": "bench",
        "publicKey": {"kty": "RSA"},
        "redirectUris": ["http://r"],
        "grantTypes": ["authorization_code"],
        "clientAuthMethods": ["private_key_jwt"],
    }
    assert body["requestTime"].endswith("Z")


def test_odoo_command_runs_the_server_through_this_interpreter(tmp_path):
    cmd = tooling.odoo_command(tmp_path / "odoo.conf", "--stop-after-init")
    assert cmd[0] == sys.executable
    assert cmd[-2:] == [f"--config={tmp_path / 'odoo.conf'}", "--stop-after-init"]
