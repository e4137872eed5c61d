"""The sink's SMTP side (aiosmtpd): every message accepted and kept, never
relayed. Plain SMTP on loopback, as Odoo's outgoing mail server of the demo
(no TLS, no login)."""

import logging
import socket
from email import message_from_bytes
from email.policy import default as default_policy
from html.parser import HTMLParser

from aiosmtpd.controller import Controller

_logger = logging.getLogger(__name__)

MAX_MESSAGE = 10 * 1024 * 1024  # bytes: Odoo's emails with attachments fit


class _Text(HTMLParser):
    """The text of an HTML body (Odoo sends HTML only for many emails)."""

    def __init__(self):
        super().__init__()
        self.parts = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._hidden += 1
        if tag in ("br", "p", "div", "li", "tr"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def message_text(message):
    """The readable text of an email: its text/plain part, else its HTML
    part's text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_subtype() == "html":
        parser = _Text()
        parser.feed(content)
        content = "".join(parser.parts)
    lines = [line.strip() for line in content.splitlines()]
    return "\n".join(line for line in lines if line).strip()


class _Handler:
    def __init__(self, store):
        self.store = store

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd)
        try:
            message = message_from_bytes(envelope.content, policy=default_policy)
            subject = str(message.get("Subject", ""))
            message_id = str(message.get("Message-ID", "")).strip()
            body = message_text(message)
        except Exception as error:  # a malformed message is kept as raw text
            _logger.warning("unreadable message kept as text: %s", error)
            subject = message_id = ""
            body = envelope.content.decode("utf-8", "replace")
        kept = self.store.add(
            "email",
            envelope.rcpt_tos,
            subject,
            body,
            sender=envelope.mail_from or "",
            message_id=message_id,
        )
        _logger.info(
            "email %s to %s kept%s",
            kept["id"],
            ", ".join(kept["to"]),
            f" (again: the Message-ID of {kept['again']})" if kept["again"] else "",
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """``SmtpSink(store, port=0).start()`` … ``.port`` … ``.stop()``."""

    def __init__(self, store, host="127.0.0.1", port=0):
        self.store = store
        self.host = host
        if not port:
            # aiosmtpd checks its server by connecting to the port it was
            # given: take a free one first.
            with socket.socket() as probe:
                probe.bind((host, 0))
                port = probe.getsockname()[1]
        self.controller = Controller(
            _Handler(store),
            hostname=host,
            port=port,
            data_size_limit=MAX_MESSAGE,
            ready_timeout=10,
        )

    @property
    def port(self):
        return self.controller.port

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()
