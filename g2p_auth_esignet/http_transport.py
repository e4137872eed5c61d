"""Outbound HTTP of the login flow, with ``requests``.

Kept out of the ``oidc`` core, which does no I/O: the core's
``complete_login`` takes any object with ``get(url, headers)`` and
``post_form(url, data)`` returning ``status_code``, ``body`` and
``content_type``.

Every call is bounded, whatever the other side does:

- Time: one deadline per call covers the connect attempts, the TLS
  handshake, the headers and the whole body (name resolution itself is left
  to the system resolver's own timeouts). ``requests`` timeouts only
  bound each socket read, so a server sending a byte a second would hold a
  call forever; here a timer shuts the call's sockets down at the deadline,
  which ends any blocked read at once, and the body loop checks the clock.
- Memory: the body is read raw in small chunks and decompressed here with
  ``zlib``'s ``max_length``, so at most ``max_bytes + 1`` decoded bytes ever
  exist, however small the compressed input (urllib3 1.x would inflate a
  whole read at once: a gzip bomb cost gigabytes before the size check).
- Content-Encoding: identity, gzip or deflate, one at most; anything else is
  refused rather than handed on undecoded.
- Addresses (KYC pictures): only public ones, checked on every resolved
  address and again on the connected socket's peer, before anything is sent;
  the socket connects to the checked address itself, so DNS rebinding cannot
  swap it.
"""

import contextlib
import contextvars
import dataclasses
import http.client
import socket
import threading
import time
import zlib
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from .oidc import (
    ConfigurationError,
    ProviderResponseError,
    is_supported_image,
    messages,
)
from .safe_fetch import (
    MAX_PICTURE_BYTES,
    check_picture_url,
    is_loopback_host,
    is_public_address,
)

__all__ = [
    "HttpResponse",
    "RequestsTransport",
    "check_endpoint_url",
    "fetch_public_image",
]

ACCEPT_ENCODING = "gzip, deflate"
# Small raw reads: bounded work per loop turn, and the deadline is looked at
# often. Decoded output is bounded by max_length, not by this.
_READ_CHUNK = 16 * 1024
# Compressed input allowed beyond max_bytes (headers, incompressible data).
_RAW_SLACK = 64 * 1024


@dataclasses.dataclass(frozen=True)
class HttpResponse:
    status_code: int
    body: bytes = dataclasses.field(repr=False)
    content_type: str = ""


def check_endpoint_url(url):
    """None for an acceptable provider endpoint, else ConfigurationError.

    ``https://`` anywhere; ``http://`` only to this machine (localhost,
    127.0.0.0/8, ::1), for a local emulator. Raises
    ``ConfigurationError("endpoint.insecure")`` for any other scheme or host,
    ``ConfigurationError("endpoint.invalid")`` for text that is not a URL with
    a host.
    """
    if (
        not isinstance(url, str)
        or not url
        or any(char.isspace() or not char.isprintable() for char in url)
    ):
        raise ConfigurationError("endpoint.invalid")
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        raise ConfigurationError("endpoint.invalid") from None
    if not parts.hostname:
        raise ConfigurationError("endpoint.invalid")
    scheme = parts.scheme.lower()
    if scheme == "https":
        return None
    if scheme == "http" and is_loopback_host(parts.hostname):
        return None
    raise ConfigurationError("endpoint.insecure")


