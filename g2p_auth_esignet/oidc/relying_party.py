"""The callback half of an eSignet login, with the I/O injected.

``complete_login`` runs every step after eSignet redirected back with a code:
token request with a client assertion, ID token verification against the
cached JWKS (refreshed once when an unknown ``kid`` appears), userinfo fetch
and verification, claim mapping. HTTP goes through a transport object and
the JWKS cache through a store object, so the Odoo shell supplies a
``requests`` transport and a database-backed store, and the tests and the
benchmark supply in-memory ones.
"""

import dataclasses
import logging
from urllib.parse import urlsplit

from .claims import map_claims
from .client_assertion import build_client_assertion, build_token_request
from .errors import ProviderResponseError, UnknownKeyError
from .hosts import is_loopback_host
from .id_token import DEFAULT_ALLOWED_ALGS
from .id_token import verify_id_token as _verify_id_token
from .json_body import read_json_object
from .jwks import JwksRefreshPolicy, parse_jwks
from .token_response import parse_token_response
from .userinfo import parse_userinfo

_logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ProviderSettings:
    """What one login needs to know about the provider (plain values)."""

    client_id: str
    issuer: str
    token_endpoint: str
    jwks_uri: str
    redirect_uri: str
    signing_key: object = dataclasses.field(repr=False)
    userinfo_endpoint: str | None = None
    fetch_userinfo: bool = True
    userinfo_format: str = "jws"
    decryption_keys: tuple = dataclasses.field(default=(), repr=False)
    assertion_audience: str | None = None
    mapping: tuple = ()
    locale: str = "en"
    allowed_algs: tuple = DEFAULT_ALLOWED_ALGS
    leeway: int = 60
    jwks_ttl: int = 3600
    jwks_min_refresh_interval: int = 30


@dataclasses.dataclass
class LoginResult:
    """The verified outcome of a login: PSUT, claims and mapped values."""

    sub: str = dataclasses.field(repr=False)
    id_token_claims: dict = dataclasses.field(repr=False)
    userinfo_claims: dict = dataclasses.field(repr=False)
    mapped: object = dataclasses.field(repr=False)
    acr: str | None = None
    userinfo_signed: bool = False

    @property
    def claims(self):
        """Userinfo claims over ID token claims (userinfo is the KYC source)."""
        merged = dict(self.id_token_claims)
        merged.update(self.userinfo_claims)
        return merged

    @property
    def verified_claims(self):
        """Claims the provider signed: the ID token's, plus a signed userinfo's.

        Plain-JSON userinfo is left out: whatever decides who the person is
        (the automatic-linking claim) must come from here, never from
        ``claims``.
        """
        merged = dict(self.id_token_claims)
        if self.userinfo_signed:
            merged.update(self.userinfo_claims)
        return merged


class MemoryJwksStore:
    """A JWKS cache for one process (tools, tests, benchmarks).

    The Odoo shell uses a database-backed store instead, shared by workers.
    """

    def __init__(self):
        self.jwks = None
        self.fetched_at = None
        self.saves = 0

    def load(self):
        return self.jwks, self.fetched_at

    def save(self, jwks, fetched_at):
        self.jwks, self.fetched_at = jwks, fetched_at
        self.saves += 1


class KeySet:
    """The provider JWKS for one login: cached copy, at most one refresh."""

    def __init__(self, settings, transport, store, now):
        self._settings = settings
        self._transport = transport
        self._store = store
        self._now = now
        self._refreshed = False
        jwks, fetched_at = store.load()
        self._fetched_at = fetched_at
        if jwks is None or JwksRefreshPolicy.should_fetch(
            fetched_at, now, ttl=settings.jwks_ttl
        ):
            jwks = self._fetch()
        self.jwks = jwks

    def _fetch(self):
        response = self._transport.get(self._settings.jwks_uri, headers={})
        if response.status_code != 200:
            raise ProviderResponseError(
                "jwks.http_error", status_code=response.status_code
            )
        jwks = parse_jwks(response.body)
        self._fetched_at = self._now
        self._store.save(jwks, self._now)
        return jwks

    def verify(self, verify):
        """Run ``verify(jwks)``; on an unknown kid refresh once and retry."""
        try:
            return verify(self.jwks)
        except UnknownKeyError:
            if self._refreshed or not JwksRefreshPolicy.may_refresh_for_unknown_kid(
                self._fetched_at,
                self._now,
                min_interval=self._settings.jwks_min_refresh_interval,
            ):
                raise
            self._refreshed = True
            _logger.info("JWKS: unknown key id, refreshing the provider keys once")
            self.jwks = self._fetch()
            return verify(self.jwks)


def exchange_code(settings, transaction, code, *, transport, now):
    """Token request authenticated by a ``private_key_jwt`` client assertion."""
    assertion = build_client_assertion(
        client_id=settings.client_id,
        audience=settings.assertion_audience or settings.token_endpoint,
        signing_key=settings.signing_key,
        now=now,
    )
    form = build_token_request(
        code=code,
        redirect_uri=settings.redirect_uri,
        code_verifier=transaction.code_verifier,
        client_id=settings.client_id,
        client_assertion=assertion,
    )
    response = transport.post_form(settings.token_endpoint, form)
    return parse_token_response(
        response.status_code, response.body, response.content_type
    )


