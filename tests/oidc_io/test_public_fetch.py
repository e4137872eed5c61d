"""KYC pictures by URL: https only, public addresses only, checked on connect."""

import _socket
import socket
import time
import tracemalloc

import pytest

from g2p_auth_esignet.oidc import ProviderResponseError
from g2p_auth_esignet.oidc_io import (
    RequestsTransport,
    check_picture_url,
    fetch_public_image,
    is_public_address,
)

from .conftest import PICTURE_HOST, PNG

PUBLIC_V4 = "93.184.216.34"


def _refused(url, **kwargs):
    transport_kwargs = {
        name: kwargs.pop(name) for name in ("timeout", "verify") if name in kwargs
    }
    with pytest.raises(ProviderResponseError) as error:
        RequestsTransport(**transport_kwargs).get_public(url, **kwargs)
    return error.value.check


# -- the address policy ------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "fe80::1%eth0",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",  # IPv4-compatible
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b:1::8.8.8.8",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:808:808::1",  # 6to4, even of a public address
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "2001:db8::1",
        "100::1",  # discard-only
        "not-an-ip",
        "",
    ],
)
def test_non_public_addresses(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        PUBLIC_V4,
        "1.1.1.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82a::200e",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8 (DNS64 on an IPv6-only host)
    ],
)
def test_public_addresses(address):
    assert is_public_address(address)


def test_loopback_only_by_explicit_flag():
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1"):
        assert not is_public_address(address)
        assert is_public_address(address, allow_loopback=True)
    for address in ("10.0.0.1", "169.254.169.254", "fc00::1", "64:ff9b::7f00:1"):
        assert not is_public_address(address, allow_loopback=True)


# -- the URL -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "check"),
    [
        ("http://pictures.example.org/a.png", "picture.url_scheme"),
        ("ftp://pictures.example.org/a.png", "picture.url_scheme"),
        ("file:///etc/passwd", "picture.url_scheme"),
        ("//pictures.example.org/a.png", "picture.url_scheme"),
        ("https:///a.png", "picture.url"),
        ("https://user:pw@pictures.example.org/a.png", "picture.url"),
        ("https://pictures.example.org:99999/a.png", "picture.url"),
        ("https://pictures.example.org/a b.png", "picture.url"),
        ("https://pictures.example.org/" + "a" * 3000, "picture.url"),
        (None, "picture.url"),
    ],
)
def test_unusable_picture_urls(fake_dns, url, check):
    assert _refused(url) == check
    assert fake_dns.calls == {}


def test_allow_list_is_checked_before_any_lookup(fake_dns):
    fake_dns["elsewhere.example.org"] = [PUBLIC_V4]
    check = _refused(
        "https://elsewhere.example.org/a.png", allowed_hosts=(PICTURE_HOST,)
    )
    assert check == "picture.host_not_allowed"
    assert fake_dns.calls == {}
    assert (
        check_picture_url(
            "https://Pictures.Example.ORG./a.png", allowed_hosts=[PICTURE_HOST]
        )
        == PICTURE_HOST
    )


@pytest.mark.parametrize(
    "addresses",
    [
        ["127.0.0.1"],
        ["10.0.0.7"],
        ["169.254.169.254"],
        ["::1"],
        ["fc00::1"],
        ["::ffff:127.0.0.1"],
        [PUBLIC_V4, "10.0.0.7"],  # one bad answer is enough
    ],
)
def test_hosts_resolving_to_internal_addresses_are_refused(
    fake_dns, server, monkeypatch, addresses
):
    connects = []
    monkeypatch.setattr(
        socket.socket, "connect", lambda sock, address: connects.append(address)
    )
    fake_dns[PICTURE_HOST] = addresses
    check = _refused(f"https://{PICTURE_HOST}:{server.port}/picture.png")
    assert check == "picture.address_not_public"
    assert connects == []


def test_allow_listed_host_must_still_be_public(fake_dns):
    fake_dns[PICTURE_HOST] = ["10.0.0.7"]
    check = _refused(
        f"https://{PICTURE_HOST}/picture.png", allowed_hosts=(PICTURE_HOST,)
    )
    assert check == "picture.address_not_public"


def test_ip_literal_urls_are_checked_too(server):
    check = _refused(f"https://127.0.0.1:{server.port}/picture.png")
    assert check == "picture.address_not_public"
    check = _refused(f"https://[::ffff:127.0.0.1]:{server.port}/picture.png")
    assert check == "picture.address_not_public"


def test_rebinding_cannot_move_the_connection(fake_dns, server, monkeypatch):
    # The resolver answers a public address, then loopback. The socket
    # connects to the address that was checked (one lookup only); here the
    # "network" delivers that connection to 127.0.0.1, and the check of the
    # connected peer refuses it before a byte is sent.
    fake_dns[PICTURE_HOST] = [[PUBLIC_V4], ["127.0.0.1"]]
    connects = []

    def connect(sock, address):
        connects.append(address[0])
        if address[0] == PUBLIC_V4:
            address = ("127.0.0.1", server.port)
        return _socket.socket.connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    requests_before = len(server.seen)
    check = _refused(f"https://{PICTURE_HOST}:{server.port}/picture.png")
    assert check == "picture.address_not_public"
    assert fake_dns.calls == {PICTURE_HOST: 1}
    assert connects == [PUBLIC_V4]
    time.sleep(0.05)
    assert len(server.seen) == requests_before


