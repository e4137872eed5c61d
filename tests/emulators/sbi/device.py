"""The emulated SBI device without HTTP: ``Device.handle(method, path, body)``.

Follows the MOSIP MDS 0.9.5 specification and MockMDS: MOSIPDISC /device,
MOSIPDINFO /info, RCAPTURE and CAPTURE /capture, STREAM /stream; device
states Ready/Busy/Not Ready/Not Registered and their error codes (100, 110,
111); transactionId validation (112); hash chain
``HEX(SHA256(prev || SHA256(iso)))``.
"""

import datetime
import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass, fields

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .keys import DeviceKeys, b64url

SPEC_VERSION = "0.9.5"
SERVICE_VERSION = "0.9.5"
TRANSACTION_ID_RE = re.compile(r"^[A-Za-z0-9-]{4,50}$")
EMPTY_HASH = hashlib.sha256(b"").hexdigest().upper()
ERRORS = {
    "0": "Success",
    "100": "Device not registered",
    "101": "Unable to detect a biometric object",
    "102": "Technical error during extraction",
    "106": "Device not found",
    "108": "Domain public key missing",
    "109": "Requested number of biometric (Finger/IRIS) not supported",
    "110": "Device is not ready",
    "111": "Device is Busy",
    "112": "Invalid Transaction ID",
    "202": "No device connected",
}
DEFAULT_SUB_TYPES = {
    ("Finger", "Slap"): [
        "Left IndexFinger",
        "Left MiddleFinger",
        "Left RingFinger",
        "Left LittleFinger",
    ],
    ("Finger", "Single"): ["UNKNOWN"],
    ("Iris", "Double"): ["Left", "Right"],
    ("Iris", "Single"): ["UNKNOWN"],
    ("Face", "Full face"): [""],
}
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")  # tiny stub


@dataclass
class Faults:
    """Misbehaviours, all off by default (POST /_emulator/faults sets them)."""

    bad_signature: bool = False
    expired_certificate: bool = False
    stale_timestamp: bool = False  # timestamps an hour in the past
    busy: bool = False  # deviceStatus Busy, captures answer 111
    low_quality: bool = False  # qualityScore 10 whatever the setting
    delay_seconds: float = 0.0  # slow device
    wrong_transaction: bool = False
    broken_hash: bool = False
    error_code: str = ""  # force this errorCode on captures
    # Segments that do not match the request (each signed and chained):
    missing_segment: bool = False  # the last one left out
    duplicate_segment: bool = False  # the first one again in place of the last
    extra_segment: bool = False  # one more than the count, of another sub-type

    def update(self, values):
        names = {f.name: f.type for f in fields(self)}
        for key, value in values.items():
            if key not in names:
                raise ValueError(f"unknown fault {key!r}")
            setattr(self, key, value)


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(value):
    return json.dumps(value).encode("utf-8")


def fake_iso_record(bio_type, sub_type, transaction_id):
    """Deterministic stand-in for an ISO 19794 record (not a real image)."""
    magic = {"Finger": b"FIR\0", "Iris": b"IIR\0", "Face": b"FAC\0"}[bio_type]
    seed = f"{sub_type}|{transaction_id}|{os.urandom(8).hex()}".encode()
    return magic + b"020\0" + hashlib.sha512(seed).digest() * 4


