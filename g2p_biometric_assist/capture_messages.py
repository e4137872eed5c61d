"""What an officer reads when a capture is refused, in their language.

The SBI core (``sbi``) refuses with a code (``SbiError.code``), a finer
``reason`` for the officer's capture choices (``sbi.choices``) and a key for
the device's own error (``sbi.device_error_key``); the shell adds the
refusals below. Each sentence is written here once, inside ``_lt(…)`` so
that Odoo's translation export finds it. Sentences are %-formatted with
their parameters.
"""

from odoo.tools.translate import _lt

from .sbi import DEVICE_ERROR_UNKNOWN, DEVICE_ERROR_VENDOR, device_error_key
from .sbi import choices as c
from .sbi import errors as e

# Refusals of the shell, beside the core's codes.
REFUSED = "refused"  # anything without a sentence of its own
NO_CONSENT = "no_consent"
EXPIRED_REQUEST = "expired_request"
DEVICE_GONE = "device_gone"
TIMEOUT = "timeout"
DEVICE_FAILED = "device_failed"
# The three ways the server is not configured (code "not_configured").
NOT_CONFIGURED = "not_configured"
MASTER_KEY_MISSING = "master_key_missing"
NO_TRUSTED_PROVIDER = "no_trusted_provider"
UNREADABLE_CERTIFICATE = "unreadable_certificate"
# How the browser says a capture failed on the officer's machine.
BROWSER_FAILURES = frozenset({DEVICE_GONE, TIMEOUT, e.TOO_LARGE})

