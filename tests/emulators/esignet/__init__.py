"""Standalone MOSIP eSignet emulator (OpenID Connect provider) for tests/demos.

Never imports Odoo nor this repository's addons, and uses relative imports
only: the plain suite imports it as ``emulators.esignet``, the addons' Odoo
tests load it from the checkout under a private name.

- ``provider.Provider``: the protocol without HTTP (``state``, ``discovery``,
  ``authorize``, ``token_endpoint``, ``userinfo`` hold its parts);
- ``server.EsignetEmulator``: a Provider served over HTTP;
- ``in_process``: a relying party's transport straight to a Provider;
- ``cli``: ``python3 tests/emulators/esignet --port 8088``.
"""

from .browser import EmulatorLoginError
from .claims import CLAIMS_SUPPORTED
from .cli import main
from .errors import OAuthError
from .keys import ProviderSigningKey, jwk_thumbprint
from .protocol import (
    ACR_LABELS,
    ASSERTION_TYPE,
    AUTHORIZE_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    SUPPORTED_ACRS,
    TOKEN_PATH,
    USERINFO_PATH,
    at_hash,
    s256,
)
from .provider import Provider
from .server import EsignetEmulator
from .state import Faults

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
    "Provider",
    "ProviderSigningKey",
    "at_hash",
    "jwk_thumbprint",
    "main",
    "s256",
]
