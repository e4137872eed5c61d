"""Command line of the message sink: ``python3 tests/emulators/messages``."""

import argparse
import logging
import os
import signal
import sys
import threading

from .server import WebSink
from .smtp import SmtpSink
from .store import MessageStore

SMS_KEY_ENV = "MESSAGE_SINK_SMS_KEY"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python3 tests/emulators/messages",
        description="Local mail and SMS sink: keeps what Odoo sends and shows "
        "it on a web page (for tests and demos only; nothing is relayed).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address")
    parser.add_argument("--smtp-port", type=int, default=8025, help="SMTP (0: any)")
    parser.add_argument("--http-port", type=int, default=8026, help="web page (0: any)")
    parser.add_argument(
        "--store", help="keep the messages in this JSON-lines file (kept on restart)"
    )
    parser.add_argument(
        "--sms-key-env",
        default=SMS_KEY_ENV,
        help="environment variable holding the key SMS senders must give "
        "(default %(default)s; unset: any sender)",
    )
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    # aiosmtpd logs every SMTP command at INFO: the sink's own lines say
    # what was kept.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    store = MessageStore(args.store)
    smtp = SmtpSink(store, host=args.host, port=args.smtp_port).start()
    web = WebSink(
        store,
        host=args.host,
        port=args.http_port,
        sms_key=os.environ.get(args.sms_key_env),
    ).start()
    print(f"message sink: SMTP on {args.host}:{smtp.port}, messages on {web.base_url}/")
    sys.stdout.flush()
    done = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: done.set())
    try:
        done.wait()
    finally:
        web.stop()
        smtp.stop()
    return 0