MESSAGES = {
    REFUSED: _lt("The capture was refused. Capture again."),
    NO_CONSENT: _lt("Record the registrant's consent before capturing."),
    EXPIRED_REQUEST: _lt(
        "This capture request is no longer known: it was made too long ago "
        "or in another window. Capture again."
    ),
    DEVICE_GONE: _lt(
        "The device stopped answering during the capture. Check that it is "
        "plugged in and its service is running, then capture again."
    ),
    TIMEOUT: _lt("The device did not answer in time. Capture again."),
    DEVICE_FAILED: _lt(
        "The capture did not complete on this computer. Check the device "
        "and capture again."
    ),
    MASTER_KEY_MISSING: _lt(
        "Biometric data cannot be stored on this server yet: its "
        "encryption key is not configured. Ask the administrator to "
        "set %(option)s in the Odoo configuration file."
    ),
    NO_TRUSTED_PROVIDER: _lt(
        "No biometric device provider is trusted yet. Ask the "
        "administrator to add the device provider's certificate in "
        "the settings."
    ),
    UNREADABLE_CERTIFICATE: _lt(
        "A trusted device provider certificate cannot be read."
    ),
    # The core's refusals.
    e.MALFORMED: _lt("The device's answer could not be read. Capture again."),
    e.TOO_LARGE: _lt("The device's answer is too large to be a capture."),
    e.BAD_SIGNATURE: _lt(
        "The device's signature does not match its data: the capture may "
        "have been altered. Capture again; if it repeats, do not use this "
        "device."
    ),
    e.UNTRUSTED_CERTIFICATE: _lt(
        "This device is not from a trusted device provider. Use a "
        "registered device, or ask the administrator to trust its provider."
    ),
    e.EXPIRED_CERTIFICATE: _lt(
        "This device's certificate has expired or is not valid yet. The "
        "device must be registered again by its provider."
    ),
    e.BAD_DIGITAL_ID: _lt(
        "The device's identity (digital ID) is missing or not signed "
        "correctly. Do not use this device."
    ),
    e.STALE_TIMESTAMP: _lt(
        "The capture's time is too far from the server's. Check the clock "
        "of this computer and capture again."
    ),
    e.WRONG_TRANSACTION: _lt(
        "The capture does not belong to this request. Capture again."
    ),
    e.WRONG_PURPOSE: _lt("The device did not capture for registration."),
    e.WRONG_ENVIRONMENT: _lt(
        "The device belongs to another environment (test or production)."
    ),
    e.UNEXPECTED_BIO_TYPE: _lt(
        "The device captured something that was not asked for. Capture again."
    ),
    e.MISSING_SEGMENT: _lt(
        "The device did not capture every finger or eye that was asked for. "
        "Capture again."
    ),
    e.DUPLICATE_SEGMENT: _lt(
        "The device sent the same finger or eye twice. Capture again."
    ),
    e.EXTRA_SEGMENT: _lt(
        "The device sent more images than were asked for. Capture again."
    ),
    e.UNKNOWN_SPEC_VERSION: _lt(
        "The device speaks an SBI version this portal does not know."
    ),
    e.LOW_QUALITY: _lt(
        "The quality of the capture is below what this program requires. "
        "Clean the sensor, position the finger, eye or face well and "
        "capture again."
    ),
    e.BROKEN_HASH_CHAIN: _lt(
        "The captured segments do not chain together: the capture may have "
        "been altered. Capture again."
    ),
    e.INVALID_REQUEST: _lt("These capture choices are not valid."),
    e.DECRYPTION_FAILED: _lt(
        "This capture cannot be decrypted with the configured key."
    ),
    # The officer's capture choices (``SbiError.reason``).
    c.CHOICE_BIO_TYPE: _lt("Choose a finger, iris or face device."),
    c.CHOICE_SUB_TYPE: _lt("A chosen finger or eye is not one this device captures."),
    c.CHOICE_NO_SUB_TYPE: _lt("Choose at least one finger or eye to capture."),
    c.CHOICE_CAPTURED_AND_MISSING: _lt(
        "A finger or eye cannot be both captured and marked as missing."
    ),
    c.CHOICE_COUNT: _lt("The count must be between 1 and 10."),
    c.CHOICE_DEVICE: _lt("Choose a device first."),
    # The device's own error codes (spec "Error Codes"), for ``sbi_error``.
    "device_error_100": _lt(
        "The device is not registered. Its provider must register it."
    ),
    "device_error_101": _lt(
        "The device could not detect a finger, eye or face. Position it "
        "on the sensor and capture again."
    ),
    "device_error_102": _lt(
        "The device had a technical error while reading. Capture again."
    ),
    "device_error_103": _lt("The device reports it was tampered with. Do not use it."),
    "device_error_104": _lt("The device cannot reach its management server."),
    "device_error_105": _lt(
        "The image is not oriented correctly. Position it and capture again."
    ),
    "device_error_106": _lt("The device was not found. Check that it is plugged in."),
    "device_error_107": _lt(
        "The device's key has expired. Its provider must renew it."
    ),
    "device_error_108": _lt("The device lacks the key to encrypt for authentication."),
    "device_error_109": _lt(
        "The device cannot capture that many fingers or eyes at once."
    ),
    "device_error_110": _lt(
        "The device is not ready. Wait a moment and capture again."
    ),
    "device_error_111": _lt(
        "The device is busy with another capture. Wait and capture again."
    ),
    "device_error_112": _lt("The device refused the transaction ID. Capture again."),
    "device_error_202": _lt("No device is connected to the device service."),
    DEVICE_ERROR_VENDOR: _lt(
        "The device reported an error of its own (code %(code)s)."
    ),
    DEVICE_ERROR_UNKNOWN: _lt("The device reported an error (code %(code)s)."),
}


def translated(code, params=None):
    """The officer's-language sentence of a refusal code.

    An unknown code, or a sentence whose translation does not fit its
    parameters, gives the generic refusal: an officer never sees a code or
    a broken sentence.
    """
    entry = MESSAGES.get(code) if isinstance(code, str) else None
    if entry is None:
        return str(MESSAGES[REFUSED])
    try:
        return str(entry) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES[REFUSED])


def sbi_refusal(error):
    """(key, params) of the sentence for a core ``SbiError``."""
    if error.code == e.SBI_ERROR:
        key = device_error_key(error.device_error_code)
        if key not in MESSAGES:  # "0" is success: never a refusal's cause
            key = DEVICE_ERROR_UNKNOWN
        code = str(error.device_error_code or "").strip() or "?"
        return key, {"code": code}
    if error.reason in MESSAGES:
        return error.reason, None
    return error.code, None
