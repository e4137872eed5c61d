"""A local mail and SMS sink for the demo and the tests: an SMTP server
(aiosmtpd) and an SMS gateway in Fast2SMS's shape whose messages a person
reads on a web page. Nothing is relayed."""

from .cli import main
from .server import HEALTH_PATH, MESSAGES_PATH, SMS_PATH, WebSink
from .smtp import SmtpSink, message_text
from .store import MessageStore

__all__ = [
    "HEALTH_PATH",
    "MESSAGES_PATH",
    "SMS_PATH",
    "MessageStore",
    "SmtpSink",
    "WebSink",
    "main",
    "message_text",
]
