"""One size-capped, strict JSON decoder for every provider response."""

import json

import pytest

from g2p_auth_esignet.oidc import (
    ProviderResponseError,
    UserinfoError,
    parse_jwks,
    parse_token_response,
)
from g2p_auth_esignet.oidc.json_body import read_json_object
from g2p_auth_esignet.oidc.relying_party import parse_discovery


def test_object_from_bytes_or_text():
    assert read_json_object(b'{"a": 1}', max_bytes=100, check_prefix="x") == {"a": 1}
    assert read_json_object('{"é": "ü"}', max_bytes=100, check_prefix="x") == {"é": "ü"}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b'"text"',
        b'{"a": 1, "a": 2}',  # duplicate member: which one counts?
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe{}",
        '{"a": "\ud800"}',  # lone surrogate: not UTF-8
        None,
        12,
        b"[" * 100_000,  # recursion bomb
    ],
)
def test_anything_but_a_well_formed_object_is_malformed(body):
    with pytest.raises(ProviderResponseError) as raised:
        read_json_object(body, max_bytes=10**6, check_prefix="token")
    assert raised.value.check == "token.malformed"


def test_size_cap_counts_bytes_and_comes_first():
    body = json.dumps({"a": "é" * 60})  # 60 characters, 120 bytes
    with pytest.raises(UserinfoError) as raised:
        read_json_object(
            body, max_bytes=100, check_prefix="userinfo", error_class=UserinfoError
        )
    assert raised.value.check == "userinfo.oversized"


def test_every_response_parser_uses_it():
    duplicate = b'{"issuer": "https://a.example", "issuer": "https://b.example"}'
    with pytest.raises(ProviderResponseError) as raised:
        parse_discovery(duplicate, "https://b.example")
    assert raised.value.check == "discovery.malformed"
    with pytest.raises(ProviderResponseError) as raised:
        parse_jwks(b'{"keys": [], "keys": []}')
    assert raised.value.check == "jwks.malformed"
    with pytest.raises(ProviderResponseError) as raised:
        parse_token_response(
            200, b'{"access_token": "a", "access_token": "b"}', "application/json"
        )
    assert raised.value.check == "token.malformed"
    with pytest.raises(ProviderResponseError) as raised:
        parse_discovery(b" " * (256 * 1024 + 1), "https://a.example")
    assert raised.value.check == "discovery.oversized"
