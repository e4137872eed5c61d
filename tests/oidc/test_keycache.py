"""Parsed keys are memoised per process by a digest of their text."""

import threading

import pytest

from g2p_auth_esignet.oidc import client_assertion, userinfo
from g2p_auth_esignet.oidc.keycache import ParsedKeyCache


def test_loaded_once_then_served_from_the_cache():
    cache, calls = ParsedKeyCache(), []

    def load(text):
        calls.append(text)
        return object()

    first = cache.get_or_load("key text", load)
    assert cache.get_or_load("key text", load) is first
    assert calls == ["key text"]


def test_key_text_is_never_a_cache_key():
    cache = ParsedKeyCache()
    cache.get_or_load("-----BEGIN PRIVATE KEY-----SECRET", lambda text: "parsed")
    keys = list(cache._entries)
    assert keys and all(isinstance(key, bytes) and len(key) == 32 for key in keys)
    assert all(b"SECRET" not in key for key in keys)


def test_failures_are_not_cached():
    cache, calls = ParsedKeyCache(), []

    def load(text):
        calls.append(text)
        raise ValueError("bad key")

    for _ in range(2):
        with pytest.raises(ValueError):
            cache.get_or_load("bad", load)
    assert len(calls) == 2 and len(cache) == 0


def test_least_recently_used_evicted_beyond_the_bound():
    cache = ParsedKeyCache(max_entries=2)
    a = cache.get_or_load("a", lambda text: object())
    cache.get_or_load("b", lambda text: object())
    assert cache.get_or_load("a", lambda text: None) is a  # a is now newest
    cache.get_or_load("c", lambda text: object())  # evicts b
    assert len(cache) == 2
    assert cache.get_or_load("b", lambda text: "reloaded") == "reloaded"


def test_safe_under_concurrent_use():
    cache = ParsedKeyCache(max_entries=4)
    errors = []

    def worker(index):
        try:
            for round_ in range(200):
                text = f"key-{(index + round_) % 8}"
                assert cache.get_or_load(text, lambda t: t.upper()) == text.upper()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(cache) <= 4


def test_private_and_decryption_keys_share_the_one_cache_type():
    assert isinstance(client_assertion._LOADED_KEYS, ParsedKeyCache)
    assert isinstance(userinfo._DECRYPTION_KEYS, ParsedKeyCache)
