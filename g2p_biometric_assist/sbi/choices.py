"""The officer's capture choices, checked before a capture request is built.

The browser posts what the officer picked: a device (as discovery described
it), a biometric type, the fingers or eyes to capture and those marked
missing, and a count. Any JSON value may arrive in their place. A choice the
spec does not allow is refused with ``SbiError(INVALID_REQUEST)`` whose
``reason`` names it, so that the shell can say what to change; a request the
builders refuse otherwise has no reason.
"""

from .errors import INVALID_REQUEST, SbiError
from .protocol import (
    BIO_SUB_TYPES,
    BIO_TYPES,
    FACE,
    bio_request,
    registration_capture_request,
)

MAX_COUNT = 10
MAX_DEVICE_ID = 64

# Why a choice is refused (``SbiError.reason``).
CHOICE_BIO_TYPE = "choice_bio_type"
CHOICE_SUB_TYPE = "choice_sub_type"
CHOICE_NO_SUB_TYPE = "choice_no_sub_type"
CHOICE_CAPTURED_AND_MISSING = "choice_captured_and_missing"
CHOICE_COUNT = "choice_count"
CHOICE_DEVICE = "choice_device"
CHOICE_REASONS = frozenset(
    {
        CHOICE_BIO_TYPE,
        CHOICE_SUB_TYPE,
        CHOICE_NO_SUB_TYPE,
        CHOICE_CAPTURED_AND_MISSING,
        CHOICE_COUNT,
        CHOICE_DEVICE,
    }
)


def _refuse(reason, message):
    raise SbiError(INVALID_REQUEST, message, reason=reason)


def _strings(values):
    if not isinstance(values, list | tuple):
        return []
    return [value for value in values if isinstance(value, str)]


def _count(count):
    """None (the builder's default), or an int; -1 when unreadable."""
    if count is None or count == "":
        return None
    try:
        return int(count)
    except (TypeError, ValueError):
        return -1


def _device(device):
    """(device ID, sub-ID) of the chosen device; the ID is '' if none."""
    device = device if isinstance(device, dict) else {}
    device_id = str(device.get("deviceId") or "")[:MAX_DEVICE_ID]
    try:
        sub_id = int(device.get("deviceSubId") or 0)
    except (TypeError, ValueError):
        sub_id = 0
    return device_id, sub_id


def officer_capture_request(
    device,
    bio_type,
    sub_types,
    count,
    exceptions,
    *,
    transaction_id,
    requested_score,
    env,
    timeout_ms,
):
    """The RCAPTURE request (``SbiRequest``) for the officer's choices.

    Raises ``SbiError(INVALID_REQUEST)``, with a ``reason`` for each choice
    the spec does not allow (see the module docstring).
    """
    if bio_type not in BIO_TYPES:
        _refuse(CHOICE_BIO_TYPE, f"unknown bio type {bio_type!r}")
    sub_types, exceptions = _strings(sub_types), _strings(exceptions)
    allowed = BIO_SUB_TYPES[bio_type]
    if any(value not in allowed for value in sub_types + exceptions):
        _refuse(CHOICE_SUB_TYPE, f"a sub-type is not one of {bio_type}")
    if bio_type != FACE and not sub_types:
        _refuse(CHOICE_NO_SUB_TYPE, "no finger or eye chosen")
    if set(sub_types) & set(exceptions):
        _refuse(CHOICE_CAPTURED_AND_MISSING, "a sub-type is both captured and missing")
    count = _count(count)
    if count is not None and not 1 <= count <= MAX_COUNT:
        _refuse(CHOICE_COUNT, f"count must be within 1-{MAX_COUNT}")
    device_id, sub_id = _device(device)
    if not device_id:
        _refuse(CHOICE_DEVICE, "no device chosen")
    bio = bio_request(
        bio_type,
        device_id=device_id,
        device_sub_id=sub_id,
        count=count,
        bio_sub_types=sub_types,
        exceptions=exceptions,
        requested_score=requested_score,
    )
    return registration_capture_request(
        transaction_id, [bio], env=env, timeout_ms=timeout_ms
    )
