"""Request building and response parsing for every SBI method."""

import io
import json

import pytest
import requests

from g2p_biometric_assist.sbi import (
    SbiError,
    auth_capture_request,
    bio_request,
    device_info_request,
    discovery_request,
    parse_capture_response,
    parse_device_info_response,
    parse_discovery_response,
    parse_json_body,
    registration_capture_request,
    stream_request,
)
from g2p_biometric_assist.sbi.errors import (
    DEVICE_ERROR_CODES,
    describe_device_error,
    device_error_key,
)
from g2p_biometric_assist.sbi.parsing import (
    iter_mjpeg_frames,
    parse_stream_error,
    read_limited,
    stream_boundary,
)
from g2p_biometric_assist.sbi.protocol import EMPTY_PREVIOUS_HASH, parse_iso

from .conftest import send


def finger_bio(**options):
    return bio_request(
        "Finger", device_id="1", bio_sub_types=["Left IndexFinger"], **options
    )


def test_method_paths_and_bodies():
    assert discovery_request() == ("MOSIPDISC", "/device", {"type": "Biometric Device"})
    assert device_info_request() == ("MOSIPDINFO", "/info", None)
    method, path, body = registration_capture_request("txn-0001", [finger_bio()])
    assert (method, path) == ("RCAPTURE", "/capture")
    assert body["purpose"] == "Registration"
    assert body["specVersion"] == "0.9.5"
    assert body["bio"][0]["previousHash"] == EMPTY_PREVIOUS_HASH
    assert body["bio"][0]["count"] == 1
    assert set(body) >= {"env", "timeout", "captureTime", "transactionId", "customOpts"}
    assert parse_iso(body["captureTime"]) is not None
    method, path, body = auth_capture_request(
        "txn-0002", [finger_bio()], domain_uri="https://ida"
    )
    assert (method, path, body["purpose"], body["domainUri"]) == (
        "CAPTURE",
        "/capture",
        "Auth",
        "https://ida",
    )
    assert stream_request("1", 2) == (
        "STREAM",
        "/stream",
        {"deviceId": "1", "deviceSubId": 2, "timeout": 300000},
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: discovery_request("Palm"),
        lambda: bio_request("Palm", device_id="1"),
        lambda: bio_request("Iris", device_id="1", bio_sub_types=["Left Thumb"]),
        lambda: bio_request("Face", device_id="1", requested_score=120),
        # A capture holds each named sub-type once: count is their number.
        lambda: bio_request(
            "Finger", device_id="1", bio_sub_types=["Left Thumb"], count=2
        ),
        lambda: bio_request(
            "Finger",
            device_id="1",
            bio_sub_types=["Left Thumb", "Right Thumb"],
            count=1,
        ),
        lambda: bio_request(
            "Finger", device_id="1", bio_sub_types=["Left Thumb", "Left Thumb"]
        ),
        lambda: bio_request(
            "Finger",
            device_id="1",
            bio_sub_types=["Left Thumb"],
            exceptions=["Left Thumb"],
        ),
        lambda: bio_request(
            "Finger",
            device_id="1",
            bio_sub_types=["Left Thumb", "Right Thumb", "UNKNOWN"],
            count=1,
        ),
        lambda: bio_request("Face", device_id="1", count=2),
        lambda: registration_capture_request("ab", [finger_bio()]),
        lambda: registration_capture_request("bad id!", [finger_bio()]),
        lambda: registration_capture_request("txn-1", []),
        lambda: registration_capture_request("txn-1", [finger_bio()], env="Prod"),
        lambda: registration_capture_request(
            "txn-1", [finger_bio()], custom_opts={str(i): i for i in range(51)}
        ),
    ],
)
def test_invalid_requests(call):
    with pytest.raises(SbiError) as info:
        call()
    assert info.value.code == "invalid_request"


def test_error_table_from_spec():
    assert DEVICE_ERROR_CODES["111"] == "Device is Busy"
    assert DEVICE_ERROR_CODES["112"] == "Invalid Transaction ID"
    assert describe_device_error("503") == "Device provider specific error"


def test_size_cap_and_malformed():
    with pytest.raises(SbiError) as info:
        parse_json_body(b"[" + b" " * 100 + b"]", max_bytes=50)
    assert info.value.code == "too_large"
    with pytest.raises(SbiError) as info:
        read_limited(io.BytesIO(b"x" * 100), max_bytes=10, chunk_size=8)
    assert info.value.code == "too_large"
    for bad in (b"", b"{not json", b"\xff\xfe", b'{"biometrics": {}}', b"[]"):
        with pytest.raises(SbiError) as info:
            parse_capture_response(bad)
        assert info.value.code == "malformed"
    with pytest.raises(SbiError) as info:
        parse_discovery_response(b'{"a": 1}')
    assert info.value.code == "malformed"


def test_discovery_and_info_over_http(emulator):
    response = send(emulator, discovery_request())
    devices = parse_discovery_response(response.content)
    assert devices[0]["deviceStatus"] == "Ready"
    assert devices[0]["digitalId"]["type"] == "Finger"
    assert devices[0]["callbackId"] == f"{emulator.base_url}/"
    with pytest.raises(SbiError) as info:
        parse_discovery_response(send(emulator, discovery_request("Iris")).content)
    assert (info.value.code, info.value.device_error_code) == ("sbi_error", "106")
    infos = parse_device_info_response(send(emulator, device_info_request()).content)
    assert infos[0]["signed"] and infos[0]["deviceInfo"]["purpose"] == "Registration"
    assert infos[0]["deviceInfo"]["digitalId"].count(".") == 2


def test_unregistered_device_info(device):
    device.status = "Not Registered"
    _status, _type, body = device.handle("MOSIPDINFO", "/info", b"")
    [entry] = parse_device_info_response(body)
    assert not entry["signed"]
    assert entry["error"][0] == "100"
    assert entry["deviceInfo"]["deviceStatus"] == "Not Registered"


def test_capture_error_parsed_as_sbi_error(device):
    device.status = "Not Ready"
    request = registration_capture_request("txn-0003", [finger_bio()])
    _s, _t, body = device.handle(*request[:2], json.dumps(request.body).encode())
    with pytest.raises(SbiError) as info:
        parse_capture_response(body)
    assert (info.value.code, info.value.device_error_code) == ("sbi_error", "110")


def test_stream_over_http(emulator):
    response = requests.request(
        "STREAM",
        emulator.base_url + "/stream",
        json=stream_request("1", 1).body,
        stream=True,
        timeout=10,
    )
    boundary = stream_boundary(response.headers["Content-Type"])
    frames = list(iter_mjpeg_frames(response.raw, boundary))
    assert len(frames) == 3
    assert frames[0].startswith(b"\xff\xd8")
    error = send(emulator, stream_request("9"))
    with pytest.raises(SbiError) as info:
        parse_stream_error(error.content)
    assert info.value.device_error_code == "202"
    with pytest.raises(SbiError):
        stream_boundary("application/json")


@pytest.mark.parametrize(
    ("code", "key"),
    [
        ("111", "device_error_111"),
        (" 202 ", "device_error_202"),
        (101, "device_error_101"),
        ("503", "device_error_vendor"),
        ("5000", "device_error_unknown"),
        ("5x1", "device_error_unknown"),
        ("999", "device_error_unknown"),
        ("", "device_error_unknown"),
        (None, "device_error_unknown"),
    ],
)
def test_device_error_keys_match_the_browser_client(code, key):
    # The same keys as sbi_client.js describeError(); the 5xx rule is here once.
    assert device_error_key(code) == key
