"""HTTP front of the eSignet emulator (stdlib ``http.server``)."""

import datetime
import json
import logging
import socket
import socketserver
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import pages
from .browser import headless_login
from .errors import LoginFailed, OAuthError, PageError, RedirectError
from .protocol import (
    AUTHORIZE_PATH,
    CLIENT_MGMT_PATH,
    CONSENT_PATH,
    DISCOVERY_PATH,
    JWKS_PATH,
    LEGACY_TOKEN_PATH,
    LOGIN_PATH,
    TOKEN_PATH,
    USERINFO_PATH,
)
from .provider import Provider, forward

_logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024
FAULTS_PATH = "/_emulator/faults"
ROTATE_KEYS_PATH = "/_emulator/rotate-keys"
HEALTH_PATH = "/_emulator/health"
FORM_TYPE = "application/x-www-form-urlencoded"

_HTML_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _BadRequest(Exception):
    pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        # Skip HTTPServer.server_bind: its getfqdn() may hang on reverse DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server_version = "esignet-emulator/1.0"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30

    # --------------------------------------------------------------- plumbing
    @property
    def emulator(self):
        return self.server.emulator

    @property
    def provider(self):
        return self.server.emulator.provider

    def log_request(self, code="-", size="-"):
        """Suppress the default access log (it would include query strings)."""

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        _logger.debug("http.server: " + format, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        started = time.monotonic()
        self._status = None
        path = urlsplit(self.path).path
        self.emulator.requests_log.append((method, path))
        try:
            routes = _routes(self.emulator)
            handler = routes.get((method, path))
            if handler is not None:
                handler(self)
            elif any(p == path for _, p in routes):
                self._send_json(405, {"error": "method_not_allowed"})
            else:
                self._send_json(404, {"error": "not_found"})
        except _BadRequest as exc:
            self._send_json(
                400, {"error": "invalid_request", "error_description": str(exc)}
            )
        except (BrokenPipeError, ConnectionResetError):
            self._status = self._status or "disconnected"
            self.close_connection = True
        except Exception:
            _logger.exception("internal error handling %s %s", method, path)
            if self._status is None:
                self._send_json(
                    500,
                    {
                        "error": "server_error",
                        "error_description": "Internal emulator error.",
                    },
                )
        finally:
            _logger.info(
                "%s %s %s %s %.1fms",
                self.client_address[0],
                method,
                path,
                self._status,
                (time.monotonic() - started) * 1000,
            )

    def _send(self, status, body, content_type, headers=None):
        if isinstance(body, str):
            body = body.encode("utf-8")
        self._status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status, data, headers=None):
        self._send(status, json.dumps(data), "application/json", headers)

    def _send_html(self, status, html):
        self._send(status, html, "text/html; charset=utf-8", _HTML_HEADERS)

    def _redirect(self, location):
        headers = {"Location": location, "Cache-Control": "no-store"}
        headers["Referrer-Policy"] = "no-referrer"
        self._send(302, b"", "text/plain", headers)

    def _body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadRequest("Invalid Content-Length.") from None
        if length < 0 or length > MAX_BODY:
            raise _BadRequest("Request body too large.")
        return self.rfile.read(length) if length else b""

    def _content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def _form_lists(self):
        if self._content_type() != FORM_TYPE:
            raise _BadRequest(f"Content-Type must be {FORM_TYPE}.")
        try:
            text = self._body().decode("utf-8")
        except UnicodeDecodeError:
            raise _BadRequest("Request body is not UTF-8.") from None
        return parse_qs(text, keep_blank_values=True)

    def _json_body(self):
        body = self._body()
        if not body:
            return {}
        try:
            data = json.loads(body)
        except ValueError:
            raise _BadRequest("Body must be JSON.") from None
        if not isinstance(data, dict):
            raise _BadRequest("Body must be a JSON object.")
        return data

    def _request_base(self):
        host = self.headers.get("Host")
        return f"http://{host}" if host else None

    # ------------------------------------------------------------- endpoints
    def discovery(self):
        self._send_json(200, self.provider.discovery())

    def jwks(self):
        self._send_json(200, self.provider.jwks())

    def health(self):
        self._send_json(200, {"status": "ok"})

    def authorize(self):
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        params = {k: v[0] for k, v in query.items()}
        duplicates = [k for k, v in query.items() if len(v) > 1]
        try:
            transaction = self.provider.start_authorization(params, duplicates)
        except PageError as exc:
            self._send_html(exc.status, pages.error_page(exc.error, exc.description))
            return
        except RedirectError as exc:
            self._redirect(exc.location)
            return
        client = self.provider.clients[transaction.client_id]
        self._send_html(200, pages.login_page(transaction, client.name))

    def login(self):
        form = {k: v[0] for k, v in self._form_lists().items()}
        try:
            transaction = self.provider.get_transaction(form.get("transaction_id"))
            client = self.provider.clients[transaction.client_id]
            try:
                self.provider.authenticate(
                    transaction.id, form.get("individual_id"), form.get("otp")
                )
            except LoginFailed as exc:
                page = pages.login_page(
                    transaction,
                    client.name,
                    error=str(exc),
                    individual_id=form.get("individual_id") or "",
                )
                self._send_html(200, page)
                return
        except PageError as exc:
            self._send_html(exc.status, pages.error_page(exc.error, exc.description))
            return
        self._send_html(200, pages.consent_page(transaction, client.name))

    def consent(self):
        form = self._form_lists()
        action = (form.get("action") or [""])[0]
        if action not in ("allow", "cancel"):
            raise _BadRequest("action must be allow or cancel.")
        try:
            location = self.provider.finish_consent(
                (form.get("transaction_id") or [""])[0],
                allow=action == "allow",
                accepted_claims=form.get("accepted_claims") or (),
            )
        except PageError as exc:
            self._send_html(exc.status, pages.error_page(exc.error, exc.description))
            return
        self._redirect(location)

    def token(self):
        headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
        try:
            lists = self._form_lists()
            repeated = sorted(k for k, v in lists.items() if len(v) > 1)
            if repeated:
                raise OAuthError(
                    "invalid_request", f"Repeated parameter(s): {repeated}"
                )
            result = self.provider.token(
                {k: v[0] for k, v in lists.items()},
                authorization=self.headers.get("Authorization"),
                request_base=self._request_base(),
            )
        except _BadRequest as exc:
            self._send_json(
                400,
                {"error": "invalid_request", "error_description": str(exc)},
                headers,
            )
            return
        except OAuthError as exc:
            self._send_json(exc.status, exc.as_dict(), headers)
            return
        self._send_json(200, result, headers)

    def userinfo(self):
        if self.command == "POST":
            self._body()  # drain; the token is only accepted in the header
        try:
            token = self.provider.userinfo(self.headers.get("Authorization"))
        except OAuthError as exc:
            headers = {"Cache-Control": "no-store"}
            if exc.www_authenticate:
                headers["WWW-Authenticate"] = exc.www_authenticate
            self._send_json(exc.status, exc.as_dict(), headers)
            return
        if isinstance(token, dict):
            self._send_json(200, token, {"Cache-Control": "no-store"})
            return
        self._send(200, token, "application/jwt", {"Cache-Control": "no-store"})

    def faults(self):
        faults = self.provider.faults
        if self.command == "POST":
            data = self._json_body()
            if data.pop("reset", False):
                faults.reset()
            try:
                faults.update(data)
            except ValueError as exc:
                raise _BadRequest(str(exc)) from None
            _logger.warning("faults changed over HTTP: %s", sorted(data))
        self._send_json(200, faults.as_dict())

    def rotate_keys(self):
        data = self._json_body()
        keep_old = data.get("keep_old", False)
        grace = data.get("grace_seconds", 600)
        if not isinstance(keep_old, bool) or not isinstance(grace, (int, float)):
            raise _BadRequest("keep_old must be a boolean, grace_seconds a number.")
        kid = self.provider.rotate_keys(keep_old=keep_old, grace_seconds=grace)
        self._send_json(200, {"kid": kid, "keep_old": keep_old})

    def client_mgmt(self):
        """eSignet's ``POST /v1/esignet/client-mgmt/oidc-client`` (simplified)."""
        data = self._json_body()
        request = data.get("request")
        now = datetime.datetime.now(datetime.timezone.utc)
        response = {
            "responseTime": now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "response": None,
            "errors": [],
        }
        if not isinstance(request, dict):
            response["errors"].append(
                {"errorCode": "invalid_request", "errorMessage": "request missing"}
            )
        elif request.get("clientId") in self.provider.clients:
            response["errors"].append(
                {"errorCode": "duplicate_client_id", "errorMessage": "exists"}
            )
        else:
            try:
                client = self.provider.register_client_dict(request)
            except (ValueError, TypeError, KeyError) as exc:
                response["errors"].append(
                    {"errorCode": "invalid_input", "errorMessage": str(exc)}
                )
            else:
                response["response"] = {
                    "clientId": client.client_id,
                    "status": "ACTIVE",
                }
        self._send_json(200, response)


