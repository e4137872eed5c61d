"""State, nonce and PKCE: one fresh transaction per login, used once."""

import base64
import hashlib
import json
import re

import pytest

from g2p_auth_esignet.oidc import (
    ConfigurationError,
    LoginTransaction,
    StateError,
    is_safe_redirect,
    pop_transaction,
    remember_transaction,
    s256_code_challenge,
)

from .conftest import NOW


def new(**kw):
    return LoginTransaction.new(7, NOW, **kw)


def test_two_transactions_get_different_secrets():
    first, second = new(), new()
    assert first.state != second.state
    assert first.nonce != second.nonce
    assert first.code_verifier != second.code_verifier


def test_secrets_have_enough_entropy_and_verifier_fits_rfc7636():
    transaction = new()
    # 32 random bytes base64url-encoded are 43 characters.
    assert len(transaction.state) >= 43 and len(transaction.nonce) >= 43
    assert 43 <= len(transaction.code_verifier) <= 128
    assert re.fullmatch(r"[A-Za-z0-9\-._~]+", transaction.code_verifier)


def test_code_challenge_is_s256_of_verifier():
    transaction = new()
    digest = hashlib.sha256(transaction.code_verifier.encode()).digest()
    expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert transaction.code_challenge == expected


def test_code_challenge_rfc7636_appendix_b_vector():
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert (
        s256_code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_round_trip_through_json_session():
    transaction = new(redirect="/my/home", acr="mosip:idp:acr:biometrics")
    restored = LoginTransaction.from_dict(json.loads(json.dumps(transaction.to_dict())))
    assert restored == transaction


def test_secrets_not_in_repr():
    transaction = new()
    assert transaction.state not in repr(transaction)
    assert transaction.code_verifier not in repr(transaction)


def test_link_purpose_requires_partner():
    with pytest.raises(ConfigurationError):
        new(purpose="link")
    assert new(purpose="link", link_partner_id=3).link_partner_id == 3
    with pytest.raises(ConfigurationError):
        new(purpose="steal")


@pytest.mark.parametrize(
    ("redirect", "kept"),
    [
        ("/my/home?tab=1", True),
        ("//evil.example/", False),
        ("https://evil.example/", False),
        ("/\\evil.example", False),
        ("/ok\r\nSet-Cookie: x", False),
    ],
)
def test_only_local_redirects_kept(redirect, kept):
    assert is_safe_redirect(redirect) is kept
    assert (new(redirect=redirect).redirect == redirect) is kept


def test_pop_returns_the_transaction():
    store = {}
    transaction = new()
    remember_transaction(store, transaction)
    assert pop_transaction(store, transaction.state, NOW + 5) == transaction
    assert store == {}


def test_state_mismatch_unknown():
    store = {}
    remember_transaction(store, new())
    with pytest.raises(StateError) as raised:
        pop_transaction(store, "forged-state", NOW)
    assert raised.value.check == "state.unknown"


def test_state_reuse_fails_second_time():
    store = {}
    transaction = new()
    remember_transaction(store, transaction)
    pop_transaction(store, transaction.state, NOW)
    with pytest.raises(StateError) as raised:
        pop_transaction(store, transaction.state, NOW)
    assert raised.value.check == "state.unknown"


def test_state_expired():
    store = {}
    transaction = new()
    remember_transaction(store, transaction)
    with pytest.raises(StateError) as raised:
        pop_transaction(store, transaction.state, NOW + 601, max_age=600)
    assert raised.value.check == "state.expired"
    # Expired or not, it is gone: it cannot be retried.
    assert transaction.state not in store


@pytest.mark.parametrize("state", [None, ""])
def test_missing_state(state):
    with pytest.raises(StateError) as raised:
        pop_transaction({}, state, NOW)
    assert raised.value.check == "state.missing"


def test_store_is_bounded_and_drops_oldest():
    store = {}
    transactions = [LoginTransaction.new(1, NOW + i) for i in range(7)]
    for transaction in transactions:
        remember_transaction(store, transaction, max_pending=5)
    assert len(store) == 5
    assert transactions[0].state not in store and transactions[1].state not in store
    assert transactions[6].state in store


def test_corrupt_session_entry_refused():
    store = {"abc": {"state": "abc"}}
    with pytest.raises(StateError) as raised:
        pop_transaction(store, "abc", NOW)
    assert raised.value.check == "state.corrupt"


def test_pop_transaction_is_the_only_judge_of_the_state():
    """Every verdict the callback needs comes from pop_transaction alone.

    The caller never looks the state up itself: it calls pop_transaction and
    writes the store back, whatever the outcome.
    """
    store = {}
    pending, expired_other = new(), LoginTransaction.new(7, NOW - 3600)
    remember_transaction(store, pending)
    remember_transaction(store, expired_other)
    corrupt_state = "c" * 43
    store[corrupt_state] = {"state": corrupt_state, "created_at": NOW}

    verdicts = {}
    for state in (None, "", ["a", "b"], "forged-state", corrupt_state):
        with pytest.raises(StateError) as raised:
            pop_transaction(store, state, NOW)
        verdicts[str(state)] = raised.value.check
        assert raised.value.message_key == "state"
    assert verdicts == {
        "None": "state.missing",
        "": "state.missing",
        "['a', 'b']": "state.missing",
        "forged-state": "state.unknown",
        corrupt_state: "state.corrupt",
    }
    # A refused callback used up its own entry (if any) and purged expired
    # ones; the other pending login is untouched.
    assert set(store) == {pending.state}
    assert pop_transaction(store, pending.state, NOW) == pending
    assert store == {}
