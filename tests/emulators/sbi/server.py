"""HTTP front of the SBI emulator (stdlib ``http.server``, threaded).

Custom methods MOSIPDISC, MOSIPDINFO, RCAPTURE, CAPTURE, STREAM as in the
specification; ``POST /_emulator/faults`` and ``POST /_emulator/state``
(JSON) drive the test double; ``GET /_emulator/ca.pem`` gives the provider
CA to trust.

CORS, as MockMDS does (``SBIResponseInfo``), so that a page of another origin
(the portal) can call the device from the browser: ``OPTIONS`` preflights are
answered for every path (custom methods and the JSON ``Content-Type`` always
need one), with ``Access-Control-Allow-Private-Network`` for Chrome's Private
Network Access preflights (Chrome 142+ instead asks the user once per site,
"Local Network Access", for a public HTTPS page); every answer, errors and the
M-JPEG stream included, carries ``Access-Control-Allow-Origin: *``. No
credentials are ever allowed.

``stop()`` also drops the connections still open, as an unplugged device
would: a client waiting for a capture sees the connection close.
"""

import json
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .device import JPEG, Device

MAX_BODY = 1024 * 1024
FAULTS_PATH = "/_emulator/faults"
STATE_PATH = "/_emulator/state"
CA_PATH = "/_emulator/ca.pem"
BOUNDARY = "mosipframe"
STATE_FIELDS = ("status", "quality", "purpose", "env")
CORS_ALLOW_METHODS = (
    "MOSIPDISC, MOSIPDINFO, RCAPTURE, CAPTURE, STREAM, GET, POST, OPTIONS"
)
CORS_ALLOW_HEADERS = "Content-Type"
CORS_MAX_AGE = "600"  # seconds a browser may reuse a preflight answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *args, **kwargs):
        self._open_sockets = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def server_bind(self):
        # Skip HTTPServer.server_bind: its getfqdn() may hang on reverse DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open_sockets.discard(request)
        super().shutdown_request(request)

    def drop_connections(self):
        """Cut every open connection (the device vanished)."""
        with self._open_lock:
            sockets, self._open_sockets = self._open_sockets, set()
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request, client_address):
        # A client that went away (or a dropped connection) is not an error
        # worth a traceback on stderr.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_version = "sbi-emulator/0.9.5"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 30

    @property
    def device(self):
        return self.server.device

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass

    def end_headers(self):
        # Every answer (JSON, errors of send_error, the stream) is readable
        # by a page of any origin; no credentials, so "*" is enough.
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def do_OPTIONS(self):
        """CORS preflight, for every path."""
        try:
            self._body()
        except ValueError:
            pass
        self.send_response(204)
        self.send_header("Access-Control-Allow-Methods", CORS_ALLOW_METHODS)
        self.send_header("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS)
        self.send_header("Access-Control-Allow-Private-Network", "true")
        self.send_header("Access-Control-Max-Age", CORS_MAX_AGE)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _send(self, status, content_type, data):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _json(self, status, value):
        self._send(status, "application/json", json.dumps(value).encode())

    def _device_request(self):
        try:
            body = self._body()
        except ValueError:
            return self._json(413, {"error": "too large"})
        status, content_type, data = self.device.handle(self.command, self.path, body)
        return self._send(status, content_type, data)

    do_MOSIPDISC = _device_request
    do_MOSIPDINFO = _device_request
    do_RCAPTURE = _device_request
    do_CAPTURE = _device_request

    def do_STREAM(self):
        try:
            body = json.loads(self._body() or b"{}")
        except ValueError:
            body = {}
        if self.path.rstrip("/") != "/stream":
            return self._json(404, {"error": "not found"})
        error = self.device.stream_error(body)
        if error is not None:
            return self._json(200, {"error": error})
        frames = int(body.get("frames") or self.server.stream_frames)
        self.send_response(200)
        self.send_header(
            "Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}"
        )
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(frames):  # 3+ frames per second, as the spec asks
            part = (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                f"Content-Length: {len(JPEG)}\r\n\r\n"
            ).encode()
            self.wfile.write(part + JPEG + b"\r\n")
            self.wfile.flush()
            time.sleep(0.3)
        self.wfile.write(f"--{BOUNDARY}--\r\n".encode())
        self.close_connection = True

    def do_GET(self):
        if self.path == CA_PATH:
            return self._send(
                200, "application/x-pem-file", self.device.ca_pem().encode()
            )
        return self._json(404, {"error": "not found"})

    def do_POST(self):
        if not self.server.allow_control:
            return self._json(403, {"error": "control disabled"})
        try:
            values = json.loads(self._body() or b"{}")
            if not isinstance(values, dict):
                raise ValueError("object expected")
            if self.path == FAULTS_PATH:
                if values.pop("reset", False):
                    self.device.faults = type(self.device.faults)()
                self.device.faults.update(values)
            elif self.path == STATE_PATH:
                for key, value in values.items():
                    if key not in STATE_FIELDS:
                        raise ValueError(f"unknown state {key!r}")
                    setattr(
                        self.device, key, float(value) if key == "quality" else value
                    )
            else:
                return self._json(404, {"error": "not found"})
        except ValueError as exc:
            return self._json(400, {"error": str(exc)})
        return self._json(200, {"ok": True})


class SbiEmulator:
    """A ``Device`` served on 127.0.0.1; a context manager (start/stop)."""

    def __init__(
        self,
        device=None,
        *,
        host="127.0.0.1",
        port=4501,
        allow_control=True,
        stream_frames=3,
        **device_options,
    ):
        self.host = host
        self.requested_port = port
        self.device = device or Device(port=port, **device_options)
        self.allow_control = allow_control
        self.stream_frames = stream_frames
        self._server = None
        self._thread = None

    @property
    def port(self):
        return self._server.server_port

    @property
    def base_url(self):
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._server = _Server((self.host, self.requested_port), _Handler)
        self._server.device = self.device
        self._server.allow_control = self.allow_control
        self._server.stream_frames = self.stream_frames
        self.device.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns quickly
            name="sbi-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_connections()
            self._thread.join(timeout=5)
            self._server = None

    def serve_forever(self):
        self.start()
        try:
            self._thread.join()
        finally:
            self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
