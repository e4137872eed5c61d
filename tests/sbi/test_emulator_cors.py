"""CORS of the SBI emulator: a browser page of another origin may call it.

Custom methods (MOSIPDISC ...) and a JSON ``Content-Type`` always make the
browser send an ``OPTIONS`` preflight first; Chrome's Private Network Access
adds ``Access-Control-Request-Private-Network`` when a public page calls
127.0.0.1. Every actual answer, errors and the M-JPEG stream included, must
carry ``Access-Control-Allow-Origin`` or the page cannot read it.
"""

import json
import socket
import time

import pytest
import requests
from emulators.sbi import FAULTS_PATH

from g2p_biometric_assist.sbi import (
    CAPTURE,
    MOSIPDINFO,
    MOSIPDISC,
    RCAPTURE,
    STREAM,
    bio_request,
    discovery_request,
    registration_capture_request,
    stream_request,
)

from .conftest import send

PORTAL = "https://portal.example"
ALLOWED = "Access-Control-Allow-Origin"


def preflight(emulator, path, method, origin=PORTAL, private_network=True):
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type",
    }
    if private_network:
        headers["Access-Control-Request-Private-Network"] = "true"
    return requests.options(emulator.base_url + path, headers=headers, timeout=5)


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/device", MOSIPDISC),
        ("/info", MOSIPDINFO),
        ("/capture", RCAPTURE),
        ("/capture", CAPTURE),
        ("/stream", STREAM),
        ("/_emulator/ca.pem", "GET"),
        ("/anything/else", "POST"),
    ],
)
def test_preflight_allows_every_sbi_method(emulator, path, method):
    response = preflight(emulator, path, method)
    assert response.status_code == 204
    assert response.content == b""
    headers = response.headers
    assert headers[ALLOWED] == "*"
    allowed = [m.strip() for m in headers["Access-Control-Allow-Methods"].split(",")]
    # Browsers compare non-standard method names case-sensitively.
    assert method in allowed
    assert {"MOSIPDISC", "MOSIPDINFO", "RCAPTURE", "CAPTURE", "STREAM"} <= set(allowed)
    assert {"GET", "POST", "OPTIONS"} <= set(allowed)
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    assert headers["Access-Control-Allow-Private-Network"] == "true"
    assert int(headers["Access-Control-Max-Age"]) > 0
    # "*" never goes with credentials.
    assert "Access-Control-Allow-Credentials" not in headers


def test_preflight_from_a_local_origin_without_pna(emulator):
    response = preflight(
        emulator, "/device", MOSIPDISC, "http://127.0.0.1:8069", private_network=False
    )
    assert response.status_code == 204
    assert response.headers[ALLOWED] == "*"


def test_actual_answers_carry_allow_origin(emulator):
    origin = {"Origin": PORTAL}
    discovery = discovery_request()
    answer = requests.request(
        discovery.http_method,
        emulator.base_url + discovery.path,
        json=discovery.body,
        headers=origin,
        timeout=5,
    )
    assert answer.status_code == 200
    assert answer.headers[ALLOWED] == "*"

    info = requests.request(
        MOSIPDINFO, emulator.base_url + "/info", headers=origin, timeout=5
    )
    assert info.headers[ALLOWED] == "*"

    capture = registration_capture_request(
        "TX-CORS-1", [bio_request("Finger", device_id="1", device_sub_id=1)]
    )
    response = send(emulator, capture)
    assert response.status_code == 200
    assert response.headers[ALLOWED] == "*"
    assert response.json()["biometrics"][0]["error"]["errorCode"] == "0"

    ca = requests.get(emulator.base_url + "/_emulator/ca.pem", timeout=5)
    assert ca.headers[ALLOWED] == "*"

    control = requests.post(emulator.base_url + FAULTS_PATH, json={}, timeout=5)
    assert control.status_code == 200
    assert control.headers[ALLOWED] == "*"


def test_errors_carry_allow_origin(emulator):
    not_found = requests.request(
        MOSIPDISC, emulator.base_url + "/nowhere", json={}, timeout=5
    )
    assert not_found.status_code == 404
    assert not_found.headers[ALLOWED] == "*"

    bad_control = requests.post(
        emulator.base_url + FAULTS_PATH, json={"no_such_fault": 1}, timeout=5
    )
    assert bad_control.status_code == 400
    assert bad_control.headers[ALLOWED] == "*"

    # Not a method the emulator knows: http.server's own send_error (501).
    unsupported = requests.request("PUT", emulator.base_url + "/device", timeout=5)
    assert unsupported.status_code == 501
    assert unsupported.headers[ALLOWED] == "*"

    # A body over the emulator's limit (declared length only).
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        sock.sendall(
            b"RCAPTURE /capture HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 99999999\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    assert head.startswith(b"HTTP/1.1 413")
    assert b"\r\nAccess-Control-Allow-Origin: *\r\n" in head


def test_stream_and_stream_errors_carry_allow_origin(emulator):
    request = stream_request("1", 1, 2000)
    with requests.request(
        request.http_method,
        emulator.base_url + request.path,
        json=request.body,
        headers={"Origin": PORTAL},
        stream=True,
        timeout=5,
    ) as response:
        assert response.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        assert response.headers[ALLOWED] == "*"
        first = next(response.iter_content(64))
        assert first.startswith(b"--mosipframe")

    wrong = stream_request("no-such-device", 1, 2000)
    error = send(emulator, wrong)
    assert error.headers[ALLOWED] == "*"
    assert error.json()["error"]["errorCode"] == "202"


def test_stop_drops_a_capture_in_progress(emulator):
    """A stopped emulator behaves like an unplugged device: open connections
    are cut instead of being answered later."""
    requests.post(
        emulator.base_url + FAULTS_PATH, json={"delay_seconds": 2.0}, timeout=5
    ).raise_for_status()
    capture = registration_capture_request(
        "TX-GONE-1", [bio_request("Finger", device_id="1", device_sub_id=1)]
    )
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=5) as sock:
        body = json.dumps(capture.body).encode()
        sock.sendall(
            b"RCAPTURE /capture HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        deadline = time.monotonic() + 10
        while not emulator.device._capture_lock.locked():
            assert time.monotonic() < deadline, "the capture never started"
            time.sleep(0.02)
        emulator.stop()
        try:
            received = sock.recv(4096)
        except ConnectionError:
            received = b""
    assert received == b""
    assert time.monotonic() - started < 1.5
