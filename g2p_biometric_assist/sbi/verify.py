"""Verification of a capture response against its request.

For each segment of ``biometrics``, in order: device error (``sbi_error``),
``specVersion``, the ``data`` JWS (x5c chain up to a trusted device-provider
CA, dates, signature), the ``digitalId`` JWS and its fields, transactionId,
purpose, env, timestamp window, bioType/bioSubType (requested, not excepted,
not twice), qualityScore threshold, and the hash chain. Then the segments as
a whole: for each requested bio type, every named sub-type and exactly the
requested count (``protocol.requested_segments``).

Hash chain (MockMDS ``SBIServiceResponse.getBiometricData``, spec "hash"):
``hash = HEX(SHA256(prev || SHA256(iso)))`` upper case, where ``prev`` is the
raw 32 bytes of the previous hash (hex-decoded; for the first segment the
request's ``previousHash``, or SHA256 of the empty string when absent) and
``iso`` the biometric ISO data before encryption (``bioValue`` decoded for
RCAPTURE; the decrypted ``bioValue`` for CAPTURE).
"""

import datetime
import hashlib
import math
from dataclasses import dataclass, field

from .errors import (
    BAD_DIGITAL_ID,
    BAD_SIGNATURE,
    BROKEN_HASH_CHAIN,
    DUPLICATE_SEGMENT,
    EXTRA_SEGMENT,
    LOW_QUALITY,
    MALFORMED,
    MISSING_SEGMENT,
    STALE_TIMESTAMP,
    UNEXPECTED_BIO_TYPE,
    UNKNOWN_SPEC_VERSION,
    WRONG_ENVIRONMENT,
    WRONG_PURPOSE,
    WRONG_TRANSACTION,
    SbiError,
)
from .jws import b64url_decode, load_pem_certificates, unverified_payload, verify_jws
from .parsing import (
    DEFAULT_MAX_RESPONSE_BYTES,
    parse_capture_response,
    raise_for_device_error,
)
from .protocol import (
    BIO_SUB_TYPES,
    DIGITAL_ID_FIELDS,
    EMPTY_PREVIOUS_HASH,
    FACE,
    KNOWN_SPEC_VERSIONS,
    PURPOSE_AUTH,
    UNKNOWN_SUB_TYPE,
    parse_iso,
    requested_segments,
)

DATA_FIELDS = (
    "digitalId",
    "bioType",
    "bioSubType",
    "purpose",
    "env",
    "bioValue",
    "transactionId",
    "timestamp",
    "qualityScore",
)


def hash_link(previous_hash, iso_data):
    """Next hash of the chain (hex, upper case)."""
    try:
        previous = bytes.fromhex(previous_hash or EMPTY_PREVIOUS_HASH)
    except ValueError as exc:
        raise SbiError(BROKEN_HASH_CHAIN, "previousHash is not hex") from exc
    current = hashlib.sha256(iso_data).digest()
    return hashlib.sha256(previous + current).hexdigest().upper()


def _utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass
class VerificationPolicy:
    trusted_ca_pems: list
    # digitalId signers (FTM roots for L1 devices); default: trusted_ca_pems.
    trusted_ftm_ca_pems: list | None = None
    min_quality: float = 0.0
    max_clock_skew: datetime.timedelta = datetime.timedelta(minutes=5)
    known_spec_versions: frozenset = KNOWN_SPEC_VERSIONS
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    clock: object = _utc_now  # () -> aware datetime
    # CAPTURE: (segment, data payload) -> ISO bytes, to check the hash chain
    # of encrypted bioValues; None leaves auth hash chains unchecked.
    decrypt_bio_value: object = None

    def __post_init__(self):
        self._trusted = load_pem_certificates(self.trusted_ca_pems)
        self._trusted_ftm = (
            load_pem_certificates(self.trusted_ftm_ca_pems)
            if self.trusted_ftm_ca_pems is not None
            else self._trusted
        )


@dataclass
class VerifiedBiometric:
    bio_type: str
    bio_sub_type: str
    bio_value: str  # as received (base64url ISO, or encrypted for CAPTURE)
    quality_score: float
    requested_score: float | None
    timestamp: datetime.datetime
    hash: str
    digital_id: dict
    device_code: str
    spec_version: str
    certificate_thumbprint: str
    data: dict = field(repr=False)
    segment: dict = field(repr=False)


@dataclass
class VerifiedCapture:
    transaction_id: str
    purpose: str
    biometrics: list
    last_hash: str
    hash_chain_checked: bool


def _float(value, what, index):
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise SbiError(MALFORMED, f"{what} is not a number", index=index) from exc
    if math.isnan(number) or math.isinf(number):
        raise SbiError(MALFORMED, f"{what} is not a finite number", index=index)
    return number


def _check_digital_id(token, data, policy, now, index):
    if not isinstance(token, str) or not token:
        raise SbiError(BAD_DIGITAL_ID, "digitalId missing", index=index)
    if token.count(".") != 2:
        raise SbiError(BAD_DIGITAL_ID, "digitalId is not signed", index=index)
    try:
        digital_id = verify_jws(token, policy._trusted_ftm, now).json()
    except SbiError as exc:
        exc.index = index
        raise
    if not isinstance(digital_id, dict):
        raise SbiError(BAD_DIGITAL_ID, "digitalId must be an object", index=index)
    missing = [name for name in DIGITAL_ID_FIELDS if not digital_id.get(name)]
    if missing:
        raise SbiError(
            BAD_DIGITAL_ID, f"digitalId lacks {', '.join(missing)}", index=index
        )
    if digital_id["type"] != data.get("bioType"):
        raise SbiError(
            BAD_DIGITAL_ID, "digitalId type differs from bioType", index=index
        )
    if parse_iso(digital_id["dateTime"]) is None:
        raise SbiError(BAD_DIGITAL_ID, "digitalId dateTime unreadable", index=index)
    return digital_id


def _check_bio_type(data, requested, index):
    bio_type = data.get("bioType")
    if bio_type not in requested:
        raise SbiError(
            UNEXPECTED_BIO_TYPE, f"bioType {bio_type!r} not requested", index=index
        )
    sub_type = data.get("bioSubType")
    wanted = requested[bio_type]
    if bio_type == FACE:
        if sub_type not in (None, "", UNKNOWN_SUB_TYPE):
            raise SbiError(UNEXPECTED_BIO_TYPE, "face has no bioSubType", index=index)
        return
    if sub_type not in BIO_SUB_TYPES.get(bio_type, ()):
        raise SbiError(
            UNEXPECTED_BIO_TYPE, f"unknown bioSubType {sub_type!r}", index=index
        )
    if sub_type in wanted.exceptions:
        raise SbiError(
            UNEXPECTED_BIO_TYPE, f"{sub_type!r} was excluded (exception)", index=index
        )
    if not wanted.any_sub_type and sub_type not in wanted.named:
        raise SbiError(
            UNEXPECTED_BIO_TYPE, f"bioSubType {sub_type!r} not requested", index=index
        )


def _check_segments(verified, requested):
    """Each requested bio type: its named sub-types, ``count`` segments."""
    for bio_type, wanted in requested.items():
        indexes = [i for i, b in enumerate(verified) if b.bio_type == bio_type]
        got = {verified[i].bio_sub_type for i in indexes}
        missing = sorted(wanted.named - got)
        if missing or len(indexes) < wanted.count:
            raise SbiError(
                MISSING_SEGMENT,
                f"{bio_type}: {len(indexes)} of {wanted.count} segments"
                + (f", without {', '.join(missing)}" if missing else ""),
            )
        if len(indexes) > wanted.count:
            raise SbiError(
                EXTRA_SEGMENT,
                f"{bio_type}: {len(indexes)} segments, {wanted.count} requested",
                index=indexes[wanted.count],
            )