def _routes(emulator):
    routes = {
        ("GET", DISCOVERY_PATH): _Handler.discovery,
        ("GET", "/v1/esignet/oidc/.well-known/openid-configuration"): (
            _Handler.discovery
        ),
        ("GET", JWKS_PATH): _Handler.jwks,
        ("GET", "/.well-known/jwks.json"): _Handler.jwks,
        ("GET", HEALTH_PATH): _Handler.health,
        ("GET", AUTHORIZE_PATH): _Handler.authorize,
        ("POST", LOGIN_PATH): _Handler.login,
        ("POST", CONSENT_PATH): _Handler.consent,
        ("POST", TOKEN_PATH): _Handler.token,
        ("POST", LEGACY_TOKEN_PATH): _Handler.token,
        ("GET", USERINFO_PATH): _Handler.userinfo,
        ("POST", USERINFO_PATH): _Handler.userinfo,
    }
    if emulator.allow_fault_injection:
        routes[("GET", FAULTS_PATH)] = _Handler.faults
        routes[("POST", FAULTS_PATH)] = _Handler.faults
        routes[("POST", ROTATE_KEYS_PATH)] = _Handler.rotate_keys
    if emulator.allow_client_registration:
        routes[("POST", CLIENT_MGMT_PATH)] = _Handler.client_mgmt
    return routes


