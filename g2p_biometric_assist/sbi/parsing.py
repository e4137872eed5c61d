"""Parsing of SBI responses: size cap, JSON, shapes, device errors.

Nothing here trusts a signature: ``verify`` does. Parsers return plain dicts
and raise ``SbiError`` (``too_large``, ``malformed``, ``sbi_error``).
"""

import json
import re

from .errors import MALFORMED, SBI_ERROR, TOO_LARGE, SbiError, describe_device_error
from .jws import unverified_payload
from .protocol import DEVICE_STATUSES

# A capture of ten fingers in ISO 19794-4 with JWS overhead stays far below.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_FRAME_BYTES = 2 * 1024 * 1024


def read_limited(stream, max_bytes=DEFAULT_MAX_RESPONSE_BYTES, chunk_size=65536):
    """Read a file-like body, refusing (``too_large``) past ``max_bytes``."""
    parts = []
    total = 0
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > max_bytes:
            raise SbiError(TOO_LARGE, f"response larger than {max_bytes} bytes")
        parts.append(chunk)


def parse_json_body(body, max_bytes=DEFAULT_MAX_RESPONSE_BYTES):
    """bytes/str -> JSON value, after the size cap."""
    if body is None:
        raise SbiError(MALFORMED, "empty response")
    if isinstance(body, str):
        body = body.encode("utf-8")
    if len(body) > max_bytes:
        raise SbiError(TOO_LARGE, f"response larger than {max_bytes} bytes")
    if not body.strip():
        raise SbiError(MALFORMED, "empty response")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SbiError(MALFORMED, "response is not UTF-8") from exc
    except ValueError as exc:
        raise SbiError(MALFORMED, f"response is not JSON: {exc}") from exc


def device_error(error):
    """``(code, info)`` of an ``error`` object; ``("0", "")`` when absent."""
    if error is None:
        return "0", ""
    if not isinstance(error, dict):
        raise SbiError(MALFORMED, "error must be an object")
    code = error.get("errorCode", "0")
    if code is None or code == "":
        code = "0"
    info = error.get("errorInfo") or ""
    return str(code).strip(), str(info)


def raise_for_device_error(error, index=None):
    code, info = device_error(error)
    if code != "0":
        raise SbiError(
            SBI_ERROR,
            f"device error {code}: {info or describe_device_error(code)}",
            device_error_code=code,
            index=index,
        )


def _require_list(value, what):
    if not isinstance(value, list):
        raise SbiError(MALFORMED, f"{what} must be a JSON array")
    return value


def parse_discovery_response(body, max_bytes=DEFAULT_MAX_RESPONSE_BYTES):
    """MOSIPDISC: list of devices (dicts, ``digitalId`` decoded, unsigned).

    An entry that only carries a non-zero ``error`` makes the whole answer a
    ``sbi_error`` when no device is listed at all.
    """
    entries = _require_list(parse_json_body(body, max_bytes), "discovery response")
    devices = []
    first_error = None
    for entry in entries:
        if not isinstance(entry, dict):
            raise SbiError(MALFORMED, "discovery entry must be an object")
        code, _info = device_error(entry.get("error"))
        if code != "0" and not entry.get("deviceId"):
            first_error = first_error or entry.get("error")
            continue
        device = dict(entry)
        status = device.get("deviceStatus")
        if status not in DEVICE_STATUSES:
            raise SbiError(MALFORMED, f"unknown deviceStatus {status!r}")
        digital_id = device.get("digitalId")
        if isinstance(digital_id, str) and digital_id:
            device["digitalId"] = unverified_payload(digital_id)
        devices.append(device)
    if not devices and first_error is not None:
        raise_for_device_error(first_error)
    return devices


