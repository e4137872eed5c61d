"""An HTTP body read raw, decoded here, never more than ``max_bytes`` out.

zlib's ``max_length`` bounds every decompress call, so however small the
compressed input at most ``max_bytes + 1`` decoded bytes ever exist
(urllib3 1.x would inflate a whole read at once). Content-Encoding:
identity, gzip or deflate, one at most; anything else is refused.
"""

import contextlib
import zlib

# Small raw reads: bounded work per loop turn, and the deadline is looked at
# often. Decoded output is bounded by max_length, not by this.
_READ_CHUNK = 16 * 1024
# Compressed input allowed beyond max_bytes (headers, incompressible data).
_RAW_SLACK = 64 * 1024


def read_body(response, call, max_bytes):
    decoder = BodyDecoder.for_encoding(response.headers.get("Content-Encoding"), call)
    if decoder.identity:
        try:
            declared = int(response.headers.get("Content-Length", ""))
        except ValueError:
            declared = None
        if declared is not None and declared > max_bytes:
            raise call.error("oversized", status_code=response.status_code)
    raw = response.raw
    raw_limit = max_bytes + max_bytes // 64 + _RAW_SLACK
    received = 0
    body = bytearray()
    while True:
        call.check_time()
        _set_read_timeout(raw, call.remaining())
        chunk = raw.read(_READ_CHUNK, decode_content=False)
        if not chunk:
            break
        received += len(chunk)
        if received > raw_limit:
            raise call.error("oversized", status_code=response.status_code)
        try:
            decoder.feed(chunk, body, max_bytes)
        except Oversized:
            raise call.error("oversized", status_code=response.status_code) from None
    # The deadline's shutdown ends a read like the end of the body would.
    call.check_time()
    return bytes(body)


def _set_read_timeout(raw, remaining):
    connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):  # closed by the deadline
            sock.settimeout(max(remaining, 0.001))


class Oversized(Exception):
    pass


class BodyDecoder:
    """Identity, gzip or deflate, never more than ``max_bytes + 1`` out.

    zlib's ``max_length`` caps each decompress call's output; input that
    would give more stays in ``unconsumed_tail`` (at most one raw chunk).
    """

    def __init__(self, encoding, call):
        self.encoding = encoding
        self.identity = encoding == "identity"
        self._call = call
        self._inflater = None
        self._head = b""
        self._members = 0
        self._finished = False

    @classmethod
    def for_encoding(cls, header, call):
        codings = [part.strip().lower() for part in (header or "").split(",")]
        codings = [coding for coding in codings if coding]
        if not codings:
            return cls("identity", call)
        if len(codings) == 1 and codings[0] in (
            "identity",
            "gzip",
            "x-gzip",
            "deflate",
        ):
            return cls({"x-gzip": "gzip"}.get(codings[0], codings[0]), call)
        raise call.error("encoding")

    def feed(self, data, body, max_bytes):
        if self.identity:
            body += data
            if len(body) > max_bytes:
                raise Oversized()
            return
        while data and not self._finished:
            if self._inflater is None:
                data = self._start(data)
                if self._inflater is None:
                    return
            try:
                out = self._inflater.decompress(data, max_bytes - len(body) + 1)
            except zlib.error:
                if self._members > 1:
                    # Garbage after a complete gzip member: ignored, as
                    # urllib3 and browsers do.
                    self._finished = True
                    return
                raise self._call.error("decoding") from None
            body += out
            if len(body) > max_bytes:
                raise Oversized()
            if self._inflater.eof:
                data = self._inflater.unused_data
                self._inflater = None
                if self.encoding != "gzip":
                    self._finished = True
            else:
                # Non-empty only when out hit max_length, which raised above.
                data = self._inflater.unconsumed_tail

    def _start(self, data):
        if self.encoding == "gzip":
            self._members += 1
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            return data
        # HTTP "deflate" is zlib-wrapped by the RFC, raw deflate in practice
        # too often: the two-byte zlib header tells them apart.
        data = self._head + data
        if len(data) < 2:
            self._head = data
            return b""
        self._head = b""
        cmf, flg = data[0], data[1]
        wrapped = cmf & 0x0F == 8 and cmf >> 4 <= 7 and (cmf << 8 | flg) % 31 == 0
        self._inflater = zlib.decompressobj(
            zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS
        )
        return data
