"""``sbi_client.js`` run under node against the SBI emulator over real HTTP,
and the message keys shared by ``assist_capture.js`` and its template.

Each test runs one small node script (``DRIVER``) that loads the client with
``require`` and prints a JSON result; node 18+ has ``fetch``. Skipped, with
the reason, where node is missing or too old.
"""

import json
import re
import shutil
import socket
import socketserver
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from emulators.sbi import FAULTS_PATH, Device, SbiEmulator

from g2p_biometric_assist.sbi import (
    DEVICE_ERROR_CODES,
    bio_request,
    registration_capture_request,
    verify_capture,
)
from g2p_biometric_assist.sbi.protocol import BIO_SUB_TYPES, DEVICE_STATUSES

from .conftest import free_port, policy_for

REPO_ROOT = Path(__file__).resolve().parents[2]
ADDON = REPO_ROOT / "g2p_biometric_assist"
CLIENT_JS = ADDON / "static" / "src" / "js" / "sbi_client.js"
ASSIST_JS = ADDON / "static" / "src" / "js" / "assist_capture.js"
TEMPLATE = ADDON / "views" / "sbi_capture_templates.xml"
MIB = 1024 * 1024


def _node():
    node = shutil.which("node")
    if node is None:
        return None, "node is not on PATH (these tests need node 18+ for fetch)"
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=10, check=False
    ).stdout.strip()
    match = re.match(r"v(\d+)\.", version)
    if not match or int(match.group(1)) < 18:
        return None, f"node {version or '?'} is too old (18+ has fetch)"
    return node, ""


NODE, SKIP_REASON = _node()
pytestmark = pytest.mark.skipif(NODE is None, reason=SKIP_REASON or "node")