def parse_device_info_response(body, max_bytes=DEFAULT_MAX_RESPONSE_BYTES):
    """MOSIPDINFO: list of ``{"deviceInfo": dict, "signed": bool, "jws": str,
    "error": (code, info)}``. Signatures are checked by ``verify``."""
    entries = _require_list(parse_json_body(body, max_bytes), "device info response")
    result = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise SbiError(MALFORMED, "device info entry must be an object")
        error = device_error(entry.get("error"))
        token = entry.get("deviceInfo")
        if not token:
            raise_for_device_error(entry.get("error"))
            raise SbiError(MALFORMED, "deviceInfo missing")
        if not isinstance(token, str):
            raise SbiError(MALFORMED, "deviceInfo must be a JWS string")
        info = unverified_payload(token)
        if not isinstance(info, dict):
            raise SbiError(MALFORMED, "deviceInfo payload must be an object")
        if info.get("deviceStatus") not in DEVICE_STATUSES:
            raise SbiError(MALFORMED, "unknown deviceStatus")
        result.append(
            {
                "deviceInfo": info,
                "signed": token.count(".") == 2,
                "jws": token,
                "error": error,
            }
        )
    return result


def parse_capture_response(body, max_bytes=DEFAULT_MAX_RESPONSE_BYTES):
    """RCAPTURE / CAPTURE: ``{"biometrics": [...]}`` with shapes checked.

    A response whose every segment carries a device error (MockMDS answers
    errors as one empty segment) raises ``sbi_error`` with that code.
    """
    document = parse_json_body(body, max_bytes)
    if not isinstance(document, dict):
        raise SbiError(MALFORMED, "capture response must be an object")
    biometrics = _require_list(document.get("biometrics"), "biometrics")
    if not biometrics:
        raise SbiError(MALFORMED, "biometrics is empty")
    for index, segment in enumerate(biometrics):
        if not isinstance(segment, dict):
            raise SbiError(MALFORMED, "segment must be an object", index=index)
        device_error(segment.get("error"))  # shape only
        if not segment.get("data"):
            raise_for_device_error(segment.get("error"), index=index)
            raise SbiError(MALFORMED, "data missing", index=index)
        if not isinstance(segment.get("data"), str):
            raise SbiError(MALFORMED, "data must be a JWS string", index=index)
    return document


def parse_stream_error(body, max_bytes=64 * 1024):
    """A STREAM answer that is JSON is an error ``{"error": {...}}``."""
    document = parse_json_body(body, max_bytes)
    if not isinstance(document, dict):
        raise SbiError(MALFORMED, "stream error must be an object")
    error = document.get("error", document)
    raise_for_device_error(error)
    raise SbiError(MALFORMED, "stream answered JSON without an error")


_BOUNDARY_RE = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def stream_boundary(content_type):
    """Boundary of a ``multipart/x-mixed-replace`` (M-JPEG) stream."""
    if not content_type or not content_type.lower().startswith("multipart/"):
        raise SbiError(MALFORMED, "stream is not multipart (M-JPEG)")
    match = _BOUNDARY_RE.search(content_type)
    if not match:
        raise SbiError(MALFORMED, "stream without boundary")
    return match.group(1)


def iter_mjpeg_frames(stream, boundary, max_frame_bytes=DEFAULT_MAX_FRAME_BYTES):
    """JPEG frames (bytes) of an M-JPEG stream read from a file-like object.

    Each part: ``--boundary``, headers (``Content-Length`` required), blank
    line, body. A frame over ``max_frame_bytes`` raises ``too_large``.
    """
    marker = b"--" + boundary.encode("ascii")
    while True:
        line = stream.readline(1024)
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        if line == marker + b"--":
            return
        if line != marker:
            raise SbiError(MALFORMED, "unexpected data in stream")
        length = None
        while True:
            header = stream.readline(1024)
            if not header:
                return
            header = header.strip()
            if not header:
                break
            name, _sep, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                try:
                    length = int(value.strip())
                except ValueError as exc:
                    raise SbiError(MALFORMED, "bad Content-Length") from exc
        if length is None or length < 0:
            raise SbiError(MALFORMED, "frame without Content-Length")
        if length > max_frame_bytes:
            raise SbiError(TOO_LARGE, "stream frame too large")
        frame = stream.read(length)
        if len(frame) != length:
            return
        yield frame
