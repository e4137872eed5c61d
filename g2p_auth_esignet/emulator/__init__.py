"""Standalone MOSIP eSignet emulator (OpenID Connect provider) for tests/demos.

Never imports Odoo. Use relative imports only: this package is loaded as
``odoo.addons.g2p_auth_esignet.emulator``, ``g2p_auth_esignet.emulator`` and,
when run as a directory, under a private name (see ``__main__.py``).
"""

from .browser import EmulatorLoginError
from .keys import SigningKey, jwk_thumbprint
from .provider import (
    ACR_LABELS,
    ASSERTION_TYPE,
    AUTHORIZE_PATH,
    CLAIMS_SUPPORTED,
    DISCOVERY_PATH,
    JWKS_PATH,
    SUPPORTED_ACRS,
    TOKEN_PATH,
    USERINFO_PATH,
    Faults,
    OAuthError,
    at_hash,
    s256,
)
from .server import EsignetEmulator, main

__all__ = [
    "ACR_LABELS",
    "ASSERTION_TYPE",
    "AUTHORIZE_PATH",
    "CLAIMS_SUPPORTED",
    "DISCOVERY_PATH",
    "JWKS_PATH",
    "SUPPORTED_ACRS",
    "TOKEN_PATH",
    "USERINFO_PATH",
    "EmulatorLoginError",
    "EsignetEmulator",
    "Faults",
    "OAuthError",
    "SigningKey",
    "at_hash",
    "jwk_thumbprint",
    "main",
    "s256",
]
