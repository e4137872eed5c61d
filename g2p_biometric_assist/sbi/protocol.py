"""MOSIP SBI (MDS 0.9.5) vocabulary and request building.

Sources: mosip/documentation ``docs/biometrics/mds-specification.md`` and
``api/sbi/*.yaml``; MOSIP's reference mock (mosip/mosip-mock-services,
``MockMDS``, ``SBIConstant.java``, ``SBIServiceResponse.java``).

Every builder returns an ``SbiRequest(http_method, path, body)`` tuple; the
body is a JSON-ready dict, or None for methods without a body.
"""

import datetime
import hashlib
import re
from typing import NamedTuple

from .errors import INVALID_REQUEST, SbiError

HOST = "127.0.0.1"  # the spec: "127.0.0.1 and not localhost"
PORT_RANGE = range(4501, 4601)
DEFAULT_PORT = 4501

MOSIPDISC = "MOSIPDISC"
MOSIPDINFO = "MOSIPDINFO"
RCAPTURE = "RCAPTURE"
CAPTURE = "CAPTURE"
STREAM = "STREAM"
METHODS = (MOSIPDISC, MOSIPDINFO, RCAPTURE, CAPTURE, STREAM)

DEVICE_PATH = "/device"
INFO_PATH = "/info"
CAPTURE_PATH = "/capture"
STREAM_PATH = "/stream"

# Spec versions this core understands. The published specification and the
# reference mock only ever carry "0.9.5"; callers may pass their own set.
KNOWN_SPEC_VERSIONS = frozenset({"0.9.5"})
DEFAULT_SPEC_VERSION = "0.9.5"

STATUS_READY = "Ready"
STATUS_BUSY = "Busy"
STATUS_NOT_READY = "Not Ready"
STATUS_NOT_REGISTERED = "Not Registered"
DEVICE_STATUSES = (STATUS_READY, STATUS_BUSY, STATUS_NOT_READY, STATUS_NOT_REGISTERED)

PURPOSE_AUTH = "Auth"
PURPOSE_REGISTRATION = "Registration"
PURPOSES = (PURPOSE_AUTH, PURPOSE_REGISTRATION)

ENVIRONMENTS = ("Staging", "Developer", "Pre-Production", "Production")
CERTIFICATIONS = ("L0", "L1")

ANY_DEVICE = "Biometric Device"  # discovery wildcard
FINGER = "Finger"
IRIS = "Iris"
FACE = "Face"
BIO_TYPES = (FINGER, IRIS, FACE)
DEVICE_SUB_TYPES = {
    FINGER: ("Slap", "Single", "Touchless"),
    IRIS: ("Single", "Double"),
    FACE: ("Full face",),
}
UNKNOWN_SUB_TYPE = "UNKNOWN"
BIO_SUB_TYPES = {
    FINGER: (
        "Left IndexFinger",
        "Left MiddleFinger",
        "Left RingFinger",
        "Left LittleFinger",
        "Left Thumb",
        "Right IndexFinger",
        "Right MiddleFinger",
        "Right RingFinger",
        "Right LittleFinger",
        "Right Thumb",
        UNKNOWN_SUB_TYPE,
    ),
    IRIS: ("Left", "Right", UNKNOWN_SUB_TYPE),
    FACE: (),
}
DIGITAL_ID_FIELDS = (
    "serialNo",
    "make",
    "model",
    "type",
    "deviceSubType",
    "deviceProvider",
    "deviceProviderId",
    "dateTime",
)
# transactionId: 4 to 50 letters, digits or hyphens (spec, capture request).
TRANSACTION_ID_RE = re.compile(r"^[A-Za-z0-9-]{4,50}$")
MAX_CUSTOM_OPTS = 50
DEFAULT_TIMEOUT_MS = 10000
DEFAULT_STREAM_TIMEOUT_MS = 300000  # spec: 5 minutes by default

