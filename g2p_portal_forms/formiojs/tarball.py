"""Read an npm package tarball (``npm pack`` output) without trusting it.

Only regular files below ``package/`` are accepted, with bounded sizes; links,
devices, absolute paths and ``..`` are refused; a cut download is refused.
Nothing is ever written to disk.
"""

import gzip
import io
import json
import re
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Caps. ace-builds 1.4.12, the biggest package installed here, is an 8.8 MB
# tarball of 1712 files; formiojs 4.21.7 unpacks to 35 MB, its largest file
# is 6.6 MB and the files kept from it weigh 3.4 MB.
MAX_TARBALL_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 16 * 1024 * 1024
MAX_KEPT_BYTES = 50 * 1024 * 1024
MAX_PACKAGE_JSON_BYTES = 1024 * 1024

ROOT = "package"

# A semantic version: it names records and becomes part of URLs.
VERSION = re.compile(
    r"^(?P<major>0|[1-9]\d{0,3})\.(?:0|[1-9]\d{0,3})\.(?:0|[1-9]\d{0,3})"
    r"(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?$"
)


class FormiojsPackageError(Exception):
    """The tarball is unsafe, too big, broken or not the expected package."""


@dataclass(frozen=True)
class NpmTarball:
    """What was read: the package's name and version, and the wanted files."""

    name: str
    version: str
    files: dict  # path below package/ -> bytes


def _member_path(member):
    """The member's path below ``package/``, refusing anything unsafe."""
    name = member.name
    if not name or "\\" in name or "\x00" in name:
        raise FormiojsPackageError(f"unsafe member name in tarball: {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise FormiojsPackageError(f"unsafe member path in tarball: {name!r}")
    parts = [part for part in path.parts if part != "."]
    if not parts or parts[0] != ROOT:
        raise FormiojsPackageError(
            f"member outside the {ROOT}/ folder in tarball: {name!r}"
        )
    return "/".join(parts[1:])


def _read_tarball_bytes(tarball):
    if isinstance(tarball, bytes | bytearray | memoryview):
        size, data = len(tarball), bytes(tarball)
    else:
        path = Path(tarball)
        try:
            size = path.stat().st_size
            data = path.read_bytes() if size <= MAX_TARBALL_BYTES else b""
        except OSError as error:
            raise FormiojsPackageError(
                f"cannot read tarball {path}: {error.strerror}"
            ) from error
    if size > MAX_TARBALL_BYTES:
        raise FormiojsPackageError(
            f"tarball is {size} bytes, more than the {MAX_TARBALL_BYTES} allowed"
        )
    return data


def _unpack(tarball):
    """The tar bytes (gunzipped if need be), refusing to unpack without end.

    The bound holds against a gzip bomb and against giant PAX or GNU
    long-name headers alike, whatever sizes the members declare.
    """
    data = _read_tarball_bytes(tarball)
    if data[:2] != b"\x1f\x8b":
        return data
    # Headers and padding come on top of the members' own sizes.
    limit = MAX_UNPACKED_BYTES + 3 * 512 * MAX_MEMBERS
    chunks, size = [], 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FormiojsPackageError(
                        f"tarball unpacks to more than {MAX_UNPACKED_BYTES} bytes"
                    )
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise FormiojsPackageError(f"corrupt gzip data: {error}") from error
    return b"".join(chunks)


def _parse_package_json(content):
    try:
        manifest = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise FormiojsPackageError("package/package.json is not valid JSON") from error
    if not isinstance(manifest, dict):
        raise FormiojsPackageError("package/package.json is not a JSON object")
    name, version = manifest.get("name"), manifest.get("version")
    if not isinstance(name, str) or not name:
        raise FormiojsPackageError("package/package.json has no name")
    if not isinstance(version, str) or not VERSION.match(version):
        raise FormiojsPackageError(
            f"package/package.json has no valid version: {str(version)[:64]!r}"
        )
    return name[:214], version


def read_npm_tarball(tarball, wanted):
    """Read the package's name, version and the files ``wanted(path)`` selects.

    ``tarball`` is a path or the bytes of an npm tarball (gzipped or not);
    ``wanted`` is called with each regular file's path below ``package/``.
    """
    kept = {}
    package_json = None
    unpacked = kept_bytes = members = 0
    raw = _unpack(tarball)
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as archive:
            for member in archive:
                members += 1
                if members > MAX_MEMBERS:
                    raise FormiojsPackageError(
                        f"tarball has more than {MAX_MEMBERS} members"
                    )
                rel_path = _member_path(member)
                if member.isdir():
                    continue
                if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
                    raise FormiojsPackageError(
                        f"tarball member {member.name!r} is not a regular file "
                        "(links, devices and special files are refused)"
                    )
                if member.size < 0:
                    raise FormiojsPackageError(f"{member.name} has a negative size")
                unpacked += member.size
                if unpacked > MAX_UNPACKED_BYTES:
                    raise FormiojsPackageError(
                        f"tarball unpacks to more than {MAX_UNPACKED_BYTES} bytes"
                    )
                if rel_path == "package.json":
                    if member.size > MAX_PACKAGE_JSON_BYTES:
                        raise FormiojsPackageError("package/package.json is too big")
                    if package_json is not None:
                        raise FormiojsPackageError(
                            "tarball holds package/package.json twice"
                        )
                    package_json = archive.extractfile(member).read()
                    continue
                if not wanted(rel_path):
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    raise FormiojsPackageError(
                        f"{member.name} is {member.size} bytes, more than the "
                        f"{MAX_MEMBER_BYTES} allowed for one file"
                    )
                kept_bytes += member.size
                if kept_bytes > MAX_KEPT_BYTES:
                    raise FormiojsPackageError(
                        f"the files to install weigh more than {MAX_KEPT_BYTES} bytes"
                    )
                if rel_path in kept:
                    raise FormiojsPackageError(f"tarball holds {member.name} twice")
                content = archive.extractfile(member).read()
                if len(content) != member.size:
                    raise FormiojsPackageError(f"{member.name} is truncated")
                kept[rel_path] = content
            # A tar archive ends with zero blocks; tarfile takes a cut at a
            # header boundary for the end, a cut download must not install.
            if raw[archive.offset : archive.offset + 512] != bytes(512):
                raise FormiojsPackageError("tarball is truncated (no end marker)")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise FormiojsPackageError(f"corrupt tarball: {error}") from error

    if package_json is None:
        raise FormiojsPackageError(
            "package/package.json is missing: not an npm package tarball"
        )
    name, version = _parse_package_json(package_json)
    return NpmTarball(name=name, version=version, files=kept)


def package_identity(tarball):
    """``(name, version)`` of an npm tarball, reading no file but package.json."""
    result = read_npm_tarball(tarball, lambda path: False)
    return result.name, result.version