DRIVER = r"""
"use strict";
const client = require(process.argv[2]);
const job = JSON.parse(process.argv[3]);

function failure(error) {
    return {
        ok: false,
        kind: error && error.kind ? error.kind : null,
        name: error && error.name,
        message: String(error && error.message),
        deviceErrorCode: error && error.deviceErrorCode ? error.deviceErrorCode : null,
    };
}

async function kindOf(promiseFactory) {
    try {
        await promiseFactory();
        return null;
    } catch (error) {
        return error.kind || String(error);
    }
}

async function run() {
    const started = Date.now();
    if (job.op === "discover") {
        const devices = await client.discover(job.options);
        return {devices: devices, elapsed: Date.now() - started};
    }
    if (job.op === "info") {
        return {info: await client.deviceInfo(job.port, job.options)};
    }
    if (job.op === "capture") {
        const text = await client.capture(job.port, job.body, job.options);
        return {text: text, elapsed: Date.now() - started};
    }
    if (job.op === "stream") {
        const controller = new AbortController();
        const frames = [];
        function onFrame(blob) {
            frames.push(blob.arrayBuffer().then(function (buffer) {
                const hex = Buffer.from(buffer).toString("hex");
                return {size: blob.size, type: blob.type, hex: hex};
            }));
            if (job.abortAfter && frames.length >= job.abortAfter) {
                controller.abort();
            }
        }
        const options = Object.assign({}, job.options, {signal: controller.signal});
        const result = await client.stream(
            job.port, job.deviceId, job.deviceSubId, onFrame, options
        );
        return {result: result, frames: await Promise.all(frames)};
    }
    if (job.op === "invalid") {
        return {
            kinds: [
                await kindOf(() => client.discover({host: "example.com"})),
                await kindOf(() => client.discover({host: "localhost"})),
                await kindOf(() => client.discover({first: 4600, last: 4501})),
                await kindOf(() => client.discover({ports: [0]})),
                await kindOf(() => client.capture(job.port, {}, {method: "GET"})),
                await kindOf(() => client.capture("x", {})),
                await kindOf(() => client.capture(job.port, "not json")),
                await kindOf(() => client.capture(job.port, {}, {host: "10.0.0.1"})),
                await kindOf(() => client.stream(job.port, "1", 1, null)),
            ],
        };
    }
    if (job.op === "keys") {
        const assist = require(job.assist);
        return {
            describe: job.codes.map(client.describeError),
            errorKeys: client.errorMessageKeys(),
            messageKeys: assist.MESSAGE_KEYS,
            tableKeys: [].concat(
                Object.values(assist.STATUS_KEYS),
                Object.values(assist.TYPE_KEYS),
                Object.values(assist.DEVICE_SUB_TYPE_KEYS),
                Object.values(assist.PURPOSE_KEYS),
                ...Object.values(assist.PART_KEYS).map(Object.values),
                ...Object.values(assist.BIO_KEYS).map(Object.values)
            ),
            deviceErrorCodes: client.DEVICE_ERROR_CODES,
            bioSubTypes: client.BIO_SUB_TYPES,
            statuses: client.DEVICE_STATUSES,
            digitalId: client.decodeDigitalId(job.digitalId),
            format: assist.format("{name}: {score} {missing}", {name: "A", score: 5}),
        };
    }
    throw new Error("unknown op " + job.op);
}

run().then(
    (result) => process.stdout.write(JSON.stringify(Object.assign({ok: true}, result))),
    (error) => process.stdout.write(JSON.stringify(failure(error)))
);
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    path = tmp_path_factory.mktemp("sbi_js") / "driver.js"
    path.write_text(DRIVER, encoding="utf-8")
    return path


def node_job(driver, job, timeout=20):
    completed = subprocess.run(
        [NODE, str(driver), str(CLIENT_JS), json.dumps(job)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def start_node_job(driver, job):
    return subprocess.Popen(
        [NODE, str(driver), str(CLIENT_JS), json.dumps(job)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def capture_body(transaction_id, timeout_ms=5000, sub_types=()):
    bio = bio_request(
        "Finger", device_id="1", device_sub_id=1, bio_sub_types=list(sub_types)
    )
    return registration_capture_request(
        transaction_id, [bio], timeout_ms=timeout_ms
    ).body


# ----------------------------------------------------------- fake devices
class FakeDevice:
    """A 127.0.0.1 server that reads one request and calls ``answer(sock)``:
    for the misbehaviours the emulator has no fault for."""

    def __init__(self, answer):
        self.answer = answer
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    outer._read_request(self.request)
                    outer.answer(self.request)
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.thread.daemon = True

    @staticmethod
    def _read_request(sock):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _sep, body = data.partition(b"\r\n\r\n")
        match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        length = int(match.group(1)) if match else 0
        while len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return
            body += chunk

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def cors_head(status="200 OK", extra=""):
    return (
        f"HTTP/1.1 {status}\r\nAccess-Control-Allow-Origin: *\r\n{extra}"
        "Connection: close\r\n"
    ).encode()


def answer_not_json(sock):
    body = b"<html>not an SBI service</html>"
    sock.sendall(
        cors_head(extra="Content-Type: text/html\r\n")
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )


def answer_huge_declared(sock):
    size = 17 * MIB
    sock.sendall(cors_head() + f"Content-Length: {size}\r\n\r\n".encode())
    chunk = b"x" * MIB
    for _ in range(17):
        sock.sendall(chunk)


def answer_huge_undeclared(sock):
    sock.sendall(cors_head(extra="Content-Type: application/json\r\n") + b"\r\n")
    chunk = b"[" + b" " * (MIB - 1)
    for _ in range(17):
        sock.sendall(chunk)


def answer_stalled_body(sock):
    sock.sendall(cors_head() + b"Content-Length: 1000\r\n\r\n" + b'{"biometrics"')
    time.sleep(3)


def hanging_listener():
    """A socket that accepts connections (kernel backlog) and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


@pytest.fixture
def two_emulators(keys):
    iris = Device(keys=keys, device_type="Iris", device_sub_type="Double")
    with (
        SbiEmulator(Device(keys=keys), port=free_port()) as finger,
        SbiEmulator(iris, port=free_port()) as eyes,
    ):
        yield finger, eyes


