"""The sink's web side (stdlib ``http.server``, threaded).

- ``GET /``: the messages, newest first, each a link to its page; ``?to=``
  keeps those of one address or phone number;
- ``GET /messages/<id>``: one message;
- ``GET /_emulator/messages`` (JSON, oldest first; ``?to=``, ``?kind=email``
  or ``sms``) and ``GET /_emulator/health``: for tests and scripts;
- ``POST /sms``: an SMS gateway in Fast2SMS's shape (what OpenG2P's
  ``g2p_notifications_fast2sms`` sends: form fields ``numbers`` and
  ``message``, the key in the ``authorization`` header), answered as
  Fast2SMS answers.

Everything shown is escaped: message texts come from registrants' names and
programs typed by people.
"""

import hmac
import json
import logging
import re
import socketserver
import threading
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

_logger = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # an SMS gateway request
MAX_SMS = 2000  # characters of one SMS kept (a long text is several SMS)
PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{2,30}$")
MESSAGES_PATH = "/_emulator/messages"
HEALTH_PATH = "/_emulator/health"
SMS_PATH = "/sms"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ccc; }}
a {{ color: #0b4f8a; }}
pre {{ white-space: pre-wrap; background: #f4f4f4; padding: 1rem; }}
.kind {{ font-weight: 600; }}
</style></head>
<body><main>{content}</main></body></html>
"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        # Skip HTTPServer.server_bind: its getfqdn() may hang on reverse DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = host
        self.server_port = port


class _Handler(BaseHTTPRequestHandler):
    server_version = "G2PMessageSink/1"

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        _logger.debug("%s %s", self.address_string(), format % args)

    @property
    def sink(self):
        return self.server.sink

    def _send(self, status, content_type, text):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header(
            "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"
        )
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, value):
        self._send(status, "application/json", json.dumps(value, ensure_ascii=False))

    def _page(self, status, title, content):
        self._send(
            status, "text/html", PAGE.format(title=escape(title), content=content)
        )

    def do_GET(self):  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == HEALTH_PATH:
            return self._json(200, {"status": "ok"})
        if url.path == MESSAGES_PATH:
            return self._json(
                200, self.sink.store.list(kind=query.get("kind"), to=query.get("to"))
            )
        if url.path in ("/", "/messages"):
            return self._page(200, "Messages sent by the portal", self._list(query))
        match = re.fullmatch(r"/messages/(\d{1,9})", url.path)
        if match:
            message = self.sink.store.get(int(match.group(1)))
            if message:
                return self._page(200, message["subject"] or "SMS", self._one(message))
        return self._page(
            404, "Not found", "<h1>Not found</h1><p><a href='/'>All messages</a></p>"
        )

    def _list(self, query):
        messages = list(reversed(self.sink.store.list(to=query.get("to"))))
        rows = "".join(
            "<tr><td>{at}</td><td class='kind'>{kind}</td><td>{to}</td>"
            "<td><a href='/messages/{id}'>{subject}</a>{again}</td></tr>".format(
                id=m["id"],
                again=(
                    f" <span class='kind'>(sent again: as {int(m['again'])})</span>"
                    if m.get("again")
                    else ""
                ),
                at=escape(m["at"]),
                kind="Email" if m["kind"] == "email" else "SMS",
                to=escape(", ".join(m["to"])),
                subject=escape(m["subject"] or m["body"][:80] or "(empty)"),
            )
            for m in messages
        )
        return (
            "<h1>Messages sent by the portal</h1>"
            "<p>Emails and SMS the demo's Odoo sent; nothing leaves this machine."
            f" {len(messages)} message(s).</p>"
            "<table><thead><tr><th scope='col'>Received (UTC)</th>"
            "<th scope='col'>Type</th><th scope='col'>To</th>"
            "<th scope='col'>Subject or text</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _one(self, message):
        kind = "Email" if message["kind"] == "email" else "SMS"
        return (
            "<p><a href='/'>All messages</a></p>"
            f"<h1>{escape(message['subject'] or kind)}</h1>"
            f"<p>{kind} to {escape(', '.join(message['to']))}"
            + (f" from {escape(message['from'])}" if message["from"] else "")
            + f", received {escape(message['at'])} UTC</p>"
            + (
                f"<p>Message-ID {escape(message['message_id'])}</p>"
                if message.get("message_id")
                else ""
            )
            + (
                f"<p>Sent again: the same message as <a href='/messages/"
                f"{int(message['again'])}'>{int(message['again'])}</a> (a mailbox"
                " shows it once).</p>"
                if message.get("again")
                else ""
            )
            + f"<pre>{escape(message['body'])}</pre>"
        )

    def do_POST(self):  # noqa: N802 - stdlib name
        url = urlsplit(self.path)
        if url.path != SMS_PATH:
            return self._json(404, {"return": False, "message": "not found"})
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY:
            return self._json(
                400, {"return": False, "message": "a form body is needed"}
            )
        key = self.sink.sms_key
        given = self.headers.get("authorization") or ""
        if key and not hmac.compare_digest(given.encode(), key.encode()):
            _logger.warning("SMS refused: wrong or missing authorization key")
            return self._json(
                401,
                {
                    "return": False,
                    "status_code": 412,
                    "message": "Invalid Authentication",
                },
            )
        raw = self.rfile.read(length).decode("utf-8", "replace")
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        numbers = [n.strip() for n in form.get("numbers", "").split(",") if n.strip()]
        text = form.get("message", "")
        if not numbers or not all(PHONE.match(n) for n in numbers) or not text.strip():
            _logger.warning("SMS refused: numbers or message missing or malformed")
            return self._json(
                400, {"return": False, "message": "numbers and message are required"}
            )
        kept = self.sink.store.add("sms", numbers, "", text[:MAX_SMS])
        _logger.info("SMS %s to %s kept", kept["id"], ", ".join(numbers))
        return self._json(
            200,
            {
                "return": True,
                "request_id": f"sink-{kept['id']}",
                "message": ["SMS sent successfully."],
            },
        )


class WebSink:
    """``WebSink(store, port=0, sms_key=None).start()`` … ``.base_url`` …
    ``.stop()``."""

    def __init__(self, store, host="127.0.0.1", port=0, sms_key=None):
        self.store = store
        self.sms_key = sms_key
        self._server = _Server((host, port), _Handler)
        self._server.sink = self
        self._thread = None

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def base_url(self):
        return f"http://{self._server.server_address[0]}:{self.port}"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
