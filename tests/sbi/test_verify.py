"""Capture verification: every refusal, against emulator-made responses."""

import datetime
import json
import threading

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from emulators.sbi import Device, DeviceKeys

from g2p_biometric_assist.sbi import (
    SbiError,
    auth_capture_request,
    bio_request,
    registration_capture_request,
    verify_capture,
    verify_device_info,
)
from g2p_biometric_assist.sbi.at_rest import decrypt_auth_bio_value
from g2p_biometric_assist.sbi.jws import b64url_decode, verify_chain
from g2p_biometric_assist.sbi.verify import hash_link

from .conftest import policy_for, send

SUBS = ["Left IndexFinger", "Left MiddleFinger"]


def rcapture(transaction_id="txn-1000", subs=SUBS, **bio_options):
    return registration_capture_request(
        transaction_id,
        [bio_request("Finger", device_id="1", bio_sub_types=subs, **bio_options)],
    )


def run(device, request):
    status, _type, body = device.handle(
        request.http_method, request.path, json.dumps(request.body).encode()
    )
    assert status == 200
    return body


def refused(body, request, policy):
    with pytest.raises(SbiError) as info:
        verify_capture(body, request.body, policy)
    return info.value


def test_valid_capture_over_http(emulator, keys):
    request = rcapture()
    body = send(emulator, request).content
    result = verify_capture(body, request.body, policy_for(keys, min_quality=60))
    assert [b.bio_sub_type for b in result.biometrics] == SUBS
    assert result.hash_chain_checked
    assert result.biometrics[0].digital_id["type"] == "Finger"
    assert b64url_decode(result.biometrics[0].bio_value).startswith(b"FIR\0")
    # the next capture chains from the last hash
    follow = rcapture("txn-1001", previous_hash=result.last_hash)
    verify_capture(send(emulator, follow).content, follow.body, policy_for(keys))


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"bad_signature": True}, "bad_signature"),
        ({"expired_certificate": True}, "expired_certificate"),
        ({"stale_timestamp": True}, "stale_timestamp"),
        ({"low_quality": True}, "low_quality"),
        ({"wrong_transaction": True}, "wrong_transaction"),
        ({"broken_hash": True}, "broken_hash_chain"),
        ({"busy": True}, "sbi_error"),
        ({"error_code": "101"}, "sbi_error"),
    ],
)
def test_refusals_over_http(emulator, keys, fault, code):
    requests.post(emulator.base_url + "/_emulator/faults", json=fault, timeout=5)
    request = rcapture()
    body = send(emulator, request).content
    error = refused(body, request, policy_for(keys, min_quality=40))
    assert error.code == code
    if code == "sbi_error":
        assert error.device_error_code in ("111", "101")


@pytest.mark.parametrize(
    ("fault", "code", "index"),
    [
        ("missing_segment", "missing_segment", None),
        ("duplicate_segment", "duplicate_segment", 1),
        # Another finger than the two named: not requested.
        ("extra_segment", "unexpected_bio_type", 2),
    ],
)
def test_segments_must_match_the_named_sub_types(emulator, keys, fault, code, index):
    requests.post(
        emulator.base_url + "/_emulator/faults", json={fault: True}, timeout=5
    )
    request = rcapture()
    body = send(emulator, request).content
    assert len(json.loads(body)["biometrics"]) == {"missing_segment": 1}.get(
        fault, 2
    ) + (fault == "extra_segment")
    error = refused(body, request, policy_for(keys))
    assert (error.code, error.index) == (code, index)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("missing_segment", "malformed"),  # nothing left: no biometrics at all
        ("duplicate_segment", "extra_segment"),  # UNKNOWN twice: one too many
        ("extra_segment", "extra_segment"),
    ],
)
def test_any_finger_requests_hold_the_count(device, keys, fault, code):
    request = rcapture(subs=["UNKNOWN"], count=1)
    verify_capture(run(device, request), request.body, policy_for(keys))
    device.faults.update({fault: True})
    assert refused(run(device, request), request, policy_for(keys)).code == code


def test_segments_are_counted_per_requested_type(device, keys):
    # Four fingers of a slap with "any" sub-type: four different ones.
    request = rcapture(subs=[], count=4)
    result = verify_capture(run(device, request), request.body, policy_for(keys))
    assert len({b.bio_sub_type for b in result.biometrics}) == 4
    # Asked for more than the device sent.
    asked = dict(request.body, bio=[dict(request.body["bio"][0], count=5)])
    error = refused(
        run(device, request), type(request)(*request[:2], asked), policy_for(keys)
    )
    assert error.code == "missing_segment"
    # The same finger twice, even where any finger would do.
    device.faults.update({"duplicate_segment": True})
    error = refused(run(device, request), request, policy_for(keys))
    assert (error.code, error.index) == ("duplicate_segment", 3)


def test_a_face_is_one_image(keys):
    device = Device(keys=keys, device_type="Face", device_sub_type="Full face")
    request = registration_capture_request(
        "txn-4000", [bio_request("Face", device_id="1")]
    )
    verify_capture(run(device, request), request.body, policy_for(keys))
    device.faults.update({"extra_segment": True})
    error = refused(run(device, request), request, policy_for(keys))
    assert (error.code, error.index) == ("extra_segment", 1)


def test_untrusted_ca(device):
    request = rcapture()
    other = DeviceKeys.generate()
    assert refused(run(device, request), request, policy_for(other)).code == (
        "untrusted_certificate"
    )