# ---------------------------------------------------------------- tests
def test_discovery_finds_both_emulators_and_ignores_the_rest(driver, two_emulators):
    finger, eyes = two_emulators
    hanging = hanging_listener()
    closed = free_port()
    try:
        with FakeDevice(answer_not_json) as not_sbi:
            ports = [finger.port, eyes.port, hanging.getsockname()[1], closed]
            ports.append(not_sbi.port)
            answer = node_job(
                driver,
                {"op": "discover", "options": {"ports": ports, "timeoutMs": 400}},
            )
    finally:
        hanging.close()
    assert answer["ok"], answer
    devices = {d["port"]: d for d in answer["devices"]}
    assert set(devices) == {finger.port, eyes.port}
    # In parallel: the hanging port costs one timeout, not one per port.
    assert answer["elapsed"] < 2000
    slap = devices[finger.port]
    assert slap["baseUrl"] == f"http://127.0.0.1:{finger.port}"
    assert slap["deviceId"] == "1"
    assert slap["deviceSubId"] == [1, 2, 3]
    assert slap["deviceStatus"] == "Ready"
    assert slap["purpose"] == "Registration"
    assert slap["specVersion"] == ["0.9.5"]
    assert slap["certification"] == "L0"
    assert slap["deviceCode"] == "EMU1234567890"
    assert (slap["type"], slap["subType"]) == ("Finger", "Slap")
    assert (slap["make"], slap["model"], slap["serialNo"]) == (
        "EMULATOR",
        "EMU-FINGER",
        "EMU1234567890",
    )
    assert slap["callbackId"] == f"http://127.0.0.1:{finger.port}/"
    assert slap["raw"]["digitalId"] == slap["digitalId"]
    assert (devices[eyes.port]["type"], devices[eyes.port]["subType"]) == (
        "Iris",
        "Double",
    )


def test_discovery_by_port_range_and_status(driver, emulator):
    requests.post(
        emulator.base_url + "/_emulator/state", json={"status": "Busy"}, timeout=5
    ).raise_for_status()
    answer = node_job(
        driver,
        {
            "op": "discover",
            "options": {"first": emulator.port - 1, "last": emulator.port + 1},
        },
    )
    assert answer["ok"], answer
    found = [d for d in answer["devices"] if d["port"] == emulator.port]
    assert [d["deviceStatus"] for d in found] == ["Busy"]


def test_discovery_refuses_an_oversized_answer(driver):
    with FakeDevice(answer_huge_undeclared) as huge:
        answer = node_job(
            driver,
            {"op": "discover", "options": {"ports": [huge.port], "timeoutMs": 3000}},
        )
    assert answer == {"ok": True, "devices": [], "elapsed": answer["elapsed"]}


def test_device_info(driver, emulator):
    answer = node_job(driver, {"op": "info", "port": emulator.port})
    assert answer["ok"], answer
    [entry] = answer["info"]
    assert entry["signed"] is True
    assert entry["errorCode"] == "0"
    assert entry["deviceInfo"]["deviceStatus"] == "Ready"


def test_capture_raw_text_verifies(driver, emulator, keys):
    body = capture_body("TX-JS-0001", sub_types=["Left IndexFinger"])
    answer = node_job(
        driver, {"op": "capture", "port": emulator.port, "body": body, "options": {}}
    )
    assert answer["ok"], answer
    verified = verify_capture(answer["text"], body, policy_for(keys))
    assert [b.bio_sub_type for b in verified.biometrics] == ["Left IndexFinger"]
    assert verified.transaction_id == "TX-JS-0001"

    # The body may also be given as the exact JSON text the server built.
    left_hand = [
        "Left IndexFinger",
        "Left MiddleFinger",
        "Left RingFinger",
        "Left LittleFinger",
    ]
    text_body = json.dumps(capture_body("TX-JS-0002", sub_types=left_hand))
    answer = node_job(
        driver,
        {"op": "capture", "port": emulator.port, "body": text_body, "options": {}},
    )
    verified = verify_capture(answer["text"], json.loads(text_body), policy_for(keys))
    assert [b.bio_sub_type for b in verified.biometrics] == left_hand


def test_capture_returns_device_errors_as_text(driver, emulator):
    # CAPTURE without a domain key: the emulator answers error 108; the text
    # goes to the server as it is, whatever it says.
    body = capture_body("TX-JS-0003")
    answer = node_job(
        driver,
        {
            "op": "capture",
            "port": emulator.port,
            "body": body,
            "options": {"method": "CAPTURE"},
        },
    )
    assert answer["ok"], answer
    document = json.loads(answer["text"])
    assert document["biometrics"][0]["error"]["errorCode"] == "108"


