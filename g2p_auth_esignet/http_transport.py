"""Outbound HTTP of the login flow, with ``requests``.

Kept out of the ``oidc`` core, which does no I/O: the core's
``complete_login`` takes any object with ``get(url, headers)`` and
``post_form(url, data)`` returning ``status_code``, ``body`` and
``content_type``.
"""

import dataclasses

import requests

from .oidc import ProviderResponseError


@dataclasses.dataclass(frozen=True)
class HttpResponse:
    status_code: int
    body: bytes = dataclasses.field(repr=False)
    content_type: str = ""


class RequestsTransport:
    """Outbound HTTP with ``requests``: timeouts, size cap, no redirects.

    Network failures become ProviderResponseError("provider.unreachable") so
    the person gets the "eSignet is unavailable" page, never a traceback.
    """

    def __init__(self, timeout=10, max_bytes=512 * 1024, session=None):
        self._session = session or requests.Session()
        self.timeout = timeout
        self.max_bytes = max_bytes

    def _send(self, method, url, **kwargs):
        try:
            with self._session.request(
                method,
                url,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
                **kwargs,
            ) as response:
                body = response.raw.read(self.max_bytes + 1, decode_content=True)
                if len(body) > self.max_bytes:
                    raise ProviderResponseError(
                        "provider.oversized", status_code=response.status_code
                    )
                return HttpResponse(
                    response.status_code,
                    body,
                    response.headers.get("Content-Type", ""),
                )
        except requests.Timeout:
            raise ProviderResponseError(
                "provider.timeout", _UNAVAILABLE_MESSAGE
            ) from None
        except requests.RequestException:
            raise ProviderResponseError(
                "provider.unreachable", _UNAVAILABLE_MESSAGE
            ) from None

    def get(self, url, headers):
        return self._send("GET", url, headers=headers)

    def post_form(self, url, data):
        return self._send(
            "POST", url, data=data, headers={"Accept": "application/json"}
        )


_UNAVAILABLE_MESSAGE = (
    "The national ID service is not reachable right now. Please try again in a "
    "few minutes."
)
