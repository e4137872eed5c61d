"""Documents: sniffing, checks, bounded reading, file names."""

import io

import pytest

from g2p_portal_forms.formio_core import (
    JPEG,
    PDF,
    PNG,
    DocumentError,
    check_document,
    read_bounded,
    sanitize_filename,
    sniff_document,
)

PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
ALL = {PDF, JPEG, PNG}


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (PDF_HEAD, PDF),
        (JPEG_HEAD, JPEG),
        (b"\xff\xd8\xff\xdb", JPEG),
        (PNG_HEAD, PNG),
        (bytearray(PNG_HEAD), PNG),
        (b"MZ\x90\x00", None),  # a Windows program
        (b"GIF89a", None),
        (b"PK\x03\x04", None),  # zip / docx
        (b"<html>", None),
        (b" %PDF-1.7", None),  # junk before the signature
        (b"%PD", None),
        (b"", None),
        ("%PDF-", None),  # text, not bytes
        (None, None),
    ],
)
def test_sniff(head, mime):
    assert sniff_document(head) == mime


def test_check_document_returns_the_sniffed_type():
    assert check_document(PDF_HEAD, 1000, allowed_mimes=ALL, max_bytes=5000) == PDF


@pytest.mark.parametrize(
    ("head", "size", "allowed", "code"),
    [
        (b"", 0, ALL, "document.empty"),
        (PDF_HEAD, 0, ALL, "document.empty"),
        (PDF_HEAD, 5001, ALL, "document.size"),
        (b"MZ\x90\x00", 100, ALL, "document.type"),
        (JPEG_HEAD, 100, {PDF}, "document.type"),
    ],
)
def test_check_document_refusals(head, size, allowed, code):
    with pytest.raises(DocumentError) as info:
        check_document(head, size, allowed_mimes=allowed, max_bytes=5000)
    assert info.value.code == code


class CountingStream(io.RawIOBase):
    """An endless upload that counts what was asked of it."""

    def __init__(self, total):
        self.remaining = total
        self.served = 0

    def readable(self):
        return True

    def read(self, size=-1):
        size = self.remaining if size < 0 else min(size, self.remaining)
        self.remaining -= size
        self.served += size
        return b"x" * size


def test_read_bounded_stops_one_byte_past_the_limit():
    stream = CountingStream(1 << 30)  # a 1 GB upload
    with pytest.raises(DocumentError) as info:
        read_bounded(stream, 5 * 1024 * 1024)
    assert info.value.code == "document.size"
    assert stream.served == 5 * 1024 * 1024 + 1


def test_read_bounded_reads_small_files_whole():
    assert (
        read_bounded(io.BytesIO(b"abc" * 50_000), 150_000, chunk=1000)
        == b"abc" * 50_000
    )
    assert read_bounded(io.BytesIO(b""), 10) == b""
    with pytest.raises(DocumentError):
        read_bounded(io.BytesIO(b"x" * 11), 10, chunk=3)


def test_read_bounded_arguments():
    with pytest.raises(ValueError):
        read_bounded(io.BytesIO(b""), 10, chunk=0)


@pytest.mark.parametrize(
    ("name", "mime", "expected"),
    [
        ("report.pdf", PDF, "report.pdf"),
        ("evil.exe", PDF, "evil.pdf"),
        ("scan.pdf.exe", PDF, "scan.pdf"),
        ("photo.JPEG", JPEG, "photo.jpg"),
        ("photo", PNG, "photo.png"),
        ("C:\\Users\\ama\\Desktop\\id card.png", PNG, "id card.png"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("..", PDF, "document.pdf"),
        ("", JPEG, "document.jpg"),
        (None, PDF, "document.pdf"),
        ("CON.pdf", PDF, "_CON.pdf"),
        ("lpt1", PDF, "_lpt1.pdf"),
        ("a\x00b\x1fc\u202eexe.pdf", PDF, "abcexe.pdf"),  # controls, bidi override
        ('what?*<>|":.pdf', PDF, "what.pdf"),
        ("  spaced   out .pdf", PDF, "spaced out.pdf"),
        (".hidden.pdf", PDF, "hidden.pdf"),
        ("archive.tar.gz", None, "archive.tar.gz"),
        ("notes.weird ext", None, "notes.weird ext"),
        ("Café.pdf", PDF, "Café.pdf"),
    ],
)
def test_sanitize_filename(name, mime, expected):
    assert sanitize_filename(name, mime) == expected


def test_sanitize_filename_bounds_length():
    name = sanitize_filename("é" * 500 + ".pdf", PDF)
    assert name.endswith(".pdf")
    assert len(name.encode("utf-8")) <= 200
    assert len(sanitize_filename("a" * 500 + ".pdf", PDF)) == 104
