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
  which ends any blocked read at once, and the body loop checks the clock
  (``call``).
- Memory: the body is read raw in small chunks and decompressed here with
  ``zlib``'s ``max_length``, so at most ``max_bytes + 1`` decoded bytes ever
  exist, however small the compressed input (urllib3 1.x would inflate a
  whole read at once: a gzip bomb cost gigabytes before the size check).
- Content-Encoding: identity, gzip or deflate, one at most; anything else is
  refused rather than handed on undecoded (``body``).
- Addresses (KYC pictures): only public ones, checked on every resolved
  address and again on the connected socket's peer, before anything is sent;
  the socket connects to the checked address itself, so DNS rebinding cannot
  swap it (``call``, with the rules of ``safe_fetch``).
"""

import dataclasses
import http.client

import requests
import urllib3

from ..oidc import ProviderResponseError, is_supported_image
from .body import read_body
from .call import CURRENT_CALL, Call, DeadlineExpired, mount_guarded_adapters
from .safe_fetch import (
    MAX_PICTURE_BYTES,
    check_picture_url,
    is_public_address,
)

__all__ = [
    "HttpResponse",
    "RequestsTransport",
    "fetch_public_image",
]

ACCEPT_ENCODING = "gzip, deflate"


@dataclasses.dataclass(frozen=True)
class HttpResponse:
    status_code: int
    body: bytes = dataclasses.field(repr=False)
    content_type: str = ""


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
        mount_guarded_adapters(self._session)
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
            call=Call(self.timeout, "provider"),
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
            mount_guarded_adapters(session)
            response = _bounded_request(
                session,
                "GET",
                url,
                headers={"Accept": "image/png, image/jpeg"},
                call=Call(
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


def _bounded_request(session, method, url, *, headers, call, max_bytes, **kwargs):
    token = CURRENT_CALL.set(call)
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
            body = read_body(response, call, max_bytes)
            return HttpResponse(
                response.status_code,
                body,
                response.headers.get("Content-Type", ""),
            )
    except ProviderResponseError:
        raise
    except DeadlineExpired:
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
        CURRENT_CALL.reset(token)
        call.close()