def fetch_userinfo(settings, access_token, *, transport):
    response = transport.get(
        settings.userinfo_endpoint,
        headers={"Authorization": f"Bearer {access_token}"},
    )
    if response.status_code != 200:
        raise ProviderResponseError(
            "userinfo.http_error", status_code=response.status_code
        )
    return response


def complete_login(settings, transaction, code, *, transport, jwks_store, now):
    """Turn the callback's ``code`` into a verified LoginResult.

    Raises an OidcError subclass naming the failed check; nothing is written
    but the JWKS cache.
    """
    tokens = exchange_code(settings, transaction, code, transport=transport, now=now)
    keys = KeySet(settings, transport, jwks_store, now)
    id_claims = keys.verify(
        lambda jwks: _verify_id_token(
            tokens.id_token,
            jwks,
            issuer=settings.issuer,
            client_id=settings.client_id,
            nonce=transaction.nonce,
            now=now,
            leeway=settings.leeway,
            allowed_algs=settings.allowed_algs,
            access_token=tokens.access_token,
            # The method the login button asked for (OTP, biometrics …) must
            # be the one the person was authenticated with.
            expected_acrs=transaction.acr,
        )
    )
    userinfo_claims = {}
    if settings.fetch_userinfo and settings.userinfo_endpoint:
        response = fetch_userinfo(settings, tokens.access_token, transport=transport)
        userinfo_claims = keys.verify(
            lambda jwks: parse_userinfo(
                response.body,
                response.content_type,
                expected_format=settings.userinfo_format,
                jwks=jwks,
                issuer=settings.issuer,
                client_id=settings.client_id,
                expected_sub=id_claims["sub"],
                now=now,
                leeway=settings.leeway,
                decryption_keys=settings.decryption_keys,
                allowed_algs=settings.allowed_algs,
            )
        )
    result = LoginResult(
        sub=id_claims["sub"],
        id_token_claims=id_claims,
        userinfo_claims=dict(userinfo_claims),
        mapped=None,
        acr=id_claims.get("acr") if isinstance(id_claims.get("acr"), str) else None,
        userinfo_signed=bool(getattr(userinfo_claims, "signed", False)),
    )
    result.mapped = map_claims(result.claims, settings.mapping, locale=settings.locale)
    return result


def discovery_url(issuer):
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


# Endpoint members of the discovery document, and the auth.oauth.provider
# fields they fill; the userinfo endpoint is only RECOMMENDED (Discovery §3).
_DISCOVERY_ENDPOINTS = {
    "authorization_endpoint": ("auth_endpoint", True),
    "token_endpoint": ("token_endpoint", True),
    "userinfo_endpoint": ("validation_endpoint", False),
    "jwks_uri": ("jwks_uri", True),
}
MAX_DISCOVERY_BYTES = 256 * 1024


@dataclasses.dataclass(frozen=True)
class ProviderDiscovery:
    """What the shell takes from a discovery document (plain values).

    ``endpoints`` maps auth.oauth.provider fields to URLs; its
    ``validation_endpoint`` is None when the provider publishes no userinfo
    endpoint. The two lists are empty or None when the document omits them.
    """

    endpoints: dict
    acr_values_supported: list
    token_endpoint_auth_signing_alg_values_supported: list | None


def _endpoint(document, member, required):
    value = document.get(member)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ProviderResponseError("discovery.missing_" + member)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ProviderResponseError("discovery.invalid_" + member) from None
    if parts.scheme not in ("https", "http") or not host or parts.fragment:
        raise ProviderResponseError("discovery.invalid_" + member)
    if parts.scheme == "http" and not is_loopback_host(host):
        # Endpoints reached in clear text could be answered by anyone on the
        # path; plain http is for a provider on the same machine only.
        raise ProviderResponseError("discovery.insecure_endpoint")
    return value


def _string_list(value):
    if not isinstance(value, list):
        return None
    return [item for item in value if isinstance(item, str) and item]


def parse_discovery(body, expected_issuer):
    """ProviderDiscovery from an OpenID Provider's discovery document.

    The document's ``issuer`` must be exactly the configured one (OpenID
    Connect Discovery 4.3), or its endpoints are not trusted. Endpoints must
    be https (http only on a loopback host). Raises ProviderResponseError:
    "discovery.malformed", "discovery.oversized", "discovery.issuer_mismatch",
    "discovery.missing_<member>", "discovery.invalid_<member>",
    "discovery.insecure_endpoint".
    """
    document = read_json_object(
        body, max_bytes=MAX_DISCOVERY_BYTES, check_prefix="discovery"
    )
    if document.get("issuer") != expected_issuer:
        raise ProviderResponseError("discovery.issuer_mismatch")
    endpoints = {
        field: _endpoint(document, member, required)
        for member, (field, required) in _DISCOVERY_ENDPOINTS.items()
    }
    return ProviderDiscovery(
        endpoints=endpoints,
        acr_values_supported=_string_list(document.get("acr_values_supported")) or [],
        token_endpoint_auth_signing_alg_values_supported=_string_list(
            document.get("token_endpoint_auth_signing_alg_values_supported")
        ),
    )
