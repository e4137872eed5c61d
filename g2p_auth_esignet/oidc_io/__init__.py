"""The I/O the ``oidc`` core leaves to its shell, in plain Python (no Odoo).

The core builds requests and verifies responses from plain values; the
models and controllers hand it what comes from outside the process through
this package: outbound HTTP bounded in time, size and encoding
(:class:`RequestsTransport`), the policy of what the server may fetch
(provider endpoints, KYC picture URLs and addresses) and the wall clock.
"""

from .clock import now
from .safe_fetch import (
    MAX_URL_LENGTH,
    check_endpoint_url,
    check_picture_url,
    image_from_data_url,
    is_loopback_host,
    is_public_address,
)
from .transport import HttpResponse, RequestsTransport, fetch_public_image

__all__ = [
    "HttpResponse",
    "MAX_URL_LENGTH",
    "RequestsTransport",
    "check_endpoint_url",
    "check_picture_url",
    "fetch_public_image",
    "image_from_data_url",
    "is_loopback_host",
    "is_public_address",
    "now",
]
