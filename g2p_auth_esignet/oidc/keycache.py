"""Per-process memo of parsed keys, keyed by a digest of their text.

Parsing a PEM or JWK costs milliseconds and the same configured key is used
by every login: each worker keeps a few parsed keys. The cache key is the
SHA-256 of the text, never the text itself, so no key material is a dict key
anywhere; an entry is an immutable derived value, not shared state.
"""

import collections
import hashlib
import threading


class ParsedKeyCache:
    """Least-recently-used memo of ``load(text)`` for at most ``max_entries``."""

    def __init__(self, max_entries=8):
        self._entries = collections.OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get_or_load(self, text, load):
        """``load(text)``'s result, parsed once per process; errors are not kept."""
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            cached = self._entries.get(digest)
            if cached is not None:
                self._entries.move_to_end(digest)
                return cached
        loaded = load(text)
        with self._lock:
            self._entries[digest] = loaded
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return loaded

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)
