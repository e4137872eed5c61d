"""Route a relying party's HTTP calls to an in-process Provider (no sockets).

For tests and benchmarks of the relying party's callback processing: the
transport answers ``get``/``post_form`` like the HTTP emulator would, and
keeps the time spent inside the provider in ``provider_seconds`` so that a
benchmark can report the relying party's own share.
"""

import json
import time
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

from .errors import OAuthError
from .protocol import JWKS_PATH, TOKEN_PATH, USERINFO_PATH


class InProcessTransport:
    def __init__(self, provider):
        self.provider = provider
        self.requests_log = []
        self.provider_seconds = 0.0

    def _answer(self, method, url, call):
        path = urlsplit(url).path
        self.requests_log.append((method, path))
        started = time.perf_counter()
        try:
            status, body, content_type = 200, *call(path)
        except OAuthError as error:
            status = error.status
            body = json.dumps(error.as_dict()).encode()
            content_type = "application/json"
        finally:
            self.provider_seconds += time.perf_counter() - started
        if isinstance(body, str):
            body = body.encode()
        return SimpleNamespace(status_code=status, body=body, content_type=content_type)

    def get(self, url, headers):
        def call(path):
            if path == JWKS_PATH:
                return json.dumps(self.provider.jwks()), "application/json"
            if path == USERINFO_PATH:
                return (
                    self.provider.userinfo(headers.get("Authorization")),
                    "application/jwt",
                )
            raise OAuthError("not_found", "No such path.", 404)

        return self._answer("GET", url, call)

    def post_form(self, url, data):
        def call(path):
            if path != TOKEN_PATH:
                raise OAuthError("not_found", "No such path.", 404)
            return json.dumps(self.provider.token(dict(data))), "application/json"

        return self._answer("POST", url, call)


def login_in_process(provider, authorize_url, individual_id, otp="111111", claims=None):
    """What the browser does at eSignet, without HTTP: returns the callback URL.

    ``claims`` lists the optional claims the person consents to (all requested
    ones when None).
    """
    params = dict(parse_qsl(urlsplit(authorize_url).query))
    started = provider.start_authorization(params)
    provider.authenticate(started.id, individual_id, otp)
    if claims is None:
        claims = provider.get_transaction(started.id).requested_claims
    return provider.finish_consent(started.id, True, list(claims))
