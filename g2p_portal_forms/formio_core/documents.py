"""Supporting documents: what a file really is, how big, what to call it.

The browser's file name and content type are claims; the first bytes are
evidence. Magic numbers of the three accepted kinds are fixed and short, so
they are checked here directly rather than through a sniffing library
(``filetype``, ``python-magic``) that would add a dependency, or libmagic,
for three comparisons.
"""

import re
import unicodedata

from .errors import DOCUMENT_EMPTY, DOCUMENT_SIZE, DOCUMENT_TYPE, DocumentError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

# (signature, mime); PDF must start at byte 0 (stricter than readers that
# accept leading junk: a document with a prefix is refused, not guessed).
_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
SNIFF_BYTES = 8  # enough for every signature above
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_EXTENSION_ALIASES = {
    PDF: {".pdf"},
    JPEG: {".jpg", ".jpeg", ".jpe", ".jfif"},
    PNG: {".png"},
}
DEFAULT_CHUNK = 64 * 1024
MAX_STEM_CHARS = 100
MAX_NAME_BYTES = 200  # stays under every file system's 255-byte limit

_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
_EXTENSION_RE = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)


def sniff_document(first_bytes):
    """The MIME type proven by ``first_bytes`` (PDF, JPEG, PNG) or None."""
    if not isinstance(first_bytes, bytes | bytearray | memoryview):
        return None
    head = bytes(first_bytes[:SNIFF_BYTES])
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    return None


def check_document(first_bytes, size, *, allowed_mimes, max_bytes):
    """The document's MIME type, or :class:`DocumentError`.

    ``document.empty`` (no bytes), ``document.size`` (over ``max_bytes``),
    ``document.type`` (not a sniffed type in ``allowed_mimes``).
    """
    if not size or not first_bytes:
        raise DocumentError(DOCUMENT_EMPTY, "the document is empty")
    if size > max_bytes:
        raise DocumentError(
            DOCUMENT_SIZE, "the document is too large", max_bytes=max_bytes
        )
    mime = sniff_document(first_bytes)
    if mime is None or mime not in allowed_mimes:
        raise DocumentError(
            DOCUMENT_TYPE,
            "the document is not of an accepted type",
            allowed=", ".join(sorted(allowed_mimes)),
        )
    return mime


def read_bounded(stream, max_bytes, chunk=DEFAULT_CHUNK):
    """Read ``stream`` whole, but never more than ``max_bytes + 1`` bytes.

    Raises ``document.size`` as soon as the limit is passed, so a 1 GB upload
    costs one chunk beyond the limit, not a gigabyte of memory.
    """
    if max_bytes < 0 or chunk <= 0:
        raise ValueError("max_bytes must be >= 0 and chunk > 0")
    parts, total = [], 0
    while True:
        wanted = min(chunk, max_bytes + 1 - total)
        data = stream.read(wanted)
        if not data:
            break
        total += len(data)
        if total > max_bytes:
            raise DocumentError(
                DOCUMENT_SIZE, "the document is too large", max_bytes=max_bytes
            )
        parts.append(data)
    return b"".join(parts)


def sanitize_filename(name, mime=None):
    """A safe file name to store and show, its extension proven by ``mime``.

    Directories, control and reserved characters, leading dots and Windows
    device names are removed and the length bounded. With ``mime`` (the
    sniffed type) the extension is *replaced* by that type's canonical one:
    ``evil.exe`` holding a PDF is stored as ``evil.pdf``, so no name can make
    a viewer treat a document as a program. Without it, a short alphanumeric
    extension is kept.
    """
    text = name if isinstance(name, str) else ""
    text = unicodedata.normalize("NFC", text)
    text = re.split(r"[/\\]", text)[-1]  # the browser may send a full path
    text = _FORBIDDEN.sub("", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    text = _SPACES.sub(" ", text).strip().lstrip(".").strip()
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    extension = f".{extension}" if extension else ""
    if mime in EXTENSIONS:
        aliases = _EXTENSION_ALIASES[mime]
        if extension.lower() not in aliases:
            # keep "scan.pdf" of "scan.pdf.exe" whole: drop the inner alias
            inner_stem, inner_dot, inner = stem.rpartition(".")
            if inner_dot and f".{inner}".lower() in aliases:
                stem = inner_stem
        extension = EXTENSIONS[mime]
    elif not _EXTENSION_RE.match(extension):
        stem, extension = (f"{stem}{extension}" if extension else stem), ""
    stem = stem.strip(" .")
    if _WINDOWS_RESERVED.match(stem.split(".")[0] if stem else ""):
        stem = f"_{stem}"
    stem = stem[:MAX_STEM_CHARS]
    while len((stem + extension).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .") or "document"
    return stem + extension.lower()
