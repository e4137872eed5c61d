"""OpenID Connect relying party core for MOSIP eSignet (no Odoo, no I/O).

The Odoo shell performs HTTP and keeps state (session, JWKS cache); this
package builds requests and verifies responses from plain values.
"""

from . import messages
from .authorize import build_authorize_url, build_claims_request, parse_callback
from .claims import MappedClaims, is_supported_image, map_claims, parse_mapping
from .client_assertion import (
    CLIENT_ASSERTION_TYPE,
    ClientSigningKey,
    build_client_assertion,
    build_token_request,
    check_assertion_alg,
    load_private_key,
    public_jwk,
)
from .errors import (
    ClaimMappingError,
    ConfigurationError,
    LinkingError,
    LockedFieldError,
    OidcError,
    ProviderResponseError,
    StateError,
    TokenValidationError,
    UnknownKeyError,
    UserinfoError,
)
from .id_token import verify_id_token
from .jwks import JwksRefreshPolicy, parse_jwks, select_key
from .linking import (
    LinkAction,
    LinkDecision,
    LinkingMode,
    NationalIdentity,
    REFUSAL_CHECKS,
    decide_login,
    holds_other_identity,
    national_identity,
    parse_linking_modes,
    serialize_linking_modes,
)
from .locked_fields import (
    NAME_PARTS,
    check_locked_write,
    expand_locked_fields,
    locked_fields_in,
)
from .pkce import s256_code_challenge
from .relying_party import (
    LoginResult,
    ProviderDiscovery,
    ProviderSettings,
    complete_login,
    discovery_url,
    parse_discovery,
)
from .token_response import TokenResponse, parse_token_response
from .transaction import (
    LoginTransaction,
    is_safe_redirect,
    pop_transaction,
    remember_transaction,
)
from .userinfo import (
    UserinfoClaims,
    check_userinfo_status,
    load_decryption_key,
    parse_userinfo,
)

__all__ = [
    "CLIENT_ASSERTION_TYPE",
    "ClaimMappingError",
    "ClientSigningKey",
    "ConfigurationError",
    "JwksRefreshPolicy",
    "LinkAction",
    "LinkDecision",
    "LinkingError",
    "LinkingMode",
    "LockedFieldError",
    "LoginResult",
    "LoginTransaction",
    "MappedClaims",
    "NAME_PARTS",
    "NationalIdentity",
    "OidcError",
    "ProviderDiscovery",
    "ProviderResponseError",
    "ProviderSettings",
    "REFUSAL_CHECKS",
    "StateError",
    "TokenResponse",
    "TokenValidationError",
    "UnknownKeyError",
    "UserinfoClaims",
    "UserinfoError",
    "build_authorize_url",
    "build_claims_request",
    "build_client_assertion",
    "build_token_request",
    "check_assertion_alg",
    "check_locked_write",
    "check_userinfo_status",
    "complete_login",
    "decide_login",
    "discovery_url",
    "expand_locked_fields",
    "holds_other_identity",
    "is_safe_redirect",
    "is_supported_image",
    "load_decryption_key",
    "load_private_key",
    "locked_fields_in",
    "map_claims",
    "messages",
    "national_identity",
    "parse_callback",
    "parse_discovery",
    "parse_jwks",
    "parse_linking_modes",
    "parse_mapping",
    "parse_token_response",
    "parse_userinfo",
    "pop_transaction",
    "public_jwk",
    "remember_transaction",
    "s256_code_challenge",
    "select_key",
    "serialize_linking_modes",
    "verify_id_token",
]
