"""/authorize, then login (individual ID + OTP), then consent: a code."""

import hmac
import json
import secrets
import time

from .claims import CLAIMS_SUPPORTED, PROTOCOL_CLAIMS, SCOPE_CLAIMS
from .errors import LoginFailed, PageError, RedirectError
from .protocol import PKCE_RE, add_query, split_values
from .state import AuthCode, Transaction


def start_authorization(state, params, duplicates=()):
    """Validate an authorization request; return the new Transaction.

    ``params`` maps names to single values; ``duplicates`` names the
    parameters that were sent more than once (refused, RFC 6749 3.1).
    """
    if {"client_id", "redirect_uri"} & set(duplicates):
        raise PageError("invalid_request", "Repeated client_id/redirect_uri.")
    client = state.clients.get(params.get("client_id") or "")
    if client is None:
        raise PageError("invalid_client", "Unknown or missing client_id.")
    redirect_uri = params.get("redirect_uri") or ""
    if redirect_uri not in client.redirect_uris:
        raise PageError(
            "invalid_redirect_uri",
            "The redirect_uri is not registered for this client.",
        )
    rp_state = params.get("state") or None

    def fail(error, description):
        raise RedirectError(redirect_uri, error, description, rp_state)

    if duplicates:
        fail("invalid_request", f"Repeated parameter(s): {sorted(duplicates)}.")
    if params.get("request") or params.get("request_uri"):
        fail("request_not_supported", "Request objects are not supported.")
    if params.get("response_type") != "code":
        fail("unsupported_response_type", "response_type must be 'code'.")
    scope = split_values(params.get("scope"))
    if "openid" not in scope:
        fail("invalid_scope", "scope must contain 'openid'.")
    if not rp_state:
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
    if not PKCE_RE.fullmatch(challenge):
        fail("invalid_request", "code_challenge is malformed.")
    acr_values = split_values(params.get("acr_values"))
    if acr_values:
        not_allowed = [a for a in acr_values if a not in client.allowed_acr]
        if not_allowed:
            fail("invalid_request", "invalid_acr: acr_values not allowed.")
        acr = acr_values[0]
    else:
        acr = client.allowed_acr[0]
    if "none" in split_values(params.get("prompt")):
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
    _merge_claim_requests(userinfo_claims, claims_param.get("userinfo"))
    id_token_claims = {}
    _merge_claim_requests(id_token_claims, claims_param.get("id_token"))
    allowed = set(client.claims)

    def keep(requested):
        return {
            name: essential
            for name, essential in requested.items()
            if name.partition("#")[0] in allowed
            and name.partition("#")[0] in CLAIMS_SUPPORTED
            and name.partition("#")[0] not in PROTOCOL_CLAIMS
        }

    ui_locales = tuple(x for x in split_values(params.get("ui_locales")) if x)
    transaction = Transaction(
        id=secrets.token_urlsafe(24),
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        state=rp_state,
        nonce=nonce,
        code_challenge=challenge,
        acr=acr,
        scope=scope,
        userinfo_claims=keep(userinfo_claims),
        id_token_claims=keep(id_token_claims),
        claims_locales=split_values(params.get("claims_locales")),
        ui_locales=ui_locales,
        expires=time.time() + state.transaction_lifetime,
    )
    with state.lock:
        state.prune()
        state.transactions[transaction.id] = transaction
    return transaction


def _merge_claim_requests(target, requested):
    for name, spec in (requested or {}).items():
        essential = isinstance(spec, dict) and spec.get("essential") is True
        target[name] = target.get(name, False) or essential


def get_transaction(state, transaction_id):
    """The login in progress; PageError when unknown or expired."""
    with state.lock:
        transaction = state.transactions.get(transaction_id or "")
        if transaction is None or transaction.expires <= time.time():
            state.transactions.pop(transaction_id or "", None)
            raise PageError(
                "invalid_transaction",
                "The login transaction is unknown or has expired.",
            )
        return transaction


def authenticate(state, transaction_id, individual_id, otp):
    transaction = get_transaction(state, transaction_id)
    identity = state.identities.get((individual_id or "").strip())
    if identity is None or not hmac.compare_digest(
        identity.otp.encode(), (otp or "").strip().encode()
    ):
        raise LoginFailed("Authentication failed: check the ID and the OTP.")
    with state.lock:
        transaction.individual_id = identity.individual_id
        transaction.auth_time = int(time.time())
    return transaction


def finish_consent(state, transaction_id, allow, accepted_claims=()):
    """Return the redirect Location (code or consent_rejected)."""
    transaction = get_transaction(state, transaction_id)
    if transaction.individual_id is None:
        raise PageError("invalid_transaction", "The user is not authenticated.")
    with state.lock:
        state.transactions.pop(transaction.id, None)
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
        expires=time.time() + state.code_lifetime,
    )
    with state.lock:
        state.prune()
        state.codes[code] = record
    return add_query(
        transaction.redirect_uri, {"code": code, "state": transaction.state}
    )