def test_capture_timeout(driver):
    hanging = hanging_listener()
    try:
        answer = node_job(
            driver,
            {
                "op": "capture",
                "port": hanging.getsockname()[1],
                "body": capture_body("TX-JS-0004", timeout_ms=200),
                "options": {"graceMs": 100},
            },
        )
    finally:
        hanging.close()
    assert (answer["ok"], answer["kind"]) == (False, "timeout")

    # Headers arrive but the body stalls: the deadline covers the body too.
    with FakeDevice(answer_stalled_body) as stalled:
        started = time.monotonic()
        answer = node_job(
            driver,
            {
                "op": "capture",
                "port": stalled.port,
                "body": capture_body("TX-JS-0005", timeout_ms=300),
                "options": {"graceMs": 0},
            },
        )
        assert time.monotonic() - started < 2.5
    assert (answer["ok"], answer["kind"]) == (False, "timeout")


def wait_for_capture_in_progress(emulator, seconds=10):
    deadline = time.monotonic() + seconds
    while not emulator.device._capture_lock.locked():
        assert time.monotonic() < deadline, "the capture never reached the device"
        time.sleep(0.02)


def test_device_gone_mid_capture(driver, keys):
    emulator = SbiEmulator(Device(keys=keys), port=free_port()).start()
    port = emulator.port
    try:
        requests.post(
            emulator.base_url + FAULTS_PATH, json={"delay_seconds": 3.0}, timeout=5
        ).raise_for_status()
        process = start_node_job(
            driver,
            {
                "op": "capture",
                "port": port,
                "body": capture_body("TX-JS-0006"),
                "options": {},
            },
        )
        wait_for_capture_in_progress(emulator)
    finally:
        emulator.stop()  # unplugged
    stdout, stderr = process.communicate(timeout=10)
    answer = json.loads(stdout)
    assert (answer["ok"], answer["kind"]) == (False, "device_gone"), stderr

    # Nothing listens there any more.
    answer = node_job(
        driver,
        {
            "op": "capture",
            "port": port,
            "body": capture_body("TX-JS-0007"),
            "options": {},
        },
    )
    assert (answer["ok"], answer["kind"]) == (False, "device_gone")


@pytest.mark.parametrize("answer", [answer_huge_declared, answer_huge_undeclared])
def test_capture_refuses_oversized_answers(driver, answer):
    with FakeDevice(answer) as huge:
        result = node_job(
            driver,
            {
                "op": "capture",
                "port": huge.port,
                "body": capture_body("TX-JS-0008"),
                "options": {},
            },
        )
    assert (result["ok"], result["kind"]) == (False, "too_large")


def test_stream_frames_abort_and_errors(driver, emulator):
    jpeg = "ffd8ffe000104a46494600010100000100010000ffd9"  # the emulator's stub
    answer = node_job(
        driver,
        {"op": "stream", "port": emulator.port, "deviceId": "1", "deviceSubId": 1},
    )
    assert answer["ok"], answer
    assert answer["result"] == {"frames": 3, "reason": "ended"}
    assert answer["frames"] == [{"size": 22, "type": "image/jpeg", "hex": jpeg}] * 3

    answer = node_job(
        driver,
        {
            "op": "stream",
            "port": emulator.port,
            "deviceId": "1",
            "deviceSubId": 1,
            "abortAfter": 1,
        },
    )
    assert answer["result"] == {"frames": 1, "reason": "aborted"}

    answer = node_job(
        driver,
        {"op": "stream", "port": emulator.port, "deviceId": "9", "deviceSubId": 1},
    )
    assert (answer["ok"], answer["kind"], answer["deviceErrorCode"]) == (
        False,
        "device_error",
        "202",
    )

    answer = node_job(
        driver,
        {
            "op": "stream",
            "port": emulator.port,
            "deviceId": "1",
            "deviceSubId": 1,
            "options": {"maxFrameBytes": 10},
        },
    )
    assert (answer["ok"], answer["kind"]) == (False, "too_large")


def test_invalid_arguments(driver, emulator):
    answer = node_job(driver, {"op": "invalid", "port": emulator.port})
    assert answer["ok"], answer
    assert answer["kinds"] == ["invalid_argument"] * 9