# "For the first capture, the previousHash is the SHA256 hash of an empty
# UTF-8 string" (hex, upper case like every hash of the spec).
EMPTY_PREVIOUS_HASH = hashlib.sha256(b"").hexdigest().upper()


class SbiRequest(NamedTuple):
    http_method: str
    path: str
    body: dict | None


def iso_now(now=None):
    """``yyyy-MM-ddTHH:mm:ssZ`` (the spec's ISO 8601 format, UTC)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value):
    """Aware UTC datetime from an ISO 8601 string; None if unreadable.

    A value without a time zone is refused (None): devices send ``Z``.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(datetime.timezone.utc)


def discovery_request(device_type=ANY_DEVICE):
    if device_type != ANY_DEVICE and device_type not in BIO_TYPES:
        raise SbiError(INVALID_REQUEST, f"unknown device type {device_type!r}")
    return SbiRequest(MOSIPDISC, DEVICE_PATH, {"type": device_type})


def device_info_request():
    return SbiRequest(MOSIPDINFO, INFO_PATH, None)


def bio_request(
    bio_type,
    *,
    device_id,
    count=None,
    bio_sub_types=(),
    exceptions=(),
    requested_score=40,
    device_sub_id=0,
    previous_hash=EMPTY_PREVIOUS_HASH,
):
    """One element of a capture request's ``bio`` array.

    A capture answers it with ``count`` segments (see
    :func:`requested_segments`): each named sub-type exactly once, so with
    named sub-types only, ``count`` is their number (the default).
    """
    if bio_type not in BIO_TYPES:
        raise SbiError(INVALID_REQUEST, f"unknown bio type {bio_type!r}")
    allowed = BIO_SUB_TYPES[bio_type]
    for sub_type in (*bio_sub_types, *exceptions):
        if sub_type not in allowed:
            raise SbiError(INVALID_REQUEST, f"{sub_type!r} is not a {bio_type} subtype")
    if len(set(bio_sub_types)) != len(bio_sub_types):
        raise SbiError(INVALID_REQUEST, "a bioSubType is requested twice")
    if set(bio_sub_types) & set(exceptions):
        raise SbiError(INVALID_REQUEST, "a bioSubType is both requested and excepted")
    if count is None:
        count = 1 if bio_type == FACE else len(bio_sub_types) or 1
    if not isinstance(count, int) or count < 1:
        raise SbiError(INVALID_REQUEST, "count must be a positive integer")
    named, _any = _named_sub_types(bio_type, bio_sub_types)
    if bio_type == FACE and count != 1:
        raise SbiError(INVALID_REQUEST, "a face capture is one image")
    if (count != len(named)) if not _any else (count < len(named)):
        raise SbiError(INVALID_REQUEST, "count must match the requested bioSubTypes")
    score = float(requested_score)
    if not 0 <= score <= 100:
        raise SbiError(INVALID_REQUEST, "requestedScore must be within 0-100")
    bio = {
        "type": bio_type,
        "count": count,
        "bioSubType": list(bio_sub_types),
        "requestedScore": requested_score,
        "deviceId": str(device_id),
        "deviceSubId": int(device_sub_id),
        "previousHash": previous_hash or "",
    }
    if exceptions:
        bio["exception"] = list(exceptions)
    return bio


class RequestedSegments(NamedTuple):
    """What a capture must hold for one bio type of a request."""

    named: frozenset  # sub-types asked by name: each exactly once
    exceptions: frozenset  # sub-types that must not be there
    count: int  # segments of this bio type, in all
    any_sub_type: bool  # segments beyond the named ones may be any sub-type


def _named_sub_types(bio_type, sub_types):
    """(named sub-types, whether others may come too)."""
    named = frozenset(s for s in sub_types or () if s and s != UNKNOWN_SUB_TYPE)
    wildcard = bio_type == FACE or not named or UNKNOWN_SUB_TYPE in (sub_types or ())
    return named, wildcard


