"""A local mirror of the libraries formio.js loads from a CDN at run time.

formio.js 4.x fetches some libraries only when a form needs them: flatpickr
for date fields, CKEditor for rich-text areas, Ace for the builder's code
editors, moment-timezone data for time zones. Nova Code's ``formio`` addon
points formio.js at cdnjs (``formio.cdn_base_url``). On a closed network the
same files come from their npm packages instead, stored as attachments
served by Odoo under :data:`MIRROR_PATH`, laid out the way Nova Code's
patched formio.js builds the URLs (``<base>/<folder>/<version>/<file>``).
"""

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .tarball import VERSION, FormiojsPackageError, read_npm_tarball

MIRROR_PATH = "/g2p_portal_forms/formio-cdn"
_LICENSES = (r"(LICENSE(?:\.md|\.txt)?)", r"\1")


@dataclass(frozen=True)
class CdnLibrary:
    """A CDN library of formio.js, and the npm package that holds its files."""

    cdn_name: str  # key of formio.js's CDN.js table
    package: str  # npm package
    folder: str  # first URL segment, as Nova Code's formio.js patch builds it
    files: tuple  # (regex on the path below package/, URL path template)
    required: tuple  # URL paths (below folder/version) that must be there
    default_version: str  # when the formio.js release has no CDN.js
    # formio.js's version -> npm version (Nova Code asks for 19.0.1 instead
    # of formio.js's CKEditor 19.0.0, which cdnjs lacks).
    npm_versions: dict = field(default_factory=dict)
    # Other names formio.js loads this library by, at this library's version
    # (``flatpickr-formio``: form.io's own build, only on cdn.form.io).
    aliases: tuple = ()


LIBRARIES = (
    CdnLibrary(
        cdn_name="flatpickr",
        package="flatpickr",
        folder="flatpickr",
        files=(
            (r"dist/(flatpickr\.min\.(?:js|css))", r"\1"),
            # cdnjs's name for the locales, which Nova Code's patch asks for.
            (r"dist/l10n/([a-z][a-z_-]{1,15})\.js", r"l10n/\1.min.js"),
            _LICENSES,
        ),
        required=("flatpickr.min.js", "flatpickr.min.css"),
        default_version="4.6.8",
        aliases=("flatpickr-formio",),
    ),
    CdnLibrary(
        cdn_name="shortcut-buttons-flatpickr",
        package="shortcut-buttons-flatpickr",
        folder="shortcut-buttons-flatpickr",
        files=(
            (r"dist/(shortcut-buttons-flatpickr\.min\.js)", r"\1"),
            (r"dist/(themes/[a-z_]{1,32}\.min\.css)", r"\1"),
            _LICENSES,
        ),
        required=("shortcut-buttons-flatpickr.min.js", "themes/light.min.css"),
        default_version="0.4.0",
    ),
    CdnLibrary(
        cdn_name="ckeditor",
        package="@ckeditor/ckeditor5-build-classic",
        folder="ckeditor5",
        files=(
            (r"build/(ckeditor\.js)", r"\1"),
            (r"build/(translations/[a-z][a-z_-]{1,15}\.js)", r"\1"),
            _LICENSES,
        ),
        required=("ckeditor.js",),
        default_version="19.0.0",
        npm_versions={"19.0.0": "19.0.1"},
    ),
    CdnLibrary(
        cdn_name="ace",
        package="ace-builds",
        folder="ace",
        files=(
            # The modes formio.js's editors use (javascript, json, html,
            # handlebars and what they embed), their workers, formio.js's
            # theme (xcode) and the extensions.
            (
                r"src-min-noconflict/((?:ace|theme-xcode|ext-[a-z_]{1,32}"
                r"|mode-(?:javascript|json|html|handlebars|css|text)"
                r"|worker-(?:javascript|json|html|css))\.js)",
                r"\1",
            ),
            _LICENSES,
        ),
        required=("ace.js", "mode-javascript.js", "theme-xcode.js"),
        default_version="1.4.12",
    ),
    CdnLibrary(
        cdn_name="moment-timezone",
        package="moment-timezone",
        folder="moment-timezone",
        files=((r"(data/packed/latest\.json)", r"\1"), _LICENSES),
        required=("data/packed/latest.json",),
        default_version="latest",
    ),
)


@dataclass(frozen=True)
class NpmRequirement:
    """One npm package (at one version) to mirror for a formio.js release."""

    library: CdnLibrary
    version: str  # exact npm version, or "latest"

    @property
    def spec(self):
        return f"{self.library.package}@{self.version}"

    @property
    def url_prefix(self):
        """Where formio.js looks for it: versioned unless formio.js says latest."""
        prefix = f"{MIRROR_PATH}/{self.library.folder}"
        return prefix if self.version == "latest" else f"{prefix}/{self.version}"

    def accepts(self, name, version):
        return name == self.library.package and self.version in ("latest", version)


@dataclass(frozen=True)
class MirrorFile:
    url: str  # absolute path on the Odoo server
    content: bytes

    @property
    def name(self):
        return PurePosixPath(self.url).name


def requirements(cdn_versions):
    """The npm packages to mirror, given formio.js's CDN.js table.

    The versions are formio.js's own, so that the URLs it builds find the
    files; a release without CDN.js gets formio.js 4.21's versions.
    """
    result = []
    for library in LIBRARIES:
        version = cdn_versions.get(library.cdn_name, library.default_version)
        if version == "":
            version = "latest"
        version = library.npm_versions.get(version, version)
        if version != "latest" and not VERSION.match(version):
            continue
        result.append(NpmRequirement(library, version))
    return result


def _url_path(library, rel_path):
    for pattern, template in library.files:
        match = re.fullmatch(pattern, rel_path)
        if match:
            return match.expand(template)
    return None


def mirror_files(requirement, tarball):
    """The files of ``requirement``'s npm tarball, at the URLs formio.js uses."""
    library = requirement.library
    result = read_npm_tarball(tarball, lambda path: bool(_url_path(library, path)))
    if not requirement.accepts(result.name, result.version):
        raise FormiojsPackageError(
            f"expected the npm package {requirement.spec}, got "
            f"{result.name[:64]}@{result.version}"
        )
    files = {
        _url_path(library, path): content for path, content in result.files.items()
    }
    missing = [path for path in library.required if path not in files]
    if missing:
        raise FormiojsPackageError(
            f"{result.name}@{result.version} lacks {', '.join(missing)}"
        )
    return [
        MirrorFile(f"{requirement.url_prefix}/{path}", files[path])
        for path in sorted(files)
    ]


def browser_layout():
    """How a page maps formio.js's library names and versions to URLs under
    ``formio.cdn_base_url`` (this mirror, or cdnjs whose layout it follows):
    ``folders`` and ``versions`` where they differ from formio.js's names,
    ``aliases`` for names served by another library (at its version).
    The apply page's script builds ``<base>/<folder>[/<version>]`` from it,
    as Nova Code's patched formio.js does on its own pages."""
    return {
        "folders": {
            lib.cdn_name: lib.folder for lib in LIBRARIES if lib.folder != lib.cdn_name
        },
        "versions": {
            lib.cdn_name: dict(lib.npm_versions)
            for lib in LIBRARIES
            if lib.npm_versions
        },
        "aliases": {alias: lib.cdn_name for lib in LIBRARIES for alias in lib.aliases},
    }
