"""The formio.js release in a ``formiojs`` npm tarball.

Nova Code's ``formio`` addon downloads formio.js from GitHub when it is
installed. A closed network cannot, but a deployer can carry the npm tarball
(``npm pack formiojs@4.21.7`` on any connected machine) or reach an internal
npm mirror. This module picks from that tarball the files the ``formio``
addon serves, exactly the ones its own GitHub installer keeps: the full
minified build (JS and CSS), the license texts and the fonts the CSS loads;
and the versions of the libraries formio.js loads from a CDN at run time.

Besides, the renderer-only build (``formio.form.min.js`` and its CSS): the
portal's apply page fills a form and never builds one, so it loads that
build; the backend's form builder keeps the full one.
"""

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .tarball import VERSION, FormiojsPackageError, read_npm_tarball

PACKAGE_NAME = "formiojs"
SUPPORTED_MAJOR = 4

DIST_JS = "dist/formio.full.min.js"
DIST_CSS = "dist/formio.full.min.css"
DIST_JS_LICENSE = "dist/formio.full.min.js.LICENSE.txt"
REQUIRED_FILES = (DIST_JS, DIST_CSS)
# The renderer-only build (no form builder), when the release has it.
RENDERER_JS = "dist/formio.form.min.js"
RENDERER_CSS = "dist/formio.form.min.css"
RENDERER_FILES = (RENDERER_JS, RENDERER_CSS)
ROOT_LICENSES = ("LICENSE", "LICENSE.txt", "LICENSE.md")
FONTS_DIR = "dist/fonts"
FONT_TYPES = frozenset({"eot", "otf", "svg", "ttf", "woff", "woff2"})
# The asset types of Nova Code's ``formio.version.asset``.
ASSET_TYPES = frozenset({"js", "css", "license"}) | FONT_TYPES
# formio.js's table of the libraries it loads from a CDN (CDN.js, 4.13+).
CDN_SOURCE = "CDN.js"
MAX_CDN_SOURCE_BYTES = 256 * 1024

SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_CDN_LIBS = re.compile(r"this\.libs\s*=\s*\{(?P<body>[^{}]*)\}")
_CDN_LIB = re.compile(
    r"""['"]?([A-Za-z0-9_-]{1,64})['"]?\s*:\s*['"]([^'"]{0,64})['"]"""
)


@dataclass(frozen=True)
class PackageAsset:
    """One file of the package, as the formio addon stores it."""

    path: str  # relative to the package root, e.g. ``dist/formio.full.min.js``
    type: str  # a ``formio.version.asset`` type: js, css, license, woff, ...
    content: bytes

    @property
    def name(self):
        return PurePosixPath(self.path).name


@dataclass(frozen=True)
class FormiojsPackage:
    """The formio.js release found in a tarball and the files to install."""

    version: str
    assets: tuple[PackageAsset, ...]
    # CDN library -> version formio.js asks for ("latest" or "" for none).
    cdn_versions: dict = field(default_factory=dict)
    # The renderer-only build, JS then CSS (types js, css), when the release
    # has both files: not assets of the version (the builder loads those).
    renderer: tuple[PackageAsset, ...] = ()

    @property
    def size(self):
        return sum(len(asset.content) for asset in self.assets + self.renderer)

    def assets_of_type(self, asset_type):
        return [asset for asset in self.assets if asset.type == asset_type]


def _asset_type(rel_path):
    """The asset type for a file the formio addon uses, else None."""
    if rel_path in (DIST_JS, DIST_CSS):
        return rel_path.rsplit(".", 1)[1]
    if rel_path == DIST_JS_LICENSE or rel_path in ROOT_LICENSES:
        return "license"
    folder, _, name = rel_path.rpartition("/")
    if folder == FONTS_DIR and SAFE_FILE_NAME.match(name) and "." in name:
        extension = name.rsplit(".", 1)[1].lower()
        if extension in FONT_TYPES:
            return extension
    return None


def parse_cdn_versions(source):
    """The ``this.libs`` table of formio.js's CDN.js: {library: version}."""
    match = _CDN_LIBS.search(source.decode("utf-8", "replace"))
    if not match:
        return {}
    return {
        lib: version
        for lib, version in _CDN_LIB.findall(match["body"])
        if version in ("", "latest") or VERSION.match(version)
    }


def read_package(tarball):
    """Read a ``formiojs`` 4.x npm tarball (a path or its bytes).

    Returns a :class:`FormiojsPackage`; raises :class:`FormiojsPackageError`
    with a message fit for the deployer when the tarball is unsafe, too big,
    another package or version, or lacks the full build.
    """
    result = read_npm_tarball(
        tarball,
        lambda path: (
            path == CDN_SOURCE
            or path in RENDERER_FILES
            or _asset_type(path) is not None
        ),
    )
    if result.name != PACKAGE_NAME:
        raise FormiojsPackageError(
            f"this is the npm package {result.name[:64]!r}, not {PACKAGE_NAME!r}"
        )
    version = result.version
    if int(VERSION.match(version)["major"]) != SUPPORTED_MAJOR:
        raise FormiojsPackageError(
            f"formiojs {version} is not supported: the formio addon runs "
            f"formio.js {SUPPORTED_MAJOR}.x (pick e.g. formiojs@4.21.7)"
        )
    files = dict(result.files)
    cdn_source = files.pop(CDN_SOURCE, b"")[:MAX_CDN_SOURCE_BYTES]
    missing = [path for path in REQUIRED_FILES if path not in files]
    if missing:
        raise FormiojsPackageError(
            f"formiojs {version} lacks {', '.join(f'package/{m}' for m in missing)}"
        )
    renderer = tuple(
        PackageAsset(path, path.rsplit(".", 1)[1], files.pop(path))
        for path in RENDERER_FILES
        if path in files
    )
    assets = {
        path: PackageAsset(path, _asset_type(path), c) for path, c in files.items()
    }
    return FormiojsPackage(
        version=version,
        assets=_in_install_order(assets),
        cdn_versions=parse_cdn_versions(cdn_source),
        renderer=renderer if len(renderer) == len(RENDERER_FILES) else (),
    )


def _in_install_order(kept):
    """Root license, JS, CSS, JS license, then fonts: Nova Code's order."""
    first = [name for name in ROOT_LICENSES if name in kept]
    first += [DIST_JS, DIST_CSS]
    first += [DIST_JS_LICENSE] if DIST_JS_LICENSE in kept else []
    fonts = sorted(path for path in kept if path not in first)
    return tuple(kept[path] for path in first + fonts)
