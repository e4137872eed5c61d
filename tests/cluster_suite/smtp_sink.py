"""A small SMTP server that keeps every message it receives (test double).

Enough of RFC 5321 for Odoo's smtplib client without encryption or login:
EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
"""

import email
import socketserver
import threading
from email.policy import default as default_policy


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, text):
        self.wfile.write(f"{text}\r\n".encode())

    def handle(self):
        sink = self.server.sink
        self.reply("220 cluster-suite sink ESMTP")
        recipients = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 cluster-suite sink")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[-1].strip(" <>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                sink.keep(b"".join(lines), recipients)
                self.reply("250 OK: queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """``with SmtpSink() as sink:`` … ``sink.port``, ``sink.messages``."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]

    def keep(self, raw, recipients):
        message = email.message_from_bytes(raw, policy=default_policy)
        with self._lock:
            self.messages.append(
                {"subject": str(message["Subject"]), "to": list(recipients)}
            )

    def subjects(self):
        with self._lock:
            return [m["subject"] for m in self.messages]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
