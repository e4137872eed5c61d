"""MOSIP SBI (Secure Biometric Interface / MDS 0.9.5) client core.

Plain Python, never imports Odoo: request building (``protocol``), the
officer's capture choices (``choices``), response parsing with a size cap
(``parsing``), JWS + x5c chain checks (``jws``), capture verification
(``verify``), encryption at rest (``at_rest``). Every refusal is an
``SbiError`` whose ``code`` (or ``reason``) the Odoo shell translates.
"""

from .errors import (
    CODES,
    DEVICE_ERROR_CODES,
    DEVICE_ERROR_UNKNOWN,
    DEVICE_ERROR_VENDOR,
    SbiError,
    describe_device_error,
    device_error_key,
)
from .protocol import (
    BIO_SUB_TYPES,
    BIO_TYPES,
    CAPTURE,
    ENVIRONMENTS,
    FACE,
    FINGER,
    IRIS,
    MOSIPDINFO,
    MOSIPDISC,
    RCAPTURE,
    STREAM,
    SbiRequest,
    auth_capture_request,
    bio_request,
    device_info_request,
    discovery_request,
    registration_capture_request,
    stream_request,
)
from .choices import CHOICE_REASONS, MAX_COUNT, officer_capture_request
from .parsing import (
    parse_capture_response,
    parse_device_info_response,
    parse_discovery_response,
    parse_json_body,
)
from .verify import VerificationPolicy, hash_link, verify_capture, verify_device_info
from .at_rest import decrypt_capture, encrypt_capture, generate_master_key
from .jws import certificate_summaries

__all__ = [
    "BIO_SUB_TYPES",
    "BIO_TYPES",
    "CAPTURE",
    "CHOICE_REASONS",
    "CODES",
    "DEVICE_ERROR_CODES",
    "DEVICE_ERROR_UNKNOWN",
    "DEVICE_ERROR_VENDOR",
    "ENVIRONMENTS",
    "FACE",
    "FINGER",
    "IRIS",
    "MAX_COUNT",
    "MOSIPDINFO",
    "MOSIPDISC",
    "RCAPTURE",
    "STREAM",
    "SbiError",
    "SbiRequest",
    "VerificationPolicy",
    "auth_capture_request",
    "bio_request",
    "certificate_summaries",
    "decrypt_capture",
    "describe_device_error",
    "device_error_key",
    "device_info_request",
    "discovery_request",
    "encrypt_capture",
    "generate_master_key",
    "hash_link",
    "officer_capture_request",
    "parse_capture_response",
    "parse_device_info_response",
    "parse_discovery_response",
    "parse_json_body",
    "registration_capture_request",
    "stream_request",
    "verify_capture",
    "verify_device_info",
]
