"""One HTTP call's deadline and address policy, enforced on its sockets.

``requests`` timeouts bound each socket read only. A :class:`Call` starts a
timer that shuts down every socket the call opened when the deadline
passes, and opens those sockets itself (through the guarded urllib3
connections below, while it is :data:`CURRENT_CALL`): every connect attempt
within the remaining time, to an address checked against the call's policy,
and the connected peer checked again before anything is sent.
"""

import contextlib
import contextvars
import socket
import threading
import time

import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from ..oidc import ProviderResponseError, messages


class DeadlineExpired(Exception):
    pass


class Call:
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
            raise DeadlineExpired()

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


CURRENT_CALL = contextvars.ContextVar("g2p_esignet_http_call", default=None)


class _GuardedConnectionMixin:
    """urllib3 connection that opens its socket through the current call."""

    def _new_conn(self):
        call = CURRENT_CALL.get()
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
        call = CURRENT_CALL.get()
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


def mount_guarded_adapters(session):
    if not isinstance(session.get_adapter("https://"), _GuardedAdapter):
        session.mount("https://", _GuardedAdapter())
    if not isinstance(session.get_adapter("http://"), _GuardedAdapter):
        session.mount("http://", _GuardedAdapter())
