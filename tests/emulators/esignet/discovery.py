"""The OpenID discovery document of the emulated eSignet."""

from .claims import CLAIMS_SUPPORTED, SCOPES_SUPPORTED
from .protocol import (
    ASSERTION_ALGS,
    AUTHORIZE_PATH,
    JWKS_PATH,
    SUPPORTED_ACRS,
    TOKEN_PATH,
    UI_LOCALES,
    USERINFO_PATH,
)


def discovery_document(state, base=None):
    """Endpoints under ``base`` (default: the issuer) and what is supported."""
    issuer_base = base or state.issuer
    return {
        "issuer": state.issuer,
        "authorization_endpoint": issuer_base + AUTHORIZE_PATH,
        "token_endpoint": issuer_base + TOKEN_PATH,
        "userinfo_endpoint": issuer_base + USERINFO_PATH,
        "jwks_uri": issuer_base + JWKS_PATH,
        "scopes_supported": list(SCOPES_SUPPORTED),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "acr_values_supported": list(SUPPORTED_ACRS),
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGS),
        "id_token_signing_alg_values_supported": ["RS256"],
        "userinfo_signing_alg_values_supported": ["RS256"],
        "userinfo_encryption_alg_values_supported": ["RSA-OAEP-256"],
        "userinfo_encryption_enc_values_supported": ["A256GCM"],
        "claims_supported": list(CLAIMS_SUPPORTED),
        "claim_types_supported": ["normal"],
        "claims_parameter_supported": True,
        "claims_locales_supported": list(UI_LOCALES),
        "ui_locales_supported": list(UI_LOCALES),
        "display_values_supported": ["page", "popup", "touch", "wap"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "code_challenge_methods_supported": ["S256"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }
