"""Build npm-like tarballs of formiojs in memory, good or deliberately bad."""

import gzip
import io
import json
import tarfile

JS = b"/*! formio.full.min.js */ var Formio = {};"
CSS = b".formio-form{} @font-face{src:url(fonts/fontawesome-webfont.woff)}"


def package_json(name="formiojs", version="4.21.7"):
    return json.dumps({"name": name, "version": version, "license": "MIT"}).encode()


def good_files(**package):
    """The files of a small formiojs release, as npm pack lays them out."""
    return {
        "package/package.json": package_json(**package),
        "package/README.md": b"# formio.js",
        "package/Formio.js": b"module.exports = {};",
        "package/dist/formio.full.min.js": JS,
        "package/dist/formio.full.min.js.LICENSE.txt": b"MIT licenses",
        "package/dist/formio.full.min.js.map": b"{}",
        "package/dist/formio.full.min.css": CSS,
        "package/dist/formio.full.css": CSS + b"\n",
        "package/dist/formio.form.min.js": JS,
        "package/dist/formio.min.js.LICENSE.txt": b"other build",
        "package/dist/fonts/fontawesome-webfont.woff": b"wOFF",
        "package/dist/fonts/fontawesome-webfont.woff2": b"wOF2",
        "package/dist/fonts/FontAwesome.otf": b"OTTO",
        "package/dist/fonts/README.txt": b"not a font",
    }


def regular(name, content):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mode = 0o644
    return info, content


def special(name, kind, linkname=""):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def build(files=None, *, members=(), compress=True, fmt=tarfile.PAX_FORMAT):
    """A tarball of ``files`` ({name: bytes}) followed by raw ``members``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=fmt) as archive:
        for name, content in (good_files() if files is None else files).items():
            info, data = regular(name, content)
            archive.addfile(info, io.BytesIO(data))
        for info, data in members:
            archive.addfile(info, None if data is None else io.BytesIO(data))
    data = buffer.getvalue()
    return gzip.compress(data) if compress else data
