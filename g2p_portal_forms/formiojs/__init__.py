"""formio.js from the npm registry, for networks without GitHub (no Odoo here).

``read_package`` checks an npm tarball of ``formiojs`` 4.x and returns the
files Nova Code's ``formio`` addon serves; ``cdn`` maps the libraries that
formio.js loads from a CDN at run time to npm packages and local URLs;
``npm_pack`` fetches a tarball with the deployer's npm. The addon's
``formio.version`` model stores them.
"""

from . import cdn
from .cdn import (
    MIRROR_PATH,
    MirrorFile,
    NpmRequirement,
    browser_layout,
    mirror_files,
    requirements,
)
from .npm import NpmPackError, npm_pack, offline_hint
from .package import (
    ASSET_TYPES,
    PACKAGE_NAME,
    RENDERER_CSS,
    RENDERER_JS,
    FormiojsPackage,
    PackageAsset,
    parse_cdn_versions,
    read_package,
)
from .tarball import (
    FormiojsPackageError,
    NpmTarball,
    package_identity,
    read_npm_tarball,
)