def verify_capture(response_body, request_body, policy):
    """Verify a RCAPTURE/CAPTURE answer (bytes/str, or an already parsed dict).

    ``request_body`` is the dict sent (``SbiRequest.body``). Returns a
    ``VerifiedCapture``; any refusal raises ``SbiError``.
    """
    if isinstance(response_body, dict):
        document = response_body
        if not isinstance(document.get("biometrics"), list) or not document.get(
            "biometrics"
        ):
            raise SbiError(MALFORMED, "biometrics missing or empty")
    else:
        document = parse_capture_response(response_body, policy.max_response_bytes)
    now = policy.clock()
    transaction_id = request_body.get("transactionId")
    purpose = request_body.get("purpose")
    requested = requested_segments(request_body)
    seen = set()  # (bioType, bioSubType) of the segments so far
    bios = request_body.get("bio") or [{}]
    previous_hash = bios[0].get("previousHash") or EMPTY_PREVIOUS_HASH
    check_chain = purpose != PURPOSE_AUTH or policy.decrypt_bio_value is not None
    verified = []
    for index, segment in enumerate(document["biometrics"]):
        if not isinstance(segment, dict):
            raise SbiError(MALFORMED, "segment must be an object", index=index)
        raise_for_device_error(segment.get("error"), index=index)
        spec_version = segment.get("specVersion")
        if spec_version not in policy.known_spec_versions:
            raise SbiError(
                UNKNOWN_SPEC_VERSION,
                f"specVersion {spec_version!r} unknown",
                index=index,
            )
        token = segment.get("data")
        if not isinstance(token, str) or not token:
            raise SbiError(MALFORMED, "data missing", index=index)
        try:
            signed = verify_jws(token, policy._trusted, now)
            data = signed.json()
        except SbiError as exc:
            exc.index = index
            raise
        if not isinstance(data, dict):
            raise SbiError(MALFORMED, "data payload must be an object", index=index)
        missing = [name for name in DATA_FIELDS if name not in data]
        if missing:
            raise SbiError(MALFORMED, f"data lacks {', '.join(missing)}", index=index)
        if data["transactionId"] != transaction_id:
            raise SbiError(WRONG_TRANSACTION, "transactionId differs", index=index)
        if data["purpose"] != purpose:
            raise SbiError(WRONG_PURPOSE, "purpose differs", index=index)
        if request_body.get("env") and data["env"] != request_body["env"]:
            raise SbiError(WRONG_ENVIRONMENT, "env differs", index=index)
        timestamp = parse_iso(data["timestamp"])
        if timestamp is None:
            raise SbiError(MALFORMED, "timestamp unreadable", index=index)
        if abs(now - timestamp) > policy.max_clock_skew:
            raise SbiError(
                STALE_TIMESTAMP, "timestamp outside the allowed window", index=index
            )
        digital_id = _check_digital_id(data["digitalId"], data, policy, now, index)
        _check_bio_type(data, requested, index)
        captured = (data["bioType"], data.get("bioSubType") or "")
        if captured[1] not in ("", UNKNOWN_SUB_TYPE):
            if captured in seen:
                raise SbiError(
                    DUPLICATE_SEGMENT, f"{captured[1]} captured twice", index=index
                )
            seen.add(captured)
        quality = _float(data["qualityScore"], "qualityScore", index)
        if quality < policy.min_quality:
            raise SbiError(
                LOW_QUALITY,
                f"qualityScore {quality} below {policy.min_quality}",
                index=index,
            )
        requested_score = data.get("requestedScore")
        requested_score = (
            None
            if requested_score in (None, "")
            else _float(requested_score, "requestedScore", index)
        )
        received_hash = segment.get("hash")
        if not isinstance(received_hash, str) or not received_hash:
            raise SbiError(BROKEN_HASH_CHAIN, "hash missing", index=index)
        if check_chain:
            if purpose == PURPOSE_AUTH:
                iso = policy.decrypt_bio_value(segment, data)
            else:
                try:
                    iso = b64url_decode(data["bioValue"])
                except SbiError as exc:
                    exc.index = index
                    raise
            expected = hash_link(previous_hash, iso)
            if received_hash.upper() != expected:
                raise SbiError(BROKEN_HASH_CHAIN, "hash does not chain", index=index)
        previous_hash = received_hash.upper()
        verified.append(
            VerifiedBiometric(
                bio_type=data["bioType"],
                bio_sub_type=data.get("bioSubType") or "",
                bio_value=data["bioValue"],
                quality_score=quality,
                requested_score=requested_score,
                timestamp=timestamp,
                hash=received_hash.upper(),
                digital_id=digital_id,
                device_code=str(data.get("deviceCode") or ""),
                spec_version=spec_version,
                certificate_thumbprint=signed.certificate_thumbprint,
                data=data,
                segment=segment,
            )
        )
    _check_segments(verified, requested)
    return VerifiedCapture(
        transaction_id=transaction_id,
        purpose=purpose,
        biometrics=verified,
        last_hash=previous_hash,
        hash_chain_checked=check_chain,
    )


def verify_device_info(token, policy):
    """Verify a signed ``deviceInfo`` JWS (registered device) and its
    ``digitalId``; returns the deviceInfo dict. Unsigned -> ``bad_signature``."""
    if not isinstance(token, str) or token.count(".") != 2:
        # Unregistered devices send a bare payload: readable, never trusted.
        unverified_payload(token)
        raise SbiError(BAD_SIGNATURE, "deviceInfo is not signed")
    now = policy.clock()
    info = verify_jws(token, policy._trusted, now).json()
    if not isinstance(info, dict):
        raise SbiError(MALFORMED, "deviceInfo must be an object")
    digital_id = info.get("digitalId")
    if isinstance(digital_id, str) and digital_id.count(".") == 2:
        verify_jws(digital_id, policy._trusted_ftm, now)
    return info