class RequestsTransport:
    """Outbound HTTP with ``requests``: one deadline, size cap, no redirects.

    ``timeout`` (seconds) bounds each whole call; ``max_bytes`` the decoded
    body. Network failures become ProviderResponseError
    ("provider.unreachable", "provider.timeout", "provider.oversized",
    "provider.encoding", "provider.decoding") so the person gets the "eSignet
    is unavailable" page, never a traceback. ``verify`` is requests' TLS
    verification (True, or a CA bundle path).
    """

    def __init__(self, timeout=10, max_bytes=512 * 1024, session=None, verify=True):
        self._session = session or requests.Session()
        _mount_guarded_adapters(self._session)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.verify = verify

    def close(self):
        """Close the kept-alive connections (the session's pools)."""
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _send(self, method, url, headers=None, **kwargs):
        return _bounded_request(
            self._session,
            method,
            url,
            headers=headers,
            call=_Call(self.timeout, "provider"),
            max_bytes=self.max_bytes,
            verify=self.verify,
            **kwargs,
        )

    def get(self, url, headers):
        return self._send("GET", url, headers=headers)

    def post_form(self, url, data):
        return self._send(
            "POST", url, data=data, headers={"Accept": "application/json"}
        )

    def get_public(
        self,
        url,
        *,
        max_bytes=MAX_PICTURE_BYTES,
        allowed_hosts=(),
        allow_loopback=False,
    ):
        """The body of an https URL on a public address (a KYC picture).

        Same deadline (``self.timeout``) and decoded-size cap as the provider
        calls. No proxy, no redirect; only status 200 gives bytes. When
        ``allowed_hosts`` is set only those host names are fetched from, and
        they too must resolve to public addresses. ``allow_loopback`` is for
        tests. Raises ProviderResponseError: ``picture.url``,
        ``picture.url_scheme``, ``picture.host_not_allowed``,
        ``picture.address_not_public``, ``picture.unreachable``,
        ``picture.timeout``, ``picture.oversized``, ``picture.encoding``,
        ``picture.decoding``, ``picture.status``.
        """
        check_picture_url(url, allowed_hosts=allowed_hosts)
        # A session of its own: environment proxies would make the address
        # checks look at the proxy, and nothing here is worth keeping alive.
        with requests.Session() as session:
            session.trust_env = False
            _mount_guarded_adapters(session)
            response = _bounded_request(
                session,
                "GET",
                url,
                headers={"Accept": "image/png, image/jpeg"},
                call=_Call(
                    self.timeout,
                    "picture",
                    address_allowed=lambda address: is_public_address(
                        address, allow_loopback=allow_loopback
                    ),
                ),
                max_bytes=max_bytes,
                verify=self.verify,
                proxies={},
            )
        if response.status_code != 200:
            raise ProviderResponseError(
                "picture.status", status_code=response.status_code
            )
        return response.body


def fetch_public_image(
    url,
    *,
    timeout=10,
    max_bytes=MAX_PICTURE_BYTES,
    allowed_hosts=(),
    allow_loopback=False,
    verify=True,
):
    """PNG or JPEG bytes from an https URL on a public address, or raise.

    :meth:`RequestsTransport.get_public`, then the bytes must be a PNG or a
    JPEG (``picture.not_image`` otherwise).
    """
    if max_bytes > MAX_PICTURE_BYTES:
        raise ValueError(f"max_bytes may not exceed {MAX_PICTURE_BYTES}")
    transport = RequestsTransport(timeout=timeout, verify=verify)
    body = transport.get_public(
        url,
        max_bytes=max_bytes,
        allowed_hosts=allowed_hosts,
        allow_loopback=allow_loopback,
    )
    if not is_supported_image(body):
        raise ProviderResponseError("picture.not_image")
    return body


class _DeadlineExpired(Exception):
    pass


