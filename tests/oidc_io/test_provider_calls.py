"""RequestsTransport against real local servers: size, encodings, deadline."""

import gzip
import os
import subprocess
import sys
import threading
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from g2p_auth_esignet.oidc import ProviderResponseError, messages
from g2p_auth_esignet.oidc_io import RequestsTransport

from .conftest import BOMB_DECODED_SIZE, JSON_BODY


def _get(server, path, **kwargs):
    return RequestsTransport(**kwargs).get(server.url(path), headers={})


def _refused(server, path, **kwargs):
    with pytest.raises(ProviderResponseError) as error:
        _get(server, path, **kwargs)
    return error.value


@pytest.mark.parametrize(
    "path", ["/identity", "/gzip", "/gzip-two-members", "/deflate", "/deflate-raw"]
)
def test_small_bodies_are_decoded(server, path):
    response = _get(server, path, timeout=5)
    assert response.status_code == 200
    assert response.body == JSON_BODY


def test_post_form_sends_accept_and_encodings(server):
    response = RequestsTransport(timeout=5).post_form(
        server.url("/gzip"), {"grant_type": "authorization_code"}
    )
    assert response.body == JSON_BODY
    method, _path, headers = server.seen[-1]
    assert method == "POST"
    assert headers["Accept"] == "application/json"
    assert headers["Accept-Encoding"] == "gzip, deflate"


def test_accept_encoding_is_explicit(server):
    _get(server, "/identity", timeout=5)
    assert server.seen[-1][2]["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("path", ["/br", "/compress", "/stacked"])
def test_unexpected_content_encodings_are_refused(server, path):
    assert _refused(server, path, timeout=5).check == "provider.encoding"


def test_corrupt_compressed_body_is_refused(server):
    assert _refused(server, "/corrupt-gzip", timeout=5).check == "provider.decoding"


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb"])
def test_compression_bomb_is_refused_with_bounded_memory(server, path):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        started = time.monotonic()
        error = _refused(server, path, timeout=10)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert error.check == "provider.oversized"
    # 1 GiB decoded, capped at 512 KiB: a few MB at most ever exist.
    assert BOMB_DECODED_SIZE > 1000 * 512 * 1024
    assert peak < 8 * 1024 * 1024, f"peak memory growth {peak / 2**20:.1f} MiB"
    assert elapsed < 3


def test_declared_length_over_the_cap_is_refused_before_reading(server):
    assert _refused(server, "/big-declared", timeout=5).check == "provider.oversized"


def test_undeclared_length_over_the_cap_is_refused(server):
    assert _refused(server, "/big-chunked", timeout=5).check == "provider.oversized"


def test_max_bytes_is_the_decoded_size(server):
    with pytest.raises(ProviderResponseError) as error:
        _get(server, "/gzip", timeout=5, max_bytes=len(JSON_BODY) - 1)
    assert error.value.check == "provider.oversized"
    assert _get(server, "/gzip", timeout=5, max_bytes=len(JSON_BODY)).body == JSON_BODY


def test_trickling_body_hits_one_total_deadline(server):
    started = time.monotonic()
    error = _refused(server, "/trickle-body", timeout=2)
    elapsed = time.monotonic() - started
    assert error.check == "provider.timeout"
    assert 1.8 < elapsed < 2 + 1.5


def test_trickling_headers_hit_the_deadline(server):
    started = time.monotonic()
    error = _refused(server, "/trickle-headers", timeout=1)
    elapsed = time.monotonic() - started
    assert error.check == "provider.timeout"
    assert elapsed < 1 + 1.5


def test_silent_server_hits_the_deadline(server):
    started = time.monotonic()
    error = _refused(server, "/silent", timeout=0.5)
    assert error.check == "provider.timeout"
    assert time.monotonic() - started < 0.5 + 1.5
    assert error.message_key == messages.PROVIDER_UNAVAILABLE


def test_closed_port_is_unreachable():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ProviderResponseError) as error:
        RequestsTransport(timeout=2).get(f"http://127.0.0.1:{port}/", headers={})
    assert error.value.check == "provider.unreachable"


def test_redirects_are_not_followed(server):
    count = len(server.seen)
    response = _get(server, "/redirect", timeout=5)
    assert response.status_code == 302
    assert [path for _, path, _ in server.seen[count:]] == ["/redirect"]


def test_calls_leave_no_descriptor_nor_timer_behind(server):
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    transport = RequestsTransport(timeout=5)
    transport.get(server.url("/gzip"), headers={})
    descriptors = len(os.listdir("/proc/self/fd"))
    threads = threading.active_count()
    for _ in range(5):
        transport.get(server.url("/gzip"), headers={})
        with pytest.raises(ProviderResponseError):
            transport.get(server.url("/br"), headers={})
    time.sleep(0.1)
    assert len(os.listdir("/proc/self/fd")) <= descriptors
    assert threading.active_count() <= threads


def test_kept_alive_connection_keeps_the_deadline(server):
    # A body read to its end gives the connection back to the pool; the next
    # call on the same transport reuses that socket and is bounded all the same.
    with RequestsTransport(timeout=1) as transport:
        assert transport.get(server.url("/identity"), headers={}).body == JSON_BODY
        started = time.monotonic()
        with pytest.raises(ProviderResponseError) as error:
            transport.get(server.url("/trickle-headers"), headers={})
    assert error.value.check == "provider.timeout"
    assert time.monotonic() - started < 1 + 1.5
    assert server.clients[-1] == server.clients[-2]  # the same connection


def test_gzip_helpers_agree_with_the_bomb():
    # The bomb really decodes to zeros, 1 MiB per repeated segment.
    from .conftest import GZIP_BOMB

    first, repeated = GZIP_BOMB
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert decoder.decompress(first + repeated) == bytes(2 << 20)
    assert gzip.decompress(gzip.compress(JSON_BODY)) == JSON_BODY


_RSS_PROBE = """
import resource, sys
sys.path.insert(0, sys.argv[1])
import conftest  # registers the addons as bare packages
from g2p_auth_esignet.oidc_io import RequestsTransport
from g2p_auth_esignet.oidc import ProviderResponseError

transport = RequestsTransport(timeout=10)
transport.get(sys.argv[2] + "/gzip", headers={})  # warm up imports and TLS-free path
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    transport.get(sys.argv[2] + "/gzip-bomb", headers={})
    print("accepted")
except ProviderResponseError as error:
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(error.check, (after - before) * 1024)
"""


def test_gzip_bomb_peak_rss_in_a_fresh_process(server):
    # Independent of tracemalloc: the resident set of a separate process.
    resource = pytest.importorskip("resource")
    del resource
    tests_dir = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", _RSS_PROBE, str(tests_dir), server.url("")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    check, growth = result.stdout.split()
    assert check == "provider.oversized"
    assert int(growth) < 32 * 1024 * 1024, f"ru_maxrss grew {int(growth) >> 20} MiB"


def test_https_provider_calls(tls_server):
    transport = RequestsTransport(timeout=5, verify=tls_server.ca_bundle)
    url = tls_server.url("/gzip", host="localhost", scheme="https")
    assert transport.get(url, headers={}).body == JSON_BODY
    assert transport.post_form(url, {"a": "b"}).body == JSON_BODY


def test_stalled_tls_handshake_hits_the_deadline():
    # A listening socket nobody accepts on: TCP connects, TLS never answers.
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(ProviderResponseError) as error:
            RequestsTransport(timeout=0.5).get(f"https://127.0.0.1:{port}/", headers={})
    assert error.value.check == "provider.timeout"
    assert time.monotonic() - started < 0.5 + 1.5
