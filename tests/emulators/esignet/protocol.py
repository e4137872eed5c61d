"""What the emulated eSignet speaks: endpoint paths, supported values, helpers."""

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .keys import b64url_encode

AUTHORIZE_PATH = "/authorize"
LOGIN_PATH = "/authorize/login"
CONSENT_PATH = "/authorize/consent"
TOKEN_PATH = "/v1/esignet/oauth/v2/token"
LEGACY_TOKEN_PATH = "/v1/esignet/oauth/token"
USERINFO_PATH = "/v1/esignet/oidc/userinfo"
JWKS_PATH = "/v1/esignet/oauth/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"
CLIENT_MGMT_PATH = "/v1/esignet/client-mgmt/oidc-client"

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGS = ("RS256", "PS256", "ES256")
MAX_ASSERTION_LIFETIME = 300
CLOCK_SKEW = 5

ACR_LABELS = {
    "mosip:idp:acr:generated-code": "OTP",
    "mosip:idp:acr:biometrics": "Biometrics",
    "mosip:idp:acr:linked-wallet": "Wallet (linked)",
    "mosip:idp:acr:static-code": "Static code / PIN",
}
SUPPORTED_ACRS = tuple(ACR_LABELS)
UI_LOCALES = ("en", "fr", "ar")
PKCE_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def add_query(uri, params):
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, v) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def s256(verifier: str) -> str:
    return b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())


def at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return b64url_encode(digest[: len(digest) // 2])


def split_values(value):
    """A space-separated parameter (scope, acr_values …) as a tuple."""
    return tuple(v for v in (value or "").split() if v)
