"""Per-login transaction (state, nonce, PKCE verifier) kept in the Odoo session.

The store is a plain dict ``{state: transaction_dict}`` living in the session.
Odoo only saves a session whose top-level keys were assigned, so after
``remember_transaction``/``pop_transaction`` the shell writes the store back
(``request.session[KEY] = store``).
"""

import dataclasses
import hmac
import secrets

from .errors import ConfigurationError, StateError
from .pkce import is_valid_code_verifier, new_code_verifier, s256_code_challenge

PURPOSES = ("login", "link")
DEFAULT_MAX_AGE = 600
DEFAULT_MAX_PENDING = 5
# Clock skew tolerated between Odoo servers sharing one session store.
_CLOCK_SKEW = 60


def is_safe_redirect(url):
    """True for a local absolute path (``/my/home?x=1``): no open redirect."""
    return (
        isinstance(url, str)
        and url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and not any(ord(char) < 32 or ord(char) == 127 for char in url)
        and len(url) <= 2048
    )


@dataclasses.dataclass
class LoginTransaction:
    """One authorization request, used exactly once by its callback."""

    state: str = dataclasses.field(repr=False)
    nonce: str = dataclasses.field(repr=False)
    code_verifier: str = dataclasses.field(repr=False)
    provider_id: int
    created_at: float
    redirect: str | None = None
    purpose: str = "login"
    link_partner_id: int | None = None
    acr: str | None = None

    @classmethod
    def new(
        cls,
        provider_id,
        now,
        redirect=None,
        purpose="login",
        link_partner_id=None,
        acr=None,
    ):
        """Start a login: fresh state, nonce (256 bits each) and PKCE verifier.

        A ``redirect`` that is not a local path is dropped (open redirect).
        """
        if purpose not in PURPOSES:
            raise ConfigurationError("transaction.purpose")
        if purpose == "link" and not isinstance(link_partner_id, int):
            raise ConfigurationError("transaction.link_partner")
        return cls(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=new_code_verifier(),
            provider_id=provider_id,
            created_at=float(now),
            redirect=redirect if is_safe_redirect(redirect) else None,
            purpose=purpose,
            link_partner_id=link_partner_id if purpose == "link" else None,
            acr=acr or None,
        )

    @property
    def code_challenge(self):
        return s256_code_challenge(self.code_verifier)

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        """Rebuild from ``to_dict`` output; StateError("state.corrupt") if unusable."""
        try:
            transaction = cls(
                **{f.name: values[f.name] for f in _REQUIRED_FIELDS},
                **{f.name: values.get(f.name, f.default) for f in _OPTIONAL_FIELDS},
            )
        except (KeyError, TypeError):
            raise StateError("state.corrupt") from None
        if not (
            isinstance(transaction.state, str)
            and transaction.state
            and isinstance(transaction.nonce, str)
            and transaction.nonce
            and is_valid_code_verifier(transaction.code_verifier)
            and isinstance(transaction.provider_id, int)
            and isinstance(transaction.created_at, int | float)
            and transaction.purpose in PURPOSES
        ):
            raise StateError("state.corrupt")
        return transaction


_REQUIRED_FIELDS = [
    f for f in dataclasses.fields(LoginTransaction) if f.default is dataclasses.MISSING
]
_OPTIONAL_FIELDS = [
    f
    for f in dataclasses.fields(LoginTransaction)
    if f.default is not dataclasses.MISSING
]


def _created_at(entry):
    created_at = entry.get("created_at") if isinstance(entry, dict) else None
    return created_at if isinstance(created_at, int | float) else float("-inf")


def remember_transaction(store, tx, max_pending=DEFAULT_MAX_PENDING):
    """Add transaction ``tx`` to ``store``, dropping the oldest beyond ``max_pending``.

    Several tabs may start logins at once; the bound keeps the session small.
    """
    store[tx.state] = tx.to_dict()
    while len(store) > max_pending:
        oldest = min(store, key=lambda state: _created_at(store[state]))
        del store[oldest]


def pop_transaction(store, state, now, max_age=DEFAULT_MAX_AGE):
    """Remove and return the transaction of ``state`` (single use).

    Raises StateError: "state.missing" (no state in the callback),
    "state.unknown" (never issued here, or already used), "state.expired".
    Expired entries of other logins are purged on the way.
    """
    if not isinstance(state, str) or not state:
        raise StateError("state.missing")
    matched_key = None
    received = state.encode("utf-8")
    for key in list(store):
        # Compare against every entry so timing says nothing about the others.
        if hmac.compare_digest(str(key).encode("utf-8"), received):
            matched_key = key
    for key in list(store):
        if key != matched_key and now - _created_at(store[key]) > max_age:
            del store[key]
    if matched_key is None:
        raise StateError("state.unknown")
    transaction = LoginTransaction.from_dict(store.pop(matched_key))
    age = now - transaction.created_at
    if age > max_age or age < -_CLOCK_SKEW:
        raise StateError("state.expired")
    return transaction