class Device:
    def __init__(
        self,
        *,
        keys=None,
        device_type="Finger",
        device_sub_type="Slap",
        purpose="Registration",
        env="Staging",
        status="Ready",
        quality=80.0,
        port=4501,
        serial_no="EMU1234567890",
        domain_public_key=None,
        clock=None,
    ):
        self.keys = keys or DeviceKeys.generate()
        self.device_type = device_type
        self.device_sub_type = device_sub_type
        self.purpose = purpose
        self.env = env
        self.status = status
        self.quality = float(quality)
        self.port = port
        self.serial_no = serial_no
        self.device_id = "1"
        self.domain_public_key = domain_public_key  # RSA public key for CAPTURE
        self.clock = clock or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self.faults = Faults()
        self._capture_lock = threading.Lock()

    # ----------------------------------------------------------- documents
    @property
    def current_status(self):
        return "Busy" if self.faults.busy else self.status

    def digital_id(self):
        return {
            "serialNo": self.serial_no,
            "make": "EMULATOR",
            "model": f"EMU-{self.device_type.upper()}",
            "type": self.device_type,
            "deviceSubType": self.device_sub_type,
            "deviceProvider": "SBI Emulator Provider",
            "deviceProviderId": "EMULATOR.SBI",
            "dateTime": _iso(self.clock()),
        }

    def _registered(self):
        return self.status != "Not Registered"

    def signed_digital_id(self):
        return self.keys.sign(
            self.digital_id(), expired=self.faults.expired_certificate
        )

    def _sub_ids(self):
        return {"Slap": [1, 2, 3], "Double": [1, 2, 3]}.get(self.device_sub_type, [0])

    def _device_fields(self):
        return {
            "deviceId": self.device_id,
            "deviceStatus": self.current_status,
            "certification": "L0",
            "serviceVersion": SERVICE_VERSION,
            "deviceSubId": self._sub_ids(),
            "callbackId": f"http://127.0.0.1:{self.port}/",
            "deviceCode": self.serial_no,
            "specVersion": [SPEC_VERSION],
            "purpose": self.purpose if self._registered() else "",
        }

    def discovery(self, body):
        requested = (body or {}).get("type", "Biometric Device")
        if requested not in ("Biometric Device", self.device_type):
            return [{"error": {"errorCode": "106", "errorInfo": ERRORS["106"]}}]
        entry = self._device_fields()
        entry["digitalId"] = b64url(_json(self.digital_id()))  # unsigned
        entry["error"] = {"errorCode": "0", "errorInfo": ERRORS["0"]}
        return [entry]

    def device_info(self):
        info = self._device_fields()
        info["firmware"] = "EMU.1.0.0"
        info["env"] = self.env if self._registered() else "None"
        if not self._registered():
            info["digitalId"] = b64url(_json(self.digital_id()))
            return [
                {
                    "deviceInfo": b64url(_json(info)),
                    "error": {"errorCode": "100", "errorInfo": ERRORS["100"]},
                }
            ]
        info["digitalId"] = self.signed_digital_id()
        token = self.keys.sign(
            info,
            expired=self.faults.expired_certificate,
            corrupt=self.faults.bad_signature,
        )
        return [{"deviceInfo": token, "error": {"errorCode": "0", "errorInfo": ""}}]

    # ------------------------------------------------------------- capture
    @staticmethod
    def capture_error(code, spec_version=SPEC_VERSION):
        return {
            "biometrics": [
                {
                    "specVersion": spec_version,
                    "data": "",
                    "hash": "",
                    "error": {"errorCode": code, "errorInfo": ERRORS.get(code, "")},
                }
            ]
        }

    def capture(self, body, *, auth):
        spec = (body or {}).get("specVersion") or SPEC_VERSION
        if self.faults.error_code:
            return self.capture_error(self.faults.error_code, spec)
        if not self._registered():
            return self.capture_error("100", spec)
        if self.status == "Not Ready":
            return self.capture_error("110", spec)
        if self.faults.busy:
            return self.capture_error("111", spec)
        if not isinstance(body, dict) or not isinstance(body.get("bio"), list):
            return self.capture_error("102", spec)
        if not TRANSACTION_ID_RE.match(str(body.get("transactionId", ""))):
            return self.capture_error("112", spec)
        if auth and self.domain_public_key is None:
            return self.capture_error("108", spec)
        if not self._capture_lock.acquire(blocking=False):
            return self.capture_error("111", spec)  # one capture at a time
        try:
            if self.faults.delay_seconds:
                time.sleep(self.faults.delay_seconds)
            return self._capture(body, spec, auth)
        finally:
            self._capture_lock.release()

    def _sub_types(self, bio):
        requested = [s for s in bio.get("bioSubType") or [] if s]
        exceptions = set(bio.get("exception") or [])
        if self.device_type == "Face":
            return [""]
        if not requested:
            requested = DEFAULT_SUB_TYPES[(self.device_type, self.device_sub_type)]
        return [s for s in requested if s not in exceptions]

    def _faulty_segments(self, sub_types):
        """The sub-types to answer with, after the segment faults."""
        sub_types = list(sub_types)
        if self.faults.missing_segment:
            sub_types = sub_types[:-1]
        if self.faults.duplicate_segment and sub_types:
            sub_types = (
                sub_types[:-1] + sub_types[:1] if len(sub_types) > 1 else sub_types * 2
            )
        if self.faults.extra_segment:
            others = [
                s
                for s in DEFAULT_SUB_TYPES[(self.device_type, self.device_sub_type)]
                if s not in sub_types
            ]
            sub_types.append(
                others[0] if others else sub_types[-1] if sub_types else ""
            )
        return sub_types

    def _capture(self, body, spec, auth):
        transaction_id = body["transactionId"]
        previous = body["bio"][0].get("previousHash") or EMPTY_HASH
        quality = 10.0 if self.faults.low_quality else self.quality
        moment = self.clock()
        if self.faults.stale_timestamp:
            moment -= datetime.timedelta(hours=1)
        biometrics = []
        for bio in body["bio"]:
            if bio.get("type") != self.device_type:
                return self.capture_error("106", spec)
            sub_types = self._sub_types(bio)
            count = int(bio.get("count") or len(sub_types))
            if count > len(DEFAULT_SUB_TYPES[(self.device_type, self.device_sub_type)]):
                return self.capture_error("109", spec)
            for sub_type in self._faulty_segments(sub_types[:count]):
                iso = fake_iso_record(self.device_type, sub_type, transaction_id)
                timestamp = _iso(moment)
                data = {
                    "digitalId": self.signed_digital_id(),
                    "deviceCode": self.serial_no,
                    "deviceServiceVersion": SERVICE_VERSION,
                    "bioType": self.device_type,
                    "bioSubType": sub_type,
                    "purpose": body.get("purpose", self.purpose),
                    "env": body.get("env", self.env),
                    "bioValue": b64url(iso),
                    "transactionId": (
                        "WRONG-" + transaction_id
                        if self.faults.wrong_transaction
                        else transaction_id
                    ),
                    "timestamp": timestamp,
                    "requestedScore": str(float(bio.get("requestedScore") or 0)),
                    "qualityScore": str(quality),
                }
                segment = {"specVersion": spec}
                if auth:
                    data["domainUri"] = body.get("domainUri", "")
                    session_key, encrypted = self._encrypt(
                        iso, timestamp, transaction_id
                    )
                    data["bioValue"] = encrypted
                    segment["sessionKey"] = session_key
                    segment["thumbprint"] = ""
                digest = (
                    hashlib.sha256(
                        bytes.fromhex(previous) + hashlib.sha256(iso).digest()
                    )
                    .hexdigest()
                    .upper()
                )
                if self.faults.broken_hash:
                    digest = hashlib.sha256(digest.encode()).hexdigest().upper()
                segment["data"] = self.keys.sign(
                    data,
                    expired=self.faults.expired_certificate,
                    corrupt=self.faults.bad_signature,
                )
                segment["hash"] = digest
                segment["error"] = {"errorCode": "0", "errorInfo": ERRORS["0"]}
                biometrics.append(segment)
                previous = digest
        return {"biometrics": biometrics}

    def _encrypt(self, iso, timestamp, transaction_id):
        """MockMDS CryptoUtility.encrypt: AES-GCM, IV/AAD from XOR tail."""
        a, b = timestamp.encode(), transaction_id.encode()
        size = max(len(a), len(b))
        xored = bytes(
            x ^ y
            for x, y in zip(a.rjust(size, b"\0"), b.rjust(size, b"\0"), strict=True)
        )
        session = AESGCM.generate_key(bit_length=256)
        encrypted = AESGCM(session).encrypt(xored[-12:], iso, xored[-16:])
        wrapped = self.domain_public_key.encrypt(
            session,
            padding.OAEP(
                mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None
            ),
        )
        return b64url(wrapped), b64url(encrypted)

    # -------------------------------------------------------------- stream
    def stream_error(self, body):
        """None if the stream may start, else the error object."""
        if self.purpose != "Registration" or not self._registered():
            return {"errorCode": "100", "errorInfo": ERRORS["100"]}
        if self.status == "Not Ready":
            return {"errorCode": "110", "errorInfo": ERRORS["110"]}
        if self.faults.busy:
            return {"errorCode": "111", "errorInfo": ERRORS["111"]}
        if str((body or {}).get("deviceId")) != self.device_id:
            return {"errorCode": "202", "errorInfo": ERRORS["202"]}
        return None

    # ------------------------------------------------------------ dispatch
    def handle(self, method, path, body):
        """``(status, content_type, bytes)`` for one request (not STREAM)."""
        method = method.upper()
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        routes = {
            ("MOSIPDISC", "/device"): lambda: self.discovery(payload),
            ("MOSIPDINFO", "/info"): self.device_info,
            ("RCAPTURE", "/capture"): lambda: self.capture(payload, auth=False),
            ("CAPTURE", "/capture"): lambda: self.capture(payload, auth=True),
        }
        route = routes.get((method, path.rstrip("/") or "/"))
        if route is None:
            return 404, "application/json", _json({"error": "not found"})
        return 200, "application/json", _json(route())

    def ca_pem(self):
        return self.keys.ca_pem

    def domain_public_key_pem(self):
        if self.domain_public_key is None:
            return None
        return self.domain_public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
