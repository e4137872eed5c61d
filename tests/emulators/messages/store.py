"""The messages the sink has received: emails and SMS, in arrival order.

An email whose Message-ID was received before is kept again, marked
``again`` (with the first one's id): a sender that died after the receiving
server's answer and before recording it sends the same message a second
time, and a mailbox shows it once. The pages and the tests tell a message
sent twice from two messages.

Thread-safe; with a path, every message is appended to a JSON-lines file
and read back when the sink starts again, so that a demo stopped and
started keeps what was sent.
"""

import json
import threading
import time
from pathlib import Path

MAX_KEPT = 10_000  # newest messages kept in memory (a demo, not an archive)


class MessageStore:
    def __init__(self, path=None):
        self._lock = threading.Lock()
        self._messages = []
        self._path = Path(path) if path else None
        if self._path and self._path.is_file():
            with self._path.open(encoding="utf-8") as handle:
                for line in handle:
                    line = line.strip()
                    if line:
                        try:
                            self._messages.append(json.loads(line))
                        except ValueError:
                            continue  # a line cut short by a crash
            self._messages = self._messages[-MAX_KEPT:]

    def add(self, kind, to, subject, body, sender="", message_id=""):
        """Keep one message; returns it (with its id)."""
        with self._lock:
            last = self._messages[-1]["id"] if self._messages else 0
            first = (
                next(
                    (
                        m["id"]
                        for m in self._messages
                        if m.get("message_id") == message_id
                    ),
                    None,
                )
                if message_id
                else None
            )
            message = {
                "id": last + 1,
                "kind": kind,
                "at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                "from": sender,
                "to": list(to),
                "subject": subject,
                "body": body,
                "message_id": message_id,
                "again": first,
            }
            self._messages.append(message)
            del self._messages[:-MAX_KEPT]
            if self._path:
                with self._path.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(message, ensure_ascii=False) + "\n")
            return message

    def list(self, kind=None, to=None):
        """The messages, oldest first; ``to``: those sent to this address
        or phone number."""
        with self._lock:
            messages = list(self._messages)
        if kind:
            messages = [m for m in messages if m["kind"] == kind]
        if to:
            messages = [m for m in messages if to in m["to"]]
        return messages

    def get(self, message_id):
        with self._lock:
            for message in self._messages:
                if message["id"] == message_id:
                    return message
        return None
