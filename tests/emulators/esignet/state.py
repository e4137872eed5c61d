"""What the emulated eSignet remembers: clients, identities, keys, logins in
progress, codes, tokens, and the faults to inject. No protocol rules here.
"""

import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .keys import KeyRing, b64url_encode

_logger = logging.getLogger(__name__)

DEFAULT_IDENTITIES_FILE = Path(__file__).resolve().parent / "identities.json"


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

    def apply_delay(self):
        if self.delay_seconds:
            time.sleep(self.delay_seconds)


@dataclass
class Identity:
    individual_id: str
    otp: str
    claims: dict


@dataclass
class Transaction:
    """A login in progress, from /authorize to the consent."""

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


def load_json(source):
    """A JSON file's content, or ``source`` itself when already loaded."""
    if isinstance(source, (str, Path)):
        return json.loads(Path(source).read_text(encoding="utf-8"))
    return source


class ProviderState:
    """Everything the provider keeps between requests; guard writes with ``lock``."""

    def __init__(
        self,
        identities=None,
        issuer=None,
        psut_secret=None,
        signing_key=None,
        code_lifetime=60,
        access_token_lifetime=3600,
        id_token_lifetime=3600,
        transaction_lifetime=600,
    ):
        self.lock = threading.RLock()
        self.configured_issuer = issuer.rstrip("/") if issuer else None
        # Where the provider is reached; the HTTP emulator sets it once bound.
        self.base_url = self.configured_issuer
        if psut_secret is None:
            psut_secret = secrets.token_bytes(32)
        if isinstance(psut_secret, str):
            psut_secret = psut_secret.encode("utf-8")
        self._psut_secret = psut_secret
        self.keys = KeyRing(signing_key)
        self.code_lifetime = code_lifetime
        self.access_token_lifetime = access_token_lifetime
        self.id_token_lifetime = id_token_lifetime
        self.transaction_lifetime = transaction_lifetime
        self.faults = Faults()
        self.clients = {}
        self.identities = {}
        self.transactions = {}
        self.codes = {}
        self.access_tokens = {}
        self.used_jtis = {}
        self.load_identities(
            DEFAULT_IDENTITIES_FILE if identities is None else identities
        )

    @property
    def issuer(self):
        return self.configured_issuer or self.base_url

    def load_identities(self, source):
        data = load_json(source)
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
        with self.lock:
            self.identities = identities

    def add_client(self, client):
        with self.lock:
            self.clients[client.client_id] = client
        _logger.info("registered client %s", client.client_id)
        return client

    def psut(self, individual_id, client_id):
        """Partner Specific User Token: stable per (identity, relying party),
        unlinkable. A registered client's relying party is its
        ``relying_party_id``; an unknown ``client_id`` counts as its own."""
        with self.lock:
            client = self.clients.get(client_id)
        relying_party = client.relying_party_id if client else client_id
        message = f"{individual_id}|{relying_party}".encode()
        digest = hmac.new(self._psut_secret, message, hashlib.sha256).digest()
        return b64url_encode(digest)

    def prune(self):
        """Forget what has expired; call with ``lock`` held."""
        now = time.time()
        for store in (self.transactions, self.access_tokens):
            for key in [k for k, v in store.items() if v.expires <= now]:
                del store[key]
        # keep used/expired codes a while so that reuse can still be detected
        horizon = now - max(self.code_lifetime, 0) * 10 - 60
        for key in [k for k, v in self.codes.items() if v.expires <= horizon]:
            del self.codes[key]
        for key in [k for k, exp in self.used_jtis.items() if exp < now - 60]:
            del self.used_jtis[key]
