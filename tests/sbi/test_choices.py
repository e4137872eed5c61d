"""The officer's capture choices, checked by the core before any request."""

import pytest

from g2p_biometric_assist.sbi import (
    CHOICE_REASONS,
    MAX_COUNT,
    SbiError,
    officer_capture_request,
)
from g2p_biometric_assist.sbi import choices as c

DEVICE = {"deviceId": "1", "deviceSubId": "2"}
OPTIONS = {
    "transaction_id": "G2P-0001",
    "requested_score": 40,
    "env": "Staging",
    "timeout_ms": 30000,
}


def request(device=DEVICE, bio_type="Finger", sub_types=None, count=None, **kw):
    sub_types = ["Left IndexFinger"] if sub_types is None else sub_types
    exceptions = kw.pop("exceptions", [])
    return officer_capture_request(
        device, bio_type, sub_types, count, exceptions, **dict(OPTIONS, **kw)
    )


def test_a_valid_choice_gives_the_registration_request():
    method, path, body = request(
        sub_types=["Left IndexFinger", "Left Thumb"], exceptions=["Right Thumb"]
    )
    assert (method, path, body["purpose"]) == ("RCAPTURE", "/capture", "Registration")
    assert body["transactionId"] == "G2P-0001"
    assert body["timeout"] == 30000
    (bio,) = body["bio"]
    assert bio["deviceId"] == "1" and bio["deviceSubId"] == 2
    assert bio["count"] == 2 and bio["exception"] == ["Right Thumb"]
    assert bio["requestedScore"] == 40


def test_a_face_needs_no_sub_type_and_counts_one():
    _method, _path, body = request(bio_type="Face", sub_types=[])
    assert body["bio"][0]["count"] == 1


@pytest.mark.parametrize(
    ("choice", "reason"),
    [
        ({"bio_type": "Palm"}, c.CHOICE_BIO_TYPE),
        ({"bio_type": None}, c.CHOICE_BIO_TYPE),
        ({"bio_type": ["Finger"]}, c.CHOICE_BIO_TYPE),
        ({"sub_types": ["Left Ear"]}, c.CHOICE_SUB_TYPE),
        ({"bio_type": "Iris", "sub_types": ["Left Thumb"]}, c.CHOICE_SUB_TYPE),
        ({"exceptions": ["Left Ear"]}, c.CHOICE_SUB_TYPE),
        ({"sub_types": []}, c.CHOICE_NO_SUB_TYPE),
        ({"sub_types": "Left Thumb"}, c.CHOICE_NO_SUB_TYPE),  # not a list
        ({"sub_types": [7, None]}, c.CHOICE_NO_SUB_TYPE),
        (
            {"sub_types": ["Left Thumb"], "exceptions": ["Left Thumb"]},
            c.CHOICE_CAPTURED_AND_MISSING,
        ),
        ({"count": 0}, c.CHOICE_COUNT),
        ({"count": MAX_COUNT + 1}, c.CHOICE_COUNT),
        ({"count": "many"}, c.CHOICE_COUNT),
        ({"count": [1]}, c.CHOICE_COUNT),
        ({"device": {}}, c.CHOICE_DEVICE),
        ({"device": "1"}, c.CHOICE_DEVICE),
        ({"device": None}, c.CHOICE_DEVICE),
    ],
)
def test_each_refused_choice_says_which(choice, reason):
    with pytest.raises(SbiError) as refused:
        request(**choice)
    assert refused.value.code == "invalid_request"
    assert refused.value.reason == reason
    assert reason in CHOICE_REASONS


def test_a_request_the_spec_refuses_otherwise_has_no_reason():
    # Two fingers chosen, a count of one: the builder refuses the count.
    with pytest.raises(SbiError) as refused:
        request(sub_types=["Left Thumb", "Right Thumb"], count=1)
    assert refused.value.code == "invalid_request"
    assert refused.value.reason is None


def test_device_id_is_bounded_and_sub_id_read_leniently():
    device = {"deviceId": "x" * 500, "deviceSubId": "not a number"}
    _method, _path, body = request(device=device)
    assert body["bio"][0]["deviceId"] == "x" * c.MAX_DEVICE_ID
    assert body["bio"][0]["deviceSubId"] == 0