class EsignetEmulator:
    """A local eSignet-like OpenID provider served over real HTTP.

    >>> with EsignetEmulator() as emulator:   # port 0: an ephemeral port
    ...     emulator.register_client("rp", public_jwk, ["http://rp/cb"])
    ...     location = emulator.login(authorize_url, "5037418692")

    It serves a ``Provider`` (``emulator.provider``). What a relying party's
    test drives (clients, faults, key rotation, the PSUT to expect, the
    issuer) is at hand here; everything else is on ``emulator.provider``.
    """

    def __init__(
        self,
        identities=None,
        clients=None,
        host="127.0.0.1",
        port=0,
        issuer=None,
        *,
        allow_fault_injection=True,
        allow_client_registration=True,
        **settings,
    ):
        """``settings``: the ``Provider``'s (PSUT secret, signing key, lifetimes)."""
        self.host = host
        self.port = port
        self.allow_fault_injection = allow_fault_injection
        self.allow_client_registration = allow_client_registration
        self.requests_log = []
        self._httpd = None
        self._thread = None
        self.provider = Provider(identities, clients, issuer=issuer, **settings)
        self.provider.base_url = self.base_url

    @property
    def base_url(self):
        host = self.host
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    issuer = forward("provider.issuer")
    faults = forward("provider.faults")
    clients = forward("provider.clients")
    register_client = forward("provider.register_client", "Provider.register_client")
    rotate_keys = forward("provider.rotate_keys", "Provider.rotate_keys")
    psut = forward("provider.psut", "Provider.psut")

    @property
    def discovery_url(self):
        return self.issuer + DISCOVERY_PATH

    @property
    def running(self):
        return self._httpd is not None

    def start(self):
        if self._httpd is not None:
            return self
        server_cls = _Server6 if ":" in self.host else _Server
        httpd = server_cls((self.host, self.port), _Handler)
        httpd.emulator = self
        self.port = httpd.server_address[1]
        self.provider.base_url = self.base_url
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"esignet-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        _logger.info(
            "eSignet emulator listening on %s (discovery: %s)",
            self.base_url,
            self.discovery_url,
        )
        return self

    def stop(self):
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        self._thread.join(timeout=5)
        self._thread = None
        _logger.info("eSignet emulator on port %s stopped", self.port)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def login(self, authorize_url, individual_id, otp="111111", consent=True):
        """Walk the login UI headlessly; return the final redirect to the RP."""
        return headless_login(authorize_url, individual_id, otp, consent)