def test_unexpected_bio_type_and_spec_version(device, keys):
    request = rcapture(subs=["Left IndexFinger"])
    body = run(device, request)
    asked = dict(request.body, bio=[dict(request.body["bio"][0], type="Iris")])
    assert refused(body, type(request)(*request[:2], asked), policy_for(keys)).code == (
        "unexpected_bio_type"
    )
    other_sub = dict(
        request.body, bio=[dict(request.body["bio"][0], bioSubType=["Right Thumb"])]
    )
    error = refused(body, type(request)(*request[:2], other_sub), policy_for(keys))
    assert error.code == "unexpected_bio_type"
    policy = policy_for(keys, known_spec_versions=frozenset({"1.0.0"}))
    assert refused(body, request, policy).code == "unknown_spec_version"


def test_wrong_purpose_and_tampered_segment(device, keys):
    request = rcapture()
    body = json.loads(run(device, request))
    asked = dict(request.body, purpose="Auth")
    assert refused(body, type(request)(*request[:2], asked), policy_for(keys)).code in (
        "wrong_purpose"
    )
    # swapping the order of segments breaks the hash chain
    body["biometrics"].reverse()
    assert refused(body, request, policy_for(keys)).code == "broken_hash_chain"


def test_injectable_clock_window(device, keys):
    request = rcapture()
    body = run(device, request)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
    policy = policy_for(keys, clock=lambda: later)
    assert refused(body, request, policy).code == "stale_timestamp"
    wide = policy_for(
        keys, clock=lambda: later, max_clock_skew=datetime.timedelta(hours=3)
    )
    verify_capture(body, request.body, wide)


def test_busy_while_slow_capture(emulator, keys):
    emulator.device.faults.delay_seconds = 1.0
    results = {}

    def first():
        results["first"] = send(emulator, rcapture("txn-2000")).content

    thread = threading.Thread(target=first)
    thread.start()
    import time

    time.sleep(0.3)
    second = rcapture("txn-2001")
    error = refused(send(emulator, second).content, second, policy_for(keys))
    thread.join()
    assert (error.code, error.device_error_code) == ("sbi_error", "111")
    verify_capture(results["first"], rcapture("txn-2000").body, policy_for(keys))


def test_invalid_transaction_id_answered_112(device):
    request = rcapture()
    request.body["transactionId"] = "x"
    error = refused(run(device, request), rcapture(), policy_for(device.keys))
    assert error.device_error_code == "112"


def test_auth_capture_hash_chain_with_decryption(keys):
    domain_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    device = Device(
        keys=keys, purpose="Auth", domain_public_key=domain_key.public_key()
    )
    request = auth_capture_request(
        "txn-3000",
        [bio_request("Finger", device_id="1", bio_sub_types=["Left Thumb"])],
    )
    body = run(device, request)

    def decrypt(segment, data):
        return decrypt_auth_bio_value(
            domain_key,
            segment["sessionKey"],
            data["bioValue"],
            data["timestamp"],
            data["transactionId"],
        )

    result = verify_capture(
        body, request.body, policy_for(keys, decrypt_bio_value=decrypt)
    )
    assert result.hash_chain_checked
    plain = verify_capture(body, request.body, policy_for(keys))
    assert not plain.hash_chain_checked
    without_key = Device(keys=keys, purpose="Auth")
    assert (
        refused(run(without_key, request), request, policy_for(keys)).device_error_code
        == "108"
    )


def test_device_info_verification(device, keys):
    _s, _t, body = device.handle("MOSIPDINFO", "/info", b"")
    token = json.loads(body)[0]["deviceInfo"]
    assert verify_device_info(token, policy_for(keys))["deviceStatus"] == "Ready"
    device.status = "Not Registered"
    _s, _t, body = device.handle("MOSIPDINFO", "/info", b"")
    with pytest.raises(SbiError) as info:
        verify_device_info(json.loads(body)[0]["deviceInfo"], policy_for(keys))
    assert info.value.code == "bad_signature"


def test_certificate_chain_checks(keys):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca = keys.ca_cert
    assert verify_chain([keys.device_cert], [ca], now) is ca
    # the CA sent along in x5c is fine
    assert verify_chain([keys.device_cert, ca], [ca], now) is ca
    with pytest.raises(SbiError) as info:
        verify_chain([keys.expired_device_cert()], [ca], now)
    assert info.value.code == "expired_certificate"
    with pytest.raises(SbiError) as info:
        verify_chain([keys.device_cert], [ca], now + datetime.timedelta(days=400 * 11))
    assert info.value.code == "expired_certificate"
    other = DeviceKeys.generate()
    with pytest.raises(SbiError) as info:
        # a forged intermediate with the right name but another key
        verify_chain([keys.device_cert, other.ca_cert], [other.ca_cert], now)
    assert info.value.code == "untrusted_certificate"
    with pytest.raises(SbiError) as info:
        verify_chain([keys.device_cert], [], now)
    assert info.value.code == "untrusted_certificate"


def test_hash_link_matches_mockmds_formula():
    import hashlib

    iso = b"ISO"
    first = hash_link("", iso)
    expected = (
        hashlib.sha256(hashlib.sha256(b"").digest() + hashlib.sha256(iso).digest())
        .hexdigest()
        .upper()
    )
    assert first == expected
    assert hash_link(first, iso) != first
