"""The demo's mail and SMS sink (tests/emulators/messages) over real SMTP and
HTTP: what Odoo sends is kept once, shown escaped, refused when malformed,
and kept across a restart."""

import json
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from emulators.messages import (
    MESSAGES_PATH,
    SMS_PATH,
    MessageStore,
    SmtpSink,
    WebSink,
)

TESTS = Path(__file__).resolve().parents[2]


@pytest.fixture
def sink(tmp_path):
    store = MessageStore(tmp_path / "messages.jsonl")
    smtp = SmtpSink(store).start()
    web = WebSink(store, sms_key="demo-key").start()
    yield store, smtp, web
    web.stop()
    smtp.stop()


def _send_email(
    port, subject, html=None, text=None, to="kofi@example.org", message_id=None
):
    message = EmailMessage()
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message["From"] = "portal@example.org"
    message["To"] = to
    if text:
        message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message)


def test_an_email_is_kept_once_with_its_text(sink):
    store, smtp, web = sink
    _send_email(
        smtp.port,
        "Your application APP-1",
        html="<p>Your application is <b>approved</b>.<br/>See the portal"
        "<script>alert(1)</script></p>",
    )
    messages = requests.get(web.base_url + MESSAGES_PATH, timeout=10).json()
    assert len(messages) == 1
    message = messages[0]
    assert message["kind"] == "email"
    assert message["to"] == ["kofi@example.org"]
    assert message["subject"] == "Your application APP-1"
    assert message["body"] == "Your application is approved.\nSee the portal"


def test_an_email_sent_again_is_marked_with_the_first(sink):
    """The same Message-ID twice (a sender that died before recording its
    send): kept, marked as the first one sent again; the page says so."""
    _store, smtp, web = sink
    _send_email(smtp.port, "Paid", text="Paid", message_id="<a.1@portal>")
    _send_email(smtp.port, "Paid", text="Paid", message_id="<a.1@portal>")
    _send_email(smtp.port, "Paid", text="Paid", message_id="<b.2@portal>")
    _send_email(smtp.port, "No id", text="No id")
    messages = requests.get(web.base_url + MESSAGES_PATH, timeout=10).json()
    assert [(m["message_id"], m["again"]) for m in messages] == [
        ("<a.1@portal>", None),
        ("<a.1@portal>", messages[0]["id"]),
        ("<b.2@portal>", None),
        ("", None),
    ]
    page = requests.get(f"{web.base_url}/messages/{messages[1]['id']}", timeout=10)
    assert "Sent again" in page.text and "&lt;a.1@portal&gt;" in page.text
    listing = requests.get(web.base_url + "/", timeout=10).text
    assert listing.count("sent again") == 1


def test_the_plain_text_part_is_preferred(sink):
    _store, smtp, web = sink
    _send_email(smtp.port, "Both", text="Plain words", html="<p>HTML words</p>")
    (message,) = requests.get(web.base_url + MESSAGES_PATH, timeout=10).json()
    assert message["body"] == "Plain words"


def test_an_sms_in_fast2sms_shape_is_kept(sink):
    _store, _smtp, web = sink
    answer = requests.post(
        web.base_url + SMS_PATH,
        data={"numbers": "+233 20 000 0001", "message": "Benefit paid", "route": "q"},
        headers={"authorization": "demo-key"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["return"] is True
    messages = requests.get(
        web.base_url + MESSAGES_PATH, params={"kind": "sms"}, timeout=10
    ).json()
    assert [(m["to"], m["body"]) for m in messages] == [
        (["+233 20 000 0001"], "Benefit paid")
    ]


@pytest.mark.parametrize(
    "data, key, status",
    [
        ({"numbers": "+2332000", "message": "x"}, "wrong", 401),
        ({"numbers": "+2332000", "message": "x"}, None, 401),
        ({"numbers": "", "message": "x"}, "demo-key", 400),
        ({"numbers": "<script>", "message": "x"}, "demo-key", 400),
        ({"numbers": "+2332000", "message": "  "}, "demo-key", 400),
    ],
)
def test_a_bad_sms_is_refused_and_nothing_kept(sink, data, key, status):
    store, _smtp, web = sink
    headers = {"authorization": key} if key else {}
    answer = requests.post(
        web.base_url + SMS_PATH, data=data, headers=headers, timeout=10
    )
    assert answer.status_code == status
    assert answer.json()["return"] is False
    assert store.list() == []


def test_an_oversized_sms_request_is_refused(sink):
    store, _smtp, web = sink
    answer = requests.post(
        web.base_url + SMS_PATH,
        data={"numbers": "+2332000", "message": "x" * 70_000},
        headers={"authorization": "demo-key"},
        timeout=10,
    )
    assert answer.status_code == 400
    assert store.list() == []


def test_pages_escape_what_people_typed(sink):
    store, smtp, web = sink
    _send_email(smtp.port, "<img src=x onerror=alert(1)>", text="<b>bold</b>")
    listing = requests.get(web.base_url + "/", timeout=10)
    assert listing.status_code == 200
    assert "<img src=x" not in listing.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in listing.text
    assert "default-src 'none'" in listing.headers["Content-Security-Policy"]
    page = requests.get(web.base_url + "/messages/1", timeout=10)
    assert "&lt;b&gt;bold&lt;/b&gt;" in page.text
    assert requests.get(web.base_url + "/messages/2", timeout=10).status_code == 404
    assert requests.get(web.base_url + "/messages/x", timeout=10).status_code == 404


def test_the_listing_filters_by_recipient(sink):
    _store, smtp, web = sink
    _send_email(smtp.port, "For Kofi", text="a")
    _send_email(smtp.port, "For Ana", text="b", to="ana@example.org")
    page = requests.get(
        web.base_url + "/", params={"to": "ana@example.org"}, timeout=10
    )
    assert "For Ana" in page.text and "For Kofi" not in page.text


def test_messages_survive_a_restart(tmp_path):
    path = tmp_path / "messages.jsonl"
    first = MessageStore(path)
    first.add("sms", ["+2332000"], "", "one")
    with path.open("a") as handle:
        handle.write('{"cut short')  # a crash in the middle of a line
    second = MessageStore(path)
    assert [m["body"] for m in second.list()] == ["one"]
    assert second.add("sms", ["+2332000"], "", "two")["id"] == 2


def test_the_command_line_starts_and_stops(tmp_path):
    store = tmp_path / "kept.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            str(TESTS / "emulators" / "messages"),
            "--smtp-port=0",
            "--http-port=0",
            f"--store={store}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("message sink: SMTP on 127.0.0.1:"), line
        smtp_port = int(line.split("SMTP on 127.0.0.1:")[1].split(",")[0])
        base = line.rsplit(" ", 1)[1].strip().rstrip("/")
        _send_email(smtp_port, "From the command line", text="hello")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not store.exists():
            time.sleep(0.1)
        kept = requests.get(base + MESSAGES_PATH, timeout=10).json()
        assert [m["subject"] for m in kept] == ["From the command line"]
        assert json.loads(store.read_text().splitlines()[0])["body"] == "hello"
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