class _Call:
    """One call's deadline (and address policy), enforced on its sockets.

    A timer shuts down every socket the call opened when the deadline
    passes: a read blocked in http.client or ssl returns at once, wherever
    it is (TLS handshake, status line, headers, body).
    """

    def __init__(self, timeout, check_prefix, address_allowed=None):
        self.timeout = float(timeout)
        self.deadline = time.monotonic() + self.timeout
        self.check_prefix = check_prefix
        self.address_allowed = address_allowed
        self.expired = False
        self._lock = threading.Lock()
        self._watched = []
        self._closed = False
        self._timer = threading.Timer(self.timeout, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def error(self, check, **kwargs):
        unavailable = self.check_prefix == "provider" and check in (
            "timeout",
            "unreachable",
        )
        return ProviderResponseError(
            f"{self.check_prefix}.{check}",
            messages.PROVIDER_UNAVAILABLE if unavailable else None,
            **kwargs,
        )

    def remaining(self):
        return self.deadline - time.monotonic()

    def is_over(self):
        return self.expired or self.remaining() <= 0

    def check_time(self):
        if self.is_over():
            raise _DeadlineExpired()

    def watch(self, sock):
        # A duplicate descriptor of the same socket: it outlives ssl's
        # detach() of the original and shutdown() acts on the socket itself.
        duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
        with self._lock:
            if not self._closed:
                self._watched.append(duplicate)
                duplicate = None
            expired = self.expired
        if duplicate is not None:
            duplicate.close()
        if expired:
            _shutdown(sock)

    def _expire(self):
        with self._lock:
            if self._closed:
                return
            self.expired = True
            for duplicate in self._watched:
                _shutdown(duplicate)

    def close(self):
        self._timer.cancel()
        with self._lock:
            self._closed = True
            watched, self._watched = self._watched, []
        for duplicate in watched:
            duplicate.close()

    def open_socket(self, connection, host, port, socket_options):
        """Connect to ``host``, every attempt within the remaining time."""
        host = host.strip("[]")
        try:
            candidates = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except OSError as error:
            raise NewConnectionError(
                connection, f"Failed to resolve {host}: {error}"
            ) from None
        if self.address_allowed is not None and not all(
            self.address_allowed(sockaddr[0]) for *_, sockaddr in candidates
        ):
            raise self.error("address_not_public")
        last_error = OSError("no address")
        timed_out = False
        for family, kind, proto, _canonname, sockaddr in candidates:
            remaining = self.remaining()
            if remaining <= 0:
                timed_out = True
                break
            sock = socket.socket(family, kind, proto)
            try:
                for option in socket_options or ():
                    sock.setsockopt(*option)
                sock.settimeout(remaining)
                # The address just checked, not the name: no second lookup.
                sock.connect(sockaddr)
            except TimeoutError:
                sock.close()
                timed_out = True
                break
            except OSError as error:
                sock.close()
                last_error = error
                continue
            try:
                # Defence in depth: the peer actually reached, before any
                # byte is sent (routing, NAT64 or a resolver we did not see).
                if self.address_allowed is not None and not self.address_allowed(
                    sock.getpeername()[0]
                ):
                    raise self.error("address_not_public")
                self.watch(sock)
            except BaseException:
                sock.close()
                raise
            return sock
        if timed_out:
            raise ConnectTimeoutError(connection, f"Connection to {host} timed out.")
        raise NewConnectionError(
            connection, f"Failed to establish a new connection: {last_error}"
        )


def _shutdown(sock):
    with contextlib.suppress(OSError):  # already closed or never connected
        sock.shutdown(socket.SHUT_RDWR)


_CURRENT_CALL = contextvars.ContextVar("g2p_esignet_http_call", default=None)


class _GuardedConnectionMixin:
    """urllib3 connection that opens its socket through the current call."""

    def _new_conn(self):
        call = _CURRENT_CALL.get()
        if call is None:
            return super()._new_conn()
        return call.open_socket(
            self,
            getattr(self, "_dns_host", self.host),
            self.port,
            self.socket_options,
        )

    def request(self, *args, **kwargs):
        # A kept-alive socket opened by an earlier call: watch it too.
        call = _CURRENT_CALL.get()
        if call is not None and self.sock is not None:
            call.watch(self.sock)
        return super().request(*args, **kwargs)


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


_GUARDED_POOLS = {
    "http": _GuardedHTTPConnectionPool,
    "https": _GuardedHTTPSConnectionPool,
}


def _guard_pool_manager(manager):
    # SOCKS managers bring their own connection classes: left as they are
    # (per-read timeouts and the body loop's clock still apply).
    if set(manager.pool_classes_by_scheme.values()) <= {
        urllib3.HTTPConnectionPool,
        urllib3.HTTPSConnectionPool,
    } | set(_GUARDED_POOLS.values()):
        manager.pool_classes_by_scheme = dict(_GUARDED_POOLS)
    return manager


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        result = super().init_poolmanager(*args, **kwargs)
        _guard_pool_manager(self.poolmanager)
        return result

    def proxy_manager_for(self, *args, **kwargs):
        return _guard_pool_manager(super().proxy_manager_for(*args, **kwargs))


def _mount_guarded_adapters(session):
    if not isinstance(session.get_adapter("https://"), _GuardedAdapter):
        session.mount("https://", _GuardedAdapter())
    if not isinstance(session.get_adapter("http://"), _GuardedAdapter):
        session.mount("http://", _GuardedAdapter())


def _bounded_request(session, method, url, *, headers, call, max_bytes, **kwargs):
    token = _CURRENT_CALL.set(call)
    try:
        headers = dict(headers or {}, **{"Accept-Encoding": ACCEPT_ENCODING})
        remaining = max(call.remaining(), 0.001)
        with session.request(
            method,
            url,
            headers=headers,
            timeout=(remaining, remaining),
            allow_redirects=False,
            stream=True,
            **kwargs,
        ) as response:
            body = _read_body(response, call, max_bytes)
            return HttpResponse(
                response.status_code,
                body,
                response.headers.get("Content-Type", ""),
            )
    except ProviderResponseError:
        raise
    except _DeadlineExpired:
        raise call.error("timeout") from None
    except (
        requests.RequestException,
        urllib3.exceptions.HTTPError,
        http.client.HTTPException,
        OSError,
    ) as error:
        if call.is_over() or isinstance(
            error, requests.Timeout | urllib3.exceptions.TimeoutError | TimeoutError
        ):
            raise call.error("timeout") from None
        raise call.error("unreachable") from None
    finally:
        _CURRENT_CALL.reset(token)
        call.close()


def _read_body(response, call, max_bytes):
    decoder = _BodyDecoder.for_encoding(response.headers.get("Content-Encoding"), call)
    if decoder.identity:
        try:
            declared = int(response.headers.get("Content-Length", ""))
        except ValueError:
            declared = None
        if declared is not None and declared > max_bytes:
            raise call.error("oversized", status_code=response.status_code)
    raw = response.raw
    raw_limit = max_bytes + max_bytes // 64 + _RAW_SLACK
    received = 0
    body = bytearray()
    while True:
        call.check_time()
        _set_read_timeout(raw, call.remaining())
        chunk = raw.read(_READ_CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        if received > raw_limit:
            raise call.error("oversized", status_code=response.status_code)
        try:
            decoder.feed(chunk, body, max_bytes)
        except _Oversized:
            raise call.error("oversized", status_code=response.status_code) from None
    # The deadline's shutdown ends a read like the end of the body would.
    call.check_time()
    return bytes(body)


def _set_read_timeout(raw, remaining):
    connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # closed by the deadline
            sock.settimeout(max(remaining, 0.001))


class _Oversized(Exception):
    pass


_CODINGS = {
    "identity": "identity",
    "gzip": "gzip",
    "x-gzip": "gzip",
    "deflate": "deflate",
}


class _BodyDecoder:
    """Identity, gzip or deflate, never more than ``max_bytes + 1`` out.

    zlib's ``max_length`` caps each decompress call's output; input that
    would give more stays in ``unconsumed_tail`` (at most one raw chunk).
    """

    def __init__(self, encoding, call):
        self.encoding = encoding
        self.identity = encoding == "identity"
        self._call = call
        self._inflater = None
        self._head = b""
        self._members = 0
        self._finished = False

    @classmethod
    def for_encoding(cls, header, call):
        codings = [part.strip().lower() for part in (header or "").split(",")]
        codings = [coding for coding in codings if coding]
        if not codings:
            return cls("identity", call)
        if len(codings) == 1 and codings[0] in (
            "identity",
            "gzip",
            "x-gzip",
            "deflate",
        ):
            return cls({"x-gzip": "gzip"}.get(codings[0], codings[0]), call)
        raise call.error("encoding")

    def feed(self, data, body, max_bytes):
        if self.identity:
            body += data
            if len(body) > max_bytes:
                raise _Oversized()
            return
        while data and not self._finished:
            if self._inflater is None:
                data = self._start(data)
                if self._inflater is None:
                    return
            try:
                out = self._inflater.decompress(data, max_bytes - len(body) + 1)
            except zlib.error:
                if self._members > 1:
                    # Garbage after a complete gzip member: ignored, as
                    # urllib3 and browsers do.
                    self._finished = True
                    return
                raise self._call.error("decoding") from None
            body += out
            if len(body) > max_bytes:
                raise _Oversized()
            if self._inflater.eof:
                data = self._inflater.unused_data
                self._inflater = None
                if self.encoding != "gzip":
                    self._finished = True
            else:
                # Non-empty only when out hit max_length, which raised above.
                data = self._inflater.unconsumed_tail

    def _start(self, data):
        if self.encoding == "gzip":
            self._members += 1
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return data
        # HTTP "deflate" is zlib-wrapped by the RFC, raw deflate in practice
        # too often: the two-byte zlib header tells them apart.
        data = self._head + data
        if len(data) < 2:
            self._head = data
            return b""
        self._head = b""
        cmf, flg = data[0], data[1]
        wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
        self._inflater = zlib.decompressobj(
            zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
        )
        return data