# -- fetching over TLS from a test server (loopback allowed explicitly) -------


def _picture_url(tls_server, path="/picture.png", host=PICTURE_HOST):
    return f"https://{host}:{tls_server.port}{path}"


def test_fetch_with_allow_list_and_test_loopback(fake_dns, tls_server):
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    transport = RequestsTransport(timeout=5, verify=tls_server.ca_bundle)
    body = transport.get_public(
        _picture_url(tls_server),
        allowed_hosts=(PICTURE_HOST,),
        allow_loopback=True,
    )
    assert body == PNG
    headers = tls_server.seen[-1][2]
    assert headers["Host"] == f"{PICTURE_HOST}:{tls_server.port}"
    assert headers["Accept-Encoding"] == "gzip, deflate"
    gzipped = transport.get_public(
        _picture_url(tls_server, "/picture-gzip.png"), allow_loopback=True
    )
    assert gzipped == PNG


def test_loopback_needs_the_flag(fake_dns, tls_server):
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    check = _refused(
        _picture_url(tls_server),
        allowed_hosts=(PICTURE_HOST,),
        verify=tls_server.ca_bundle,
    )
    assert check == "picture.address_not_public"


def test_certificate_is_verified_for_the_host_name(fake_dns, tls_server):
    fake_dns["other.example.net"] = ["127.0.0.1"]
    check = _refused(
        _picture_url(tls_server, host="other.example.net"),
        allow_loopback=True,
        verify=tls_server.ca_bundle,
    )
    assert check == "picture.unreachable"
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    check = _refused(_picture_url(tls_server), allow_loopback=True)  # system CAs
    assert check == "picture.unreachable"


@pytest.mark.parametrize(
    ("path", "check"),
    [
        ("/picture-big.png", "picture.oversized"),
        ("/picture-bomb", "picture.oversized"),
        ("/redirect", "picture.status"),
        ("/missing", "picture.status"),
    ],
)
def test_picture_responses_refused(fake_dns, tls_server, path, check):
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    count = len(tls_server.seen)
    tracemalloc.start()
    try:
        assert (
            _refused(
                _picture_url(tls_server, path),
                allow_loopback=True,
                verify=tls_server.ca_bundle,
            )
            == check
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024
    assert [seen[1] for seen in tls_server.seen[count:]] == [path]  # no redirect


def test_picture_deadline(fake_dns, tls_server):
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    started = time.monotonic()
    check = _refused(
        _picture_url(tls_server, "/trickle-body"),
        allow_loopback=True,
        verify=tls_server.ca_bundle,
        timeout=0.5,
    )
    assert check == "picture.timeout"
    assert time.monotonic() - started < 0.5 + 1.5


def test_fetch_public_image(fake_dns, tls_server):
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    options = {"timeout": 5, "allow_loopback": True, "verify": tls_server.ca_bundle}
    assert fetch_public_image(_picture_url(tls_server), **options) == PNG
    with pytest.raises(ProviderResponseError) as error:
        fetch_public_image(_picture_url(tls_server, "/not-a-picture"), **options)
    assert error.value.check == "picture.not_image"
    with pytest.raises(ProviderResponseError) as error:
        fetch_public_image(_picture_url(tls_server), timeout=5)
    assert error.value.check == "picture.address_not_public"


def test_environment_proxies_are_ignored(fake_dns, tls_server, monkeypatch):
    # A proxy would make the address checks look at the proxy instead.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    fake_dns[PICTURE_HOST] = ["127.0.0.1"]
    transport = RequestsTransport(timeout=5, verify=tls_server.ca_bundle)
    assert transport.get_public(_picture_url(tls_server), allow_loopback=True) == PNG


@pytest.mark.parametrize(
    ("url", "this_machine"),
    [
        ("http://localhost:8088/x", True),
        ("http://127.3.4.5/x", True),
        ("http://[::1]/x", True),
        ("http://[::ffff:127.0.0.1]/x", True),
        ("http://10.0.0.7/x", False),
        ("http://[::ffff:10.0.0.7]/x", False),
        ("http://0.0.0.0/x", False),
        ("http://localhost.evil.example/x", False),
    ],
)
def test_one_rule_of_which_hosts_are_this_machine(url, this_machine):
    """The discovery check (``oidc.relying_party``) and the endpoint check
    (``oidc_io.safe_fetch``) ask the same function (``oidc.hosts``)."""
    from g2p_auth_esignet.oidc import hosts, relying_party
    from g2p_auth_esignet.oidc.errors import ConfigurationError
    from g2p_auth_esignet.oidc_io import safe_fetch

    assert relying_party.is_loopback_host is hosts.is_loopback_host
    assert safe_fetch.is_loopback_host is hosts.is_loopback_host
    try:
        safe_fetch.check_endpoint_url(url)
        allowed = True
    except ConfigurationError:
        allowed = False
    assert allowed is this_machine