# ------------------------------------------------------ messages, template
def template_messages():
    root = ET.parse(TEMPLATE).getroot()
    [template] = root.findall("template")
    assert template.get("id") == "sbi_capture_widget"
    items = template.findall(".//ul[@class='o_g2p_sbi_messages d-none']/li")
    keys = [item.get("data-key") for item in items]
    assert len(keys) == len(set(keys)), "duplicate message keys"
    texts = {item.get("data-key"): "".join(item.itertext()).strip() for item in items}
    assert all(texts.values()), "empty message"
    return template, texts


def test_message_keys_match_the_template(driver):
    codes = [*DEVICE_ERROR_CODES, "503", "999", "timeout", "device_gone", "nonsense"]
    answer = node_job(
        driver,
        {
            "op": "keys",
            "assist": str(ASSIST_JS),
            "codes": codes,
            "digitalId": "x.eyJ0eXBlIjoiRmluZ2VyIn0.y",  # {"type":"Finger"}
        },
    )
    assert answer["ok"], answer
    _template, texts = template_messages()
    message_keys = set(answer["messageKeys"])
    assert len(message_keys) == len(answer["messageKeys"])
    assert set(texts) == message_keys
    assert set(answer["errorKeys"]) <= message_keys
    assert set(answer["tableKeys"]) <= message_keys
    assert set(answer["describe"]) <= message_keys
    assert answer["describe"][-5:] == [
        "device_error_vendor",
        "device_error_unknown",
        "error_timeout",
        "error_device_gone",
        "error_unknown",
    ]
    # Every literal t("key") of the page script is a defined key.
    used = set(re.findall(r'\bt\(\s*"([a-z0-9_]+)"', ASSIST_JS.read_text("utf-8")))
    assert used and used <= message_keys
    # The JS vocabulary is the Python core's.
    assert answer["deviceErrorCodes"] == list(DEVICE_ERROR_CODES)
    assert answer["bioSubTypes"] == {k: list(v) for k, v in BIO_SUB_TYPES.items()}
    assert answer["statuses"] == list(DEVICE_STATUSES)
    assert answer["digitalId"] == {"type": "Finger"}
    assert answer["format"] == "A: 5 {missing}"


def test_template_contract():
    template, texts = template_messages()
    [section] = template.findall("section")
    assert "o_g2p_sbi" in section.get("class").split()
    for name in ("start-url", "submit-url", "threshold", "port-first", "port-last"):
        assert section.get(f"t-att-data-{name}"), name
    assert section.get("t-att-data-form") == "form_selector or None"
    scripts = [s.get("src") for s in template.iter("script")]
    assert scripts == [
        "/g2p_biometric_assist/static/src/js/sbi_client.js",
        "/g2p_biometric_assist/static/src/js/assist_capture.js",
    ]
    classes = {
        cls for node in template.iter() for cls in (node.get("class") or "").split()
    }
    for needed in (
        "o_g2p_sbi_title",
        "o_g2p_sbi_controls",
        "o_g2p_sbi_discover",
        "o_g2p_sbi_devices",
        "o_g2p_sbi_device_list",
        "o_g2p_sbi_options",
        "o_g2p_sbi_capture",
        "o_g2p_sbi_status",
        "o_g2p_sbi_alerts",
        "o_g2p_sbi_preview",
        "o_g2p_sbi_results",
    ):
        assert needed in classes, needed
    # Contrast: none of the low-contrast Bootstrap colours.
    assert not classes & {"btn-secondary", "text-bg-info", "text-bg-success"}
    js_classes = set(re.findall(r"\bo_g2p_sbi_[a-z_]+", ASSIST_JS.read_text("utf-8")))
    for hook in ("o_g2p_sbi_device", "o_g2p_sbi_quality", "o_g2p_sbi_error"):
        assert hook in js_classes
    assert {"o_g2p_sbi_result", "o_g2p_sbi_retry"} <= js_classes
    [status] = [n for n in template.iter() if "o_g2p_sbi_status" in n.get("class", "")]
    assert (status.get("role"), status.get("aria-live")) == ("status", "polite")
    assert texts["retry"] == "Capture again"
