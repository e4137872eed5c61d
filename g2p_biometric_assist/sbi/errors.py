"""Typed refusals of the SBI core: one exception class, a stable ``code``.

The Odoo shell maps ``SbiError.code`` (or its finer ``reason``) to a
translated sentence; the English message is for logs only.
``device_error_code`` carries the device's own ``error.errorCode`` for
``sbi_error``: ``device_error_key`` names it for the shell, with the same
keys as the browser's client (``sbi_client.js``, ``describeError``).
"""

# Refusal codes (stable API: the Odoo shell translates them).
MALFORMED = "malformed"
TOO_LARGE = "too_large"
BAD_SIGNATURE = "bad_signature"
UNTRUSTED_CERTIFICATE = "untrusted_certificate"
EXPIRED_CERTIFICATE = "expired_certificate"
BAD_DIGITAL_ID = "bad_digital_id"
STALE_TIMESTAMP = "stale_timestamp"
WRONG_TRANSACTION = "wrong_transaction"
WRONG_PURPOSE = "wrong_purpose"
WRONG_ENVIRONMENT = "wrong_environment"
UNEXPECTED_BIO_TYPE = "unexpected_bio_type"
# The segments do not match the request: one missing, the same finger or
# eye twice, or more than the requested count.
MISSING_SEGMENT = "missing_segment"
DUPLICATE_SEGMENT = "duplicate_segment"
EXTRA_SEGMENT = "extra_segment"
UNKNOWN_SPEC_VERSION = "unknown_spec_version"
LOW_QUALITY = "low_quality"
BROKEN_HASH_CHAIN = "broken_hash_chain"
SBI_ERROR = "sbi_error"
INVALID_REQUEST = "invalid_request"
DECRYPTION_FAILED = "decryption_failed"

CODES = frozenset(
    {
        MALFORMED,
        TOO_LARGE,
        BAD_SIGNATURE,
        UNTRUSTED_CERTIFICATE,
        EXPIRED_CERTIFICATE,
        BAD_DIGITAL_ID,
        STALE_TIMESTAMP,
        WRONG_TRANSACTION,
        WRONG_PURPOSE,
        WRONG_ENVIRONMENT,
        UNEXPECTED_BIO_TYPE,
        MISSING_SEGMENT,
        DUPLICATE_SEGMENT,
        EXTRA_SEGMENT,
        UNKNOWN_SPEC_VERSION,
        LOW_QUALITY,
        BROKEN_HASH_CHAIN,
        SBI_ERROR,
        INVALID_REQUEST,
        DECRYPTION_FAILED,
    }
)

# Device error codes: MOSIP MDS/SBI specification, "Error Codes" section
# (mosip/documentation docs/biometrics/mds-specification.md); 202 comes from
# the stream error example and api/sbi/common.yaml. 5xx are vendor-defined.
DEVICE_ERROR_CODES = {
    "0": "Success",
    "100": "Device not registered",
    "101": "Unable to detect a biometric object",
    "102": "Technical error during extraction",
    "103": "Device tamper detected",
    "104": "Unable to connect to the management server",
    "105": "Image orientation error",
    "106": "Device not found",
    "107": "Device public key expired",
    "108": "Domain public key missing",
    "109": "Requested number of biometric (Finger/IRIS) not supported",
    "110": "Device is not ready",
    "111": "Device is Busy",
    "112": "Invalid Transaction ID",
    "202": "No device connected",
}


DEVICE_ERROR_PREFIX = "device_error_"
# The spec leaves 5xx to each device provider.
DEVICE_ERROR_VENDOR = DEVICE_ERROR_PREFIX + "vendor"
DEVICE_ERROR_UNKNOWN = DEVICE_ERROR_PREFIX + "unknown"


def device_error_key(error_code):
    """``device_error_<code>`` for a code of the spec's table,
    ``DEVICE_ERROR_VENDOR`` for a provider's own (5xx), else
    ``DEVICE_ERROR_UNKNOWN``."""
    code = "" if error_code is None else str(error_code).strip()
    if code in DEVICE_ERROR_CODES:
        return DEVICE_ERROR_PREFIX + code
    if len(code) == 3 and code.startswith("5") and code.isdigit():
        return DEVICE_ERROR_VENDOR
    return DEVICE_ERROR_UNKNOWN


def describe_device_error(error_code):
    """English description of a device ``errorCode`` (vendor codes included)."""
    key = device_error_key(error_code)
    if key == DEVICE_ERROR_VENDOR:
        return "Device provider specific error"
    if key == DEVICE_ERROR_UNKNOWN:
        return "Unknown device error"
    return DEVICE_ERROR_CODES[key.removeprefix(DEVICE_ERROR_PREFIX)]


class SbiError(Exception):
    """A refusal: ``code`` is one of ``CODES``; ``reason``, when given, says
    which of the caller's choices made it (see ``choices``)."""

    def __init__(
        self, code, message="", *, device_error_code=None, index=None, reason=None
    ):
        if code not in CODES:
            raise ValueError(f"unknown SBI refusal code {code!r}")
        self.code = code
        self.reason = reason
        self.device_error_code = device_error_code
        self.index = index  # position of the biometric segment, if any
        text = message or code
        if index is not None:
            text = f"biometrics[{index}]: {text}"
        super().__init__(text)