def requested_segments(request_body):
    """``{bio type: RequestedSegments}`` of a capture request's ``bio`` array.

    Elements of the same type add up. ``count`` defaults as in
    :func:`bio_request` (a face is one image).
    """
    requested = {}
    for bio in request_body.get("bio") or ():
        if not isinstance(bio, dict):
            continue
        bio_type = bio.get("type")
        sub_types = [s for s in bio.get("bioSubType") or () if isinstance(s, str)]
        named, wildcard = _named_sub_types(bio_type, sub_types)
        try:
            count = int(bio.get("count"))
        except (TypeError, ValueError):
            count = 1 if bio_type == FACE else len(sub_types) or 1
        exceptions = frozenset(
            s for s in bio.get("exception") or () if isinstance(s, str)
        )
        previous = requested.get(bio_type)
        if previous:
            named = previous.named | named
            exceptions = previous.exceptions | exceptions
            count += previous.count
            wildcard = wildcard or previous.any_sub_type
        requested[bio_type] = RequestedSegments(named, exceptions, count, wildcard)
    return requested


def _capture_body(
    *, purpose, env, transaction_id, bio, spec_version, timeout_ms, custom_opts, now
):
    if env not in ENVIRONMENTS:
        raise SbiError(INVALID_REQUEST, f"unknown environment {env!r}")
    if not isinstance(transaction_id, str) or not TRANSACTION_ID_RE.match(
        transaction_id
    ):
        raise SbiError(
            INVALID_REQUEST, "transactionId: 4-50 letters, digits or hyphens"
        )
    if not bio:
        raise SbiError(INVALID_REQUEST, "at least one bio element is required")
    custom_opts = dict(custom_opts or {})
    if len(custom_opts) > MAX_CUSTOM_OPTS:
        raise SbiError(INVALID_REQUEST, "customOpts: at most 50 key-value pairs")
    return {
        "env": env,
        "purpose": purpose,
        "specVersion": spec_version,
        "timeout": int(timeout_ms),
        "captureTime": iso_now(now),
        "transactionId": transaction_id,
        "bio": [dict(b) for b in bio],
        "customOpts": custom_opts,
    }


def _capture_request(http_method, purpose, transaction_id, bio, **options):
    extra = options.pop("extra", {})
    body = _capture_body(
        purpose=purpose, transaction_id=transaction_id, bio=bio, **options
    )
    body.update(extra)
    return SbiRequest(http_method, CAPTURE_PATH, body)


def registration_capture_request(
    transaction_id,
    bio,
    *,
    env="Staging",
    spec_version=DEFAULT_SPEC_VERSION,
    timeout_ms=DEFAULT_TIMEOUT_MS,
    custom_opts=None,
    now=None,
):
    """RCAPTURE /capture: signed, non-encrypted ISO data (registration)."""
    return _capture_request(
        RCAPTURE,
        PURPOSE_REGISTRATION,
        transaction_id,
        bio,
        env=env,
        spec_version=spec_version,
        timeout_ms=timeout_ms,
        custom_opts=custom_opts,
        now=now,
    )


def auth_capture_request(
    transaction_id,
    bio,
    *,
    env="Staging",
    domain_uri="",
    spec_version=DEFAULT_SPEC_VERSION,
    timeout_ms=DEFAULT_TIMEOUT_MS,
    custom_opts=None,
    now=None,
):
    """CAPTURE /capture: bioValue encrypted for the auth server (domainUri)."""
    return _capture_request(
        CAPTURE,
        PURPOSE_AUTH,
        transaction_id,
        bio,
        env=env,
        spec_version=spec_version,
        timeout_ms=timeout_ms,
        custom_opts=custom_opts,
        now=now,
        extra={"domainUri": domain_uri},
    )


def stream_request(device_id, device_sub_id=0, timeout_ms=DEFAULT_STREAM_TIMEOUT_MS):
    """STREAM /stream: M-JPEG preview (registration devices only)."""
    return SbiRequest(
        STREAM,
        STREAM_PATH,
        {
            "deviceId": str(device_id),
            "deviceSubId": int(device_sub_id),
            "timeout": int(timeout_ms),
        },
    )
