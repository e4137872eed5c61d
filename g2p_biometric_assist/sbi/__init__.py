"""MOSIP SBI (Secure Biometric Interface / MDS 0.9.5) client core.

Plain Python, never imports Odoo: request building (``protocol``), response
parsing with a size cap (``parsing``), JWS + x5c chain checks (``jws``),
capture verification (``verify``), encryption at rest (``at_rest``). Every
refusal is an ``SbiError`` whose ``code`` the Odoo shell translates.
"""

from .errors import CODES, DEVICE_ERROR_CODES, SbiError, describe_device_error
from .protocol import (
    CAPTURE,
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
from .parsing import (
    parse_capture_response,
    parse_device_info_response,
    parse_discovery_response,
    parse_json_body,
)
from .verify import VerificationPolicy, hash_link, verify_capture, verify_device_info
from .at_rest import decrypt_capture, encrypt_capture, generate_master_key
from .jws import certificate_summaries
