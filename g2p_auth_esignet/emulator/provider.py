"""Protocol core of the eSignet emulator: no HTTP, no Odoo.

Holds registered clients, identities, login transactions, authorization codes
and access tokens, and implements the OIDC/OAuth rules that eSignet applies.
The HTTP layer (``server.py``) only translates requests into calls here.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwcrypto import jwe as jwcrypto_jwe
from jwcrypto import jwk as jwcrypto_jwk

from .keys import SigningKey, b64url_decode, b64url_encode, load_public_jwk

_logger = logging.getLogger(__name__)

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

SCOPE_CLAIMS = {
    "profile": (
        "name",
        "given_name",
        "middle_name",
        "family_name",
        "nickname",
        "preferred_username",
        "gender",
        "birthdate",
        "picture",
        "locale",
        "updated_at",
    ),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
}
SCOPES_SUPPORTED = ("openid", *SCOPE_CLAIMS)
# Only released when asked for explicitly through the ``claims`` parameter.
EXTRA_CLAIMS = ("individual_id", "national_id")
CLAIMS_SUPPORTED = tuple(
    dict.fromkeys(
        ["sub", *(c for claims in SCOPE_CLAIMS.values() for c in claims)]
        + list(EXTRA_CLAIMS)
    )
)
PROTOCOL_CLAIMS = frozenset(
    {"sub", "iss", "aud", "azp", "exp", "iat", "nbf", "auth_time", "nonce"}
    | {"acr", "amr", "at_hash", "c_hash", "sid", "jti"}
)
UI_LOCALES = ("en", "fr", "ar")
_PKCE_RE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")

DEFAULT_IDENTITIES_FILE = Path(__file__).resolve().parent / "identities.json"


class OAuthError(Exception):
    """A JSON OAuth error (token/userinfo endpoints)."""

    def __init__(self, error, description, status=400, www_authenticate=None):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status
        self.www_authenticate = www_authenticate

    def as_dict(self):
        return {"error": self.error, "error_description": self.description}


class PageError(Exception):
    """An error shown as an HTML page; never redirected (unsafe redirect_uri)."""

    def __init__(self, error, description, status=400):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


class RedirectError(Exception):
    """An authorization error returned to the (validated) redirect_uri."""

    def __init__(self, redirect_uri, error, description, state=None):
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.location = add_query(
            redirect_uri,
            {"error": error, "error_description": description, "state": state},
        )


class LoginFailed(Exception):
    """Wrong individual ID or OTP: the login page is shown again."""


@dataclass
class Faults:
    """Fault injection switches; all off by default. Mutate freely in tests."""

    expired_id_token: bool = False
    id_token_wrong_audience: bool = False
    id_token_wrong_issuer: bool = False
    id_token_wrong_nonce: bool = False
    userinfo_sub_mismatch: bool = False
    tamper_userinfo: bool = False
    sign_with_unpublished_key: bool = False
    delay_seconds: float = 0.0
    token_http_error: bool = False

    def reset(self):
        for f in fields(self):
            setattr(self, f.name, f.default)

    def update(self, values: dict):
        known = {f.name: f for f in fields(self)}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        cleaned = {}
        for name, value in values.items():
            if isinstance(known[name].default, bool):
                if not isinstance(value, bool):
                    raise ValueError(f"fault {name} must be a boolean")
                cleaned[name] = value
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"fault {name} must be a number")
            if value < 0 or value > 600:
                raise ValueError(f"fault {name} must be between 0 and 600")
            cleaned[name] = float(value)
        for name, value in cleaned.items():  # all or nothing
            setattr(self, name, value)

    def as_dict(self):
        return asdict(self)


@dataclass
class Client:
    client_id: str
    public_jwk: dict
    redirect_uris: list
    userinfo_encryption_jwk: dict = None
    allowed_acr: tuple = SUPPORTED_ACRS
    claims: tuple = CLAIMS_SUPPORTED
    name: str = ""
    public_key: object = field(default=None, repr=False)


@dataclass
class Identity:
    individual_id: str
    otp: str
    claims: dict


@dataclass
class Transaction:
    id: str
    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    code_challenge: str
    acr: str
    scope: tuple
    userinfo_claims: dict  # claim name -> essential
    id_token_claims: dict
    claims_locales: tuple
    ui_locales: tuple
    expires: float
    individual_id: str = None
    auth_time: int = None
    sid: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    @property
    def requested_claims(self):
        merged = dict(self.userinfo_claims)
        for name, essential in self.id_token_claims.items():
            merged[name] = merged.get(name, False) or essential
        return merged


@dataclass
class AuthCode:
    client_id: str
    redirect_uri: str
    code_challenge: str
    individual_id: str
    nonce: str
    acr: str
    auth_time: int
    sid: str
    userinfo_claims: tuple
    id_token_claims: tuple
    claims_locales: tuple
    expires: float
    used: bool = False
    access_tokens: list = field(default_factory=list)


@dataclass
class AccessToken:
    client_id: str
    individual_id: str
    userinfo_claims: tuple
    claims_locales: tuple
    issued_at: int
    expires: float
    revoked: bool = False


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


def _load_json(source):
    if isinstance(source, (str, Path)):
        return json.loads(Path(source).read_text(encoding="utf-8"))
    return source


def _split(value):
    return tuple(v for v in (value or "").split() if v)


class Provider:
    """State and rules of the emulated eSignet (thread-safe)."""

    def __init__(
        self,
        identities=None,
        clients=None,
        issuer=None,
        psut_secret=None,
        signing_key=None,
        code_lifetime=60,
        access_token_lifetime=3600,
        id_token_lifetime=3600,
        transaction_lifetime=600,
    ):
        self._lock = threading.RLock()
        self._issuer = issuer.rstrip("/") if issuer else None
        if psut_secret is None:
            psut_secret = secrets.token_bytes(32)
        if isinstance(psut_secret, str):
            psut_secret = psut_secret.encode("utf-8")
        self._psut_secret = psut_secret
        if signing_key is not None and not isinstance(signing_key, SigningKey):
            signing_key = SigningKey(signing_key)
        self._signing_key = signing_key or SigningKey()
        self._retired_keys = []  # (SigningKey, published_until)
        self._unpublished_key = None
        self.code_lifetime = code_lifetime
        self.access_token_lifetime = access_token_lifetime
        self.id_token_lifetime = id_token_lifetime
        self.transaction_lifetime = transaction_lifetime
        self.faults = Faults()
        self.clients = {}
        self.identities = {}
        self._transactions = {}
        self._codes = {}
        self._access_tokens = {}
        self._used_jtis = {}
        self.load_identities(
            DEFAULT_IDENTITIES_FILE if identities is None else identities
        )
        for entry in _load_json(clients) or ():
            self.register_client_dict(entry)

    # ------------------------------------------------------------ configuration
    @property
    def base_url(self):  # overridden by the HTTP emulator
        return self._issuer

    @property
    def issuer(self):
        return self._issuer or self.base_url

    def load_identities(self, source):
        data = _load_json(source)
        if isinstance(data, dict):
            data = [{"individual_id": k, **v} for k, v in data.items()]
        identities = {}
        for entry in data:
            individual_id = str(entry["individual_id"])
            identities[individual_id] = Identity(
                individual_id=individual_id,
                otp=str(entry.get("otp", "111111")),
                claims=dict(entry.get("claims", {})),
            )
        with self._lock:
            self.identities = identities

    def register_client(
        self,
        client_id,
        public_jwk,
        redirect_uris,
        userinfo_encryption_jwk=None,
        allowed_acr=None,
        claims=None,
        name="",
    ):
        if not client_id or not isinstance(client_id, str):
            raise ValueError("client_id must be a non-empty string")
        if isinstance(public_jwk, str):
            public_jwk = json.loads(public_jwk)
        public_key = load_public_jwk(public_jwk)
        if isinstance(redirect_uris, str):
            redirect_uris = [redirect_uris]
        if not redirect_uris:
            raise ValueError("at least one redirect_uri is required")
        for uri in redirect_uris:
            parts = urlsplit(uri)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"redirect_uri must be an absolute URL: {uri!r}")
            if parts.fragment:
                raise ValueError("redirect_uri must not contain a fragment")
        if isinstance(userinfo_encryption_jwk, str):
            userinfo_encryption_jwk = json.loads(userinfo_encryption_jwk)
        if userinfo_encryption_jwk is not None:
            enc_key = load_public_jwk(userinfo_encryption_jwk)
            if not isinstance(enc_key, rsa.RSAPublicKey):
                raise ValueError("userinfo encryption key must be an RSA key")
        allowed_acr = tuple(allowed_acr or SUPPORTED_ACRS)
        unknown = set(allowed_acr) - set(SUPPORTED_ACRS)
        if unknown:
            raise ValueError(f"unsupported acr values: {sorted(unknown)}")
        client = Client(
            client_id=client_id,
            public_jwk=dict(public_jwk),
            redirect_uris=list(redirect_uris),
            userinfo_encryption_jwk=userinfo_encryption_jwk,
            allowed_acr=allowed_acr,
            claims=tuple(claims) if claims is not None else CLAIMS_SUPPORTED,
            name=name or client_id,
            public_key=public_key,
        )
        with self._lock:
            self.clients[client_id] = client
        _logger.info("registered client %s", client_id)
        return client

    def register_client_dict(self, entry):
        """Register from a dict in emulator or eSignet client-mgmt spelling."""

        def pick(*names):
            for n in names:
                if entry.get(n) is not None:
                    return entry[n]
            return None

        return self.register_client(
            client_id=pick("client_id", "clientId"),
            public_jwk=pick("public_jwk", "publicKey"),
            redirect_uris=pick("redirect_uris", "redirectUris"),
            userinfo_encryption_jwk=pick(
                "userinfo_encryption_jwk", "userinfoEncryptionJwk"
            ),
            allowed_acr=pick("allowed_acr", "authContextRefs"),
            claims=pick("claims", "userClaims"),
            name=pick("name", "clientName") or "",
        )

    def psut(self, individual_id, client_id):
        """Partner Specific User Token: stable per (identity, client), unlinkable."""
        message = f"{individual_id}|{client_id}".encode()
        digest = hmac.new(self._psut_secret, message, hashlib.sha256).digest()
        return b64url_encode(digest)

    # ------------------------------------------------------------------- keys
    @property
    def signing_kid(self):
        return self._signing_key.kid

    def rotate_keys(self, keep_old=False, grace_seconds=600.0):
        """Switch to a fresh signing key (new kid) and return its kid.

        The previous key is dropped from the JWKS unless ``keep_old`` is true,
        in which case it stays published for ``grace_seconds``.
        """
        new_key = SigningKey()
        with self._lock:
            old = self._signing_key
            self._signing_key = new_key
            if keep_old:
                self._retired_keys.append((old, time.time() + grace_seconds))
            else:
                self._retired_keys = []
        _logger.info("rotated signing key (keep_old=%s)", keep_old)
        return new_key.kid

    def jwks(self):
        now = time.time()
        with self._lock:
            self._retired_keys = [(k, t) for k, t in self._retired_keys if t > now]
            keys = [self._signing_key] + [k for k, _ in self._retired_keys]
        return {"keys": [dict(k.public_jwk) for k in keys]}

    def _sign(self, payload):
        if self.faults.sign_with_unpublished_key:
            with self._lock:
                if self._unpublished_key is None:
                    self._unpublished_key = SigningKey()
                key = self._unpublished_key
        else:
            key = self._signing_key
        headers = {"kid": key.kid, "typ": "JWT"}
        return jwt.encode(payload, key.private_key, algorithm="RS256", headers=headers)

    # -------------------------------------------------------------- discovery
    def discovery(self, base=None):
        issuer_base = base or self.issuer
        return {
            "issuer": self.issuer,
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

    # ------------------------------------------------------------ /authorize
    def _prune(self):
        now = time.time()
        for store in (self._transactions, self._access_tokens):
            for key in [k for k, v in store.items() if v.expires <= now]:
                del store[key]
        # keep used/expired codes a while so that reuse can still be detected
        horizon = now - max(self.code_lifetime, 0) * 10 - 60
        for key in [k for k, v in self._codes.items() if v.expires <= horizon]:
            del self._codes[key]
        for key in [k for k, exp in self._used_jtis.items() if exp < now - 60]:
            del self._used_jtis[key]

    def start_authorization(self, params, duplicates=()):
        """Validate an authorization request; return the new Transaction.

        ``params`` maps names to single values; ``duplicates`` names the
        parameters that were sent more than once (refused, RFC 6749 3.1).
        """
        if {"client_id", "redirect_uri"} & set(duplicates):
            raise PageError("invalid_request", "Repeated client_id/redirect_uri.")
        client = self.clients.get(params.get("client_id") or "")
        if client is None:
            raise PageError("invalid_client", "Unknown or missing client_id.")
        redirect_uri = params.get("redirect_uri") or ""
        if redirect_uri not in client.redirect_uris:
            raise PageError(
                "invalid_redirect_uri",
                "The redirect_uri is not registered for this client.",
            )
        state = params.get("state") or None

        def fail(error, description):
            raise RedirectError(redirect_uri, error, description, state)

        if duplicates:
            fail("invalid_request", f"Repeated parameter(s): {sorted(duplicates)}.")
        if params.get("request") or params.get("request_uri"):
            fail("request_not_supported", "Request objects are not supported.")
        if params.get("response_type") != "code":
            fail("unsupported_response_type", "response_type must be 'code'.")
        scope = _split(params.get("scope"))
        if "openid" not in scope:
            fail("invalid_scope", "scope must contain 'openid'.")
        if not state:
            fail("invalid_request", "state is required.")
        nonce = params.get("nonce")
        if not nonce:
            fail("invalid_request", "nonce is required.")
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method")
        if not challenge:
            fail("invalid_request", "code_challenge is required (PKCE).")
        if method != "S256":
            fail("invalid_request", "code_challenge_method must be S256.")
        if not _PKCE_RE.fullmatch(challenge):
            fail("invalid_request", "code_challenge is malformed.")
        acr_values = _split(params.get("acr_values"))
        if acr_values:
            not_allowed = [a for a in acr_values if a not in client.allowed_acr]
            if not_allowed:
                fail("invalid_request", "invalid_acr: acr_values not allowed.")
            acr = acr_values[0]
        else:
            acr = client.allowed_acr[0]
        if "none" in _split(params.get("prompt")):
            fail("login_required", "prompt=none: no active session.")
        claims_param = {}
        if params.get("claims"):
            try:
                claims_param = json.loads(params["claims"])
            except ValueError:
                claims_param = None
            if not isinstance(claims_param, dict) or not all(
                isinstance(claims_param.get(k) or {}, dict)
                for k in ("userinfo", "id_token")
            ):
                fail("invalid_request", "claims must be a JSON object.")
        userinfo_claims = {}
        for scope_name in scope:
            for claim in SCOPE_CLAIMS.get(scope_name, ()):
                userinfo_claims.setdefault(claim, False)
        self._merge_claim_requests(userinfo_claims, claims_param.get("userinfo"))
        id_token_claims = {}
        self._merge_claim_requests(id_token_claims, claims_param.get("id_token"))
        allowed = set(client.claims)

        def keep(requested):
            return {
                name: essential
                for name, essential in requested.items()
                if name.partition("#")[0] in allowed
                and name.partition("#")[0] in CLAIMS_SUPPORTED
                and name.partition("#")[0] not in PROTOCOL_CLAIMS
            }

        ui_locales = tuple(x for x in _split(params.get("ui_locales")) if x)
        transaction = Transaction(
            id=secrets.token_urlsafe(24),
            client_id=client.client_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=nonce,
            code_challenge=challenge,
            acr=acr,
            scope=scope,
            userinfo_claims=keep(userinfo_claims),
            id_token_claims=keep(id_token_claims),
            claims_locales=_split(params.get("claims_locales")),
            ui_locales=ui_locales,
            expires=time.time() + self.transaction_lifetime,
        )
        with self._lock:
            self._prune()
            self._transactions[transaction.id] = transaction
        return transaction

    @staticmethod
    def _merge_claim_requests(target, requested):
        for name, spec in (requested or {}).items():
            essential = isinstance(spec, dict) and spec.get("essential") is True
            target[name] = target.get(name, False) or essential

    def _transaction(self, transaction_id):
        with self._lock:
            transaction = self._transactions.get(transaction_id or "")
            if transaction is None or transaction.expires <= time.time():
                self._transactions.pop(transaction_id or "", None)
                raise PageError(
                    "invalid_transaction",
                    "The login transaction is unknown or has expired.",
                )
            return transaction

    def get_transaction(self, transaction_id):
        return self._transaction(transaction_id)

    def authenticate(self, transaction_id, individual_id, otp):
        transaction = self._transaction(transaction_id)
        identity = self.identities.get((individual_id or "").strip())
        if identity is None or not hmac.compare_digest(
            identity.otp.encode(), (otp or "").strip().encode()
        ):
            raise LoginFailed("Authentication failed: check the ID and the OTP.")
        with self._lock:
            transaction.individual_id = identity.individual_id
            transaction.auth_time = int(time.time())
        return transaction

    def finish_consent(self, transaction_id, allow, accepted_claims=()):
        """Return the redirect Location (code or consent_rejected)."""
        transaction = self._transaction(transaction_id)
        if transaction.individual_id is None:
            raise PageError("invalid_transaction", "The user is not authenticated.")
        with self._lock:
            self._transactions.pop(transaction.id, None)
        if not allow:
            return add_query(
                transaction.redirect_uri,
                {
                    "error": "consent_rejected",
                    "error_description": "The user cancelled the consent.",
                    "state": transaction.state,
                },
            )
        # essential claims (in userinfo or id_token) cannot be declined
        merged = transaction.requested_claims
        accepted = set(accepted_claims) | {n for n, ess in merged.items() if ess}

        def consented(requested):
            return tuple(name for name in requested if name in accepted)

        code = secrets.token_urlsafe(32)
        record = AuthCode(
            client_id=transaction.client_id,
            redirect_uri=transaction.redirect_uri,
            code_challenge=transaction.code_challenge,
            individual_id=transaction.individual_id,
            nonce=transaction.nonce,
            acr=transaction.acr,
            auth_time=transaction.auth_time,
            sid=transaction.sid,
            userinfo_claims=consented(transaction.userinfo_claims),
            id_token_claims=consented(transaction.id_token_claims),
            claims_locales=transaction.claims_locales,
            expires=time.time() + self.code_lifetime,
        )
        with self._lock:
            self._prune()
            self._codes[code] = record
        return add_query(
            transaction.redirect_uri, {"code": code, "state": transaction.state}
        )

    # ------------------------------------------------------------------ token
    def _apply_delay(self):
        delay = self.faults.delay_seconds
        if delay:
            time.sleep(delay)

    def token(self, form, authorization=None, request_base=None):
        """Handle a token request (form: dict of single values)."""
        self._apply_delay()
        if self.faults.token_http_error:
            raise OAuthError("server_error", "Injected fault: token_http_error.", 500)
        if form.get("grant_type") != "authorization_code":
            raise OAuthError(
                "unsupported_grant_type", "grant_type must be authorization_code."
            )
        if form.get("client_secret") or (authorization or "").lower().startswith(
            "basic "
        ):
            raise OAuthError(
                "invalid_client",
                "Only private_key_jwt client authentication is supported.",
                401,
            )
        assertion = form.get("client_assertion")
        if form.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
            raise OAuthError(
                "invalid_client",
                f"client_assertion with client_assertion_type {ASSERTION_TYPE} "
                "is required.",
                401,
            )
        client_id = form.get("client_id")
        if not client_id:
            try:
                client_id = jwt.decode(
                    assertion, options={"verify_signature": False}
                ).get("iss")
            except jwt.PyJWTError:
                client_id = None
        client = self.clients.get(client_id or "")
        if client is None:
            raise OAuthError("invalid_client", "Unknown client_id.", 401)
        self._verify_assertion(client, assertion, request_base)
        return self._redeem_code(client, form)

    def assertion_audiences(self, request_base=None):
        bases = {self.issuer, self.base_url, request_base} - {None}
        audiences = set(bases)
        for base in bases:
            audiences.add(base + TOKEN_PATH)
            audiences.add(base + LEGACY_TOKEN_PATH)
        return sorted(audiences)

    def _verify_assertion(self, client, assertion, request_base):
        def bad(description):
            return OAuthError("invalid_assertion", description, 400)

        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError as exc:
            raise bad(f"Malformed client_assertion: {exc}") from None
        alg = header.get("alg")
        if alg not in ASSERTION_ALGS:
            raise bad(f"Unsupported client_assertion alg {alg!r}.")
        key = client.public_key
        expected_key_type = (
            ec.EllipticCurvePublicKey if alg == "ES256" else rsa.RSAPublicKey
        )
        if not isinstance(key, expected_key_type):
            raise bad(f"alg {alg} does not match the registered key type.")
        jwk_alg = client.public_jwk.get("alg")
        if jwk_alg and jwk_alg != alg:
            raise bad(f"The registered key is restricted to {jwk_alg}.")
        try:
            claims = jwt.decode(
                assertion,
                key,
                algorithms=[alg],
                audience=self.assertion_audiences(request_base),
                issuer=client.client_id,
                leeway=CLOCK_SKEW,
                options={"require": ["iss", "sub", "aud", "exp", "jti"]},
            )
        except jwt.InvalidSignatureError:
            raise bad("client_assertion signature verification failed.") from None
        except jwt.ExpiredSignatureError:
            raise bad("client_assertion has expired.") from None
        except jwt.ImmatureSignatureError:
            raise bad("client_assertion iat/nbf is in the future.") from None
        except jwt.InvalidAudienceError:
            raise bad("client_assertion aud must be the token endpoint.") from None
        except jwt.InvalidIssuerError:
            raise bad("client_assertion iss must be the client_id.") from None
        except jwt.PyJWTError as exc:
            raise bad(f"Invalid client_assertion: {exc}") from None
        if claims.get("sub") != client.client_id:
            raise bad("client_assertion sub must be the client_id.")
        now = time.time()
        exp = claims["exp"]
        iat = claims.get("iat")
        if iat is not None:
            if not isinstance(iat, (int, float)) or iat > now + CLOCK_SKEW:
                raise bad("client_assertion iat is in the future.")
            lifetime = exp - iat
        else:
            lifetime = exp - now
        if lifetime > MAX_ASSERTION_LIFETIME + CLOCK_SKEW:
            raise bad(f"client_assertion lifetime exceeds {MAX_ASSERTION_LIFETIME} s.")
        jti_key = (client.client_id, str(claims["jti"]))
        with self._lock:
            if jti_key in self._used_jtis:
                raise bad("client_assertion jti has already been used.")
            self._used_jtis[jti_key] = exp
        return claims

    def _redeem_code(self, client, form):
        def grant_error(description):
            return OAuthError("invalid_grant", description, 400)

        code = form.get("code") or ""
        now = time.time()
        with self._lock:
            record = self._codes.get(code)
            if record is None:
                raise grant_error("Unknown authorization code.")
            if record.used:
                for token in record.access_tokens:
                    if token in self._access_tokens:
                        self._access_tokens[token].revoked = True
                _logger.warning(
                    "authorization code reuse detected for client %s; "
                    "revoked %d access token(s) issued with it",
                    client.client_id,
                    len(record.access_tokens),
                )
                raise grant_error(
                    "Authorization code already used; tokens issued with it "
                    "have been revoked."
                )
            if record.expires <= now:
                raise grant_error("Authorization code has expired.")
            if record.client_id != client.client_id:
                raise grant_error("Authorization code was issued to another client.")
            if form.get("redirect_uri") != record.redirect_uri:
                raise grant_error("redirect_uri does not match the authorize request.")
            verifier = form.get("code_verifier") or ""
            if not _PKCE_RE.fullmatch(verifier):
                raise grant_error("code_verifier is missing or malformed.")
            if not hmac.compare_digest(s256(verifier), record.code_challenge):
                raise grant_error("code_verifier does not match the code_challenge.")
            record.used = True
            access_token = secrets.token_urlsafe(32)
            record.access_tokens.append(access_token)
            issued_at = int(now)
            self._access_tokens[access_token] = AccessToken(
                client_id=client.client_id,
                individual_id=record.individual_id,
                userinfo_claims=record.userinfo_claims,
                claims_locales=record.claims_locales,
                issued_at=issued_at,
                expires=now + self.access_token_lifetime,
            )
        id_token = self._sign(self._id_token_claims(client, record, access_token))
        _logger.info("issued tokens to client %s", client.client_id)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": int(self.access_token_lifetime),
            "id_token": id_token,
        }

    def _id_token_claims(self, client, record, access_token):
        now = int(time.time())
        faults = self.faults
        identity = self.identities.get(record.individual_id)
        payload = release_claims(
            identity.claims if identity else {},
            record.id_token_claims,
            record.claims_locales,
        )
        payload.update(
            {
                "iss": self.issuer,
                "sub": self.psut(record.individual_id, client.client_id),
                "aud": client.client_id,
                "azp": client.client_id,
                "iat": now,
                "exp": now + int(self.id_token_lifetime),
                "auth_time": record.auth_time,
                "nonce": record.nonce,
                "acr": record.acr,
                "at_hash": at_hash(access_token),
                "sid": record.sid,
            }
        )
        if faults.expired_id_token:
            payload["iat"] = now - 900
            payload["exp"] = now - 300
        if faults.id_token_wrong_audience:
            payload["aud"] = payload["azp"] = "another-relying-party"
        if faults.id_token_wrong_issuer:
            payload["iss"] = "https://wrong-issuer.invalid"
        if faults.id_token_wrong_nonce:
            payload["nonce"] = secrets.token_urlsafe(16)
        return payload

    # --------------------------------------------------------------- userinfo
    def userinfo(self, authorization):
        """Return the userinfo JWT (JWS, or JWE wrapping the JWS)."""
        self._apply_delay()
        scheme, _, token = (authorization or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise OAuthError(
                "invalid_request",
                "A Bearer access token is required.",
                401,
                www_authenticate='Bearer realm="esignet-emulator"',
            )
        with self._lock:
            record = self._access_tokens.get(token)
        if record is None or record.revoked or record.expires <= time.time():
            raise OAuthError(
                "invalid_token",
                "The access token is unknown, revoked or expired.",
                401,
                www_authenticate=(
                    'Bearer error="invalid_token", '
                    'error_description="The access token is invalid"'
                ),
            )
        client = self.clients[record.client_id]
        identity = self.identities.get(record.individual_id)
        payload = release_claims(
            identity.claims if identity else {},
            record.userinfo_claims,
            record.claims_locales,
        )
        sub_id = record.individual_id
        if self.faults.userinfo_sub_mismatch:
            sub_id += "|mismatch"
        now = int(time.time())
        payload.update(
            {
                "sub": self.psut(sub_id, client.client_id),
                "iss": self.issuer,
                "aud": client.client_id,
                "iat": now,
                "exp": int(record.expires),
            }
        )
        token_jws = self._sign(payload)
        if self.faults.tamper_userinfo:
            token_jws = tamper_jws(token_jws)
        if client.userinfo_encryption_jwk:
            token_jws = encrypt_jwt(token_jws, client.userinfo_encryption_jwk)
        return token_jws


def release_claims(identity_claims, names, locales=()):
    """Values of the consented claims the identity has, with #locale variants."""
    out = {}
    for name in names:
        base, _, tag = name.partition("#")
        if tag:
            if name in identity_claims:
                out[name] = identity_claims[name]
            continue
        if base in identity_claims:
            out[base] = identity_claims[base]
        for key, value in identity_claims.items():
            key_base, _, key_tag = key.partition("#")
            if key_base == base and key_tag and (not locales or key_tag in locales):
                out[key] = value
    return out


def tamper_jws(token):
    """Change the payload of a compact JWS while keeping its signature."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["tampered"] = True
    if "name" in claims:
        claims["name"] = "Mallory Tampered"
    new_payload = b64url_encode(json.dumps(claims).encode())
    return f"{header}.{new_payload}.{signature}"


def encrypt_jwt(token, public_jwk):
    """Wrap a JWS into a compact JWE (RSA-OAEP-256 / A256GCM, cty JWT)."""
    members = {k: public_jwk[k] for k in ("kty", "n", "e") if k in public_jwk}
    key = jwcrypto_jwk.JWK(**members)
    protected = {"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"}
    if public_jwk.get("kid"):
        protected["kid"] = public_jwk["kid"]
    token_jwe = jwcrypto_jwe.JWE(
        plaintext=token.encode("ascii"), protected=json.dumps(protected)
    )
    token_jwe.add_recipient(key)
    return token_jwe.serialize(compact=True)
