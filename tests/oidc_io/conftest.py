"""Real HTTP(S) servers on 127.0.0.1 for the transport tests.

One threaded server per module answers by path (see ``ROUTES``); handlers
that stall or trickle wait on ``stop`` so that teardown is immediate. The
HTTPS server has a throw-away certificate for ``pictures.example.org`` and
``localhost``; tests map that name to 127.0.0.1 by patching getaddrinfo.
"""

import datetime
import gzip
import http.server
import ipaddress
import socket
import ssl
import threading
import zlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PICTURE_HOST = "pictures.example.org"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
JSON_BODY = b'{"access_token": "a", "token_type": "Bearer"}'
BOMB_DECODED_SIZE = 1 << 30  # 1 GiB of zeros
_BLOCK = 1 << 20


def _bomb_segments(wbits):
    """(first, repeated): a compressed stream of 1 GiB of zeros, ~1 MB.

    After a full flush the compressor starts afresh, so every later 1 MiB
    block compresses to the same bytes: the stream is built from three
    compressions, not from a gigabyte. No trailer: nobody must get there.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    zeros = bytes(_BLOCK)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert repeated == again
    return first, repeated


GZIP_BOMB = _bomb_segments(16 + zlib.MAX_WBITS)
DEFLATE_BOMB = _bomb_segments(zlib.MAX_WBITS)


def _send(handler, status, body, headers=()):
    handler.send_response(status)
    names = {name.lower() for name, _ in headers}
    for name, value in headers:
        handler.send_header(name, value)
    if "content-length" not in names:
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _bomb(handler, segments, encoding):
    first, repeated = segments
    count = BOMB_DECODED_SIZE // _BLOCK
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", encoding)
    handler.send_header("Content-Length", str(len(first) + (count - 1) * len(repeated)))
    handler.end_headers()
    handler.wfile.write(first)
    for _ in range(count - 1):
        handler.wfile.write(repeated)


def _trickle_body(handler):
    # 1 byte a second, 8 at most: an old client without a total deadline
    # would wait ~8 s and then get a cut body.
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    handler.wfile.flush()
    for _ in range(8):
        if handler.server.stop.wait(1.0):
            return
        handler.wfile.write(b" ")
        handler.wfile.flush()


def _trickle_headers(handler):
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    handler.wfile.flush()
    for byte in b"X-Slow: abcdef":
        if handler.server.stop.wait(0.2):
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
    handler.close_connection = True


def _silent(handler):
    handler.server.stop.wait(30)
    handler.close_connection = True


def _chunked_large(handler):
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"x" * 65536
    for _ in range(32):  # 2 MiB, no Content-Length
        handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    handler.wfile.write(b"0\r\n\r\n")


def _raw_deflate(data):
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ROUTES = {
    "/gzip": lambda h: _send(
        h,
        200,
        gzip.compress(JSON_BODY),
        [("Content-Encoding", "gzip"), ("Content-Type", "application/json")],
    ),
    "/gzip-two-members": lambda h: _send(
        h,
        200,
        gzip.compress(JSON_BODY[:10]) + gzip.compress(JSON_BODY[10:]),
        [("Content-Encoding", "gzip")],
    ),
    "/deflate": lambda h: _send(
        h, 200, zlib.compress(JSON_BODY), [("Content-Encoding", "deflate")]
    ),
    "/deflate-raw": lambda h: _send(
        h, 200, _raw_deflate(JSON_BODY), [("Content-Encoding", "deflate")]
    ),
    "/corrupt-gzip": lambda h: _send(
        h, 200, b"\x1f\x8b\x08\x00garbage-not-deflate", [("Content-Encoding", "gzip")]
    ),
    "/identity": lambda h: _send(
        h, 200, JSON_BODY, [("Content-Type", "application/json")]
    ),
    "/br": lambda h: _send(h, 200, b"\x0b\x02\x80{}\x03", [("Content-Encoding", "br")]),
    "/compress": lambda h: _send(
        h, 200, b"\x1f\x9d", [("Content-Encoding", "compress")]
    ),
    "/stacked": lambda h: _send(
        h,
        200,
        gzip.compress(gzip.compress(JSON_BODY)),
        [("Content-Encoding", "gzip, gzip")],
    ),
    "/gzip-bomb": lambda h: _bomb(h, GZIP_BOMB, "gzip"),
    "/deflate-bomb": lambda h: _bomb(h, DEFLATE_BOMB, "deflate"),
    "/big-declared": lambda h: _send(h, 200, b"x" * (600 * 1024)),
    "/big-chunked": _chunked_large,
    "/trickle-body": _trickle_body,
    "/trickle-headers": _trickle_headers,
    "/silent": _silent,
    "/redirect": lambda h: _send(h, 302, b"", [("Location", "/identity")]),
    "/picture.png": lambda h: _send(h, 200, PNG, [("Content-Type", "image/png")]),
    "/picture-gzip.png": lambda h: _send(
        h, 200, gzip.compress(PNG), [("Content-Encoding", "gzip")]
    ),
    "/picture-big.png": lambda h: _send(h, 200, PNG + b"\0" * (3 << 20)),
    "/not-a-picture": lambda h: _send(h, 200, b"<html>hello</html>"),
    "/picture-bomb": lambda h: _bomb(h, GZIP_BOMB, "gzip"),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _route(self):
        self.server.seen.append((self.command, self.path, dict(self.headers)))
        self.server.clients.append(self.client_address)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        route = ROUTES.get(self.path.split("?", 1)[0])
        try:
            if route is None:
                _send(self, 404, b"not found")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    do_GET = do_POST = _route

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hang up on purpose all the time here


class LocalServer:
    def __init__(self, tls_context=None):
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.stop = threading.Event()
        self.httpd.seen = []
        self.httpd.clients = []
        if tls_context is not None:
            self.httpd.socket = tls_context.wrap_socket(
                self.httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def seen(self):
        return self.httpd.seen

    @property
    def clients(self):
        return self.httpd.clients

    def url(self, path, host="127.0.0.1", scheme="http"):
        return f"{scheme}://{host}:{self.port}{path}"

    def close(self):
        self.httpd.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def server():
    local = LocalServer()
    yield local
    local.close()


def _certificate(directory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PICTURE_HOST)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName(PICTURE_HOST),
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory):
    cert_path, key_path = _certificate(tmp_path_factory.mktemp("tls"))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    local = LocalServer(context)
    local.ca_bundle = str(cert_path)
    yield local
    local.close()


@pytest.fixture
def fake_dns(monkeypatch):
    """``fake_dns[name] = [address, …]``: what getaddrinfo answers for a name.

    Each answer list is used in turn (the last one repeats), to play a
    rebinding resolver. ``fake_dns.calls`` counts the lookups of each name.
    """
    real_getaddrinfo = socket.getaddrinfo

    class FakeDns(dict):
        calls = {}

    answers = FakeDns()

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in answers:
            return real_getaddrinfo(host, port, family, type, proto, flags)
        answers.calls[name] = answers.calls.get(name, 0) + 1
        rounds = answers[name]
        if rounds and isinstance(rounds[0], list):
            addresses = rounds[min(answers.calls[name], len(rounds)) - 1]
        else:
            addresses = rounds
        result = []
        for address in addresses:
            ip = ipaddress.ip_address(address)
            if ip.version == 6:
                result.append(
                    (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
                )
            else:
                result.append(
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                )
        return result

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers
