"""``odoo-bin formiojs-install``: formio.js from npm instead of GitHub."""

import argparse
import logging
import sys
import tempfile
from collections import Counter
from pathlib import Path

import odoo
from odoo.cli import Command
from odoo.exceptions import UserError
from odoo.tools import config

from ..formiojs import (
    PACKAGE_NAME,
    FormiojsPackageError,
    NpmPackError,
    npm_pack,
    offline_hint,
    package_identity,
    read_package,
    requirements,
)

_logger = logging.getLogger(__name__)

DEFAULT_SPEC = "4.21.7"

USAGE = """\
%(prog)s -c CONFIG -d DB [--version SPEC] [--tarball TGZ ...] [--no-cdn] [--no-default]

Install formio.js into database DB from the npm package formiojs 4.x and make
it the default formio.js version of the Forms (formio) addon, which otherwise
downloads it from GitHub. Also serve from Odoo the libraries formio.js loads
from a CDN at run time (flatpickr, CKEditor, Ace, moment-timezone), from their
npm packages. The packages come from npm (npm pack, which honours the npm
registry configured for this user) or, without internet access, from
tarballs made on a connected machine with `npm pack` and passed with
--tarball. g2p_portal_forms must be installed in DB. Other options are Odoo's
(see odoo-bin --help)."""


class CommandError(Exception):
    """A problem to report to the deployer in one line."""


def _parser(prog):
    parser = argparse.ArgumentParser(
        prog=prog, usage=USAGE, add_help=False, allow_abbrev=False
    )
    parser.add_argument(
        "--version",
        dest="spec",
        metavar="SPEC",
        help=f"formiojs version, range or tag to fetch with npm pack (default "
        f"{DEFAULT_SPEC}, when no formiojs tarball is given)",
    )
    parser.add_argument(
        "--tarball",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="TGZ",
        help="npm tarballs (npm pack output): formiojs and the CDN libraries; "
        "what is missing is fetched with npm pack",
    )
    parser.add_argument(
        "--no-cdn",
        action="store_true",
        help="install formio.js only; formio.js keeps loading its libraries "
        "from formio.cdn_base_url",
    )
    parser.add_argument(
        "--no-default",
        action="store_true",
        help="leave the formio.default_version setting as it is",
    )
    parser.add_argument("-h", "--help", action="store_true")
    return parser


class FormiojsInstall(Command):
    """Install formio.js and its CDN libraries from npm (or npm tarballs)"""

    name = "formiojs-install"

    def run(self, cmdargs):
        prog = f"{Path(sys.argv[0]).name} {self.name}"
        parser = _parser(prog)
        options, odoo_args = parser.parse_known_args(cmdargs)
        if options.help:
            parser.print_help()
            sys.exit(0)
        config.parser.prog = prog
        config.parse_config(odoo_args)
        dbnames = [name for name in (config["db_name"] or "").split(",") if name]
        if len(dbnames) != 1:
            sys.exit(f"{prog}: give one database with -d")
        try:
            with tempfile.TemporaryDirectory(prefix="formiojs-") as folder:
                formiojs, libraries = gather_tarballs(options, folder)
                summary = install(
                    dbnames[0], formiojs, libraries, not options.no_default
                )
        except (CommandError, NpmPackError, FormiojsPackageError, UserError) as error:
            sys.exit(f"{prog}: {error}")
        sys.stdout.write(summary + "\n")


def _identify(paths):
    identities = {}
    for path in paths:
        try:
            identities[path] = package_identity(path)
        except FormiojsPackageError as error:
            raise CommandError(f"{path}: {error}") from error
    return identities


def gather_tarballs(options, folder):
    """The formiojs tarball and the (requirement, tarball) CDN libraries.

    Given tarballs come first; whatever is missing is fetched with npm pack
    into ``folder``. Without npm or registry, the error names every package
    to bring in with ``npm pack``.
    """
    identities = _identify(options.tarball)
    given = [path for path, (name, _) in identities.items() if name == PACKAGE_NAME]
    if len(given) > 1:
        raise CommandError("give one formiojs tarball, not several")
    if given and options.spec:
        raise CommandError("give either --version or a formiojs tarball, not both")
    if given:
        formiojs = given[0]
    else:
        spec = options.spec or DEFAULT_SPEC
        _logger.info("fetching formiojs@%s with npm pack", spec)
        try:
            formiojs = npm_pack(PACKAGE_NAME, spec, folder)
        except NpmPackError as error:
            if options.no_cdn or not error.specs:
                raise
            specs = [f"{PACKAGE_NAME}@{spec}"] + [r.spec for r in requirements({})]
            raise CommandError(f"{error.reason} {offline_hint(specs)}") from error
    if options.no_cdn:
        return formiojs, []
    package = read_package(formiojs)
    libraries, missing = [], []
    for requirement in requirements(package.cdn_versions):
        found = [p for p, ident in identities.items() if requirement.accepts(*ident)]
        if found:
            libraries.append((requirement, found[0]))
        else:
            missing.append(requirement)
    for requirement in missing:
        _logger.info("fetching %s with npm pack", requirement.spec)
        try:
            tarball = npm_pack(requirement.library.package, requirement.version, folder)
        except NpmPackError as error:
            raise CommandError(
                f"{error.reason} {offline_hint([r.spec for r in missing])} "
                "(Or pass --no-cdn to keep loading them from the CDN.)"
            ) from error
        libraries.append((requirement, tarball))
    used = {formiojs} | {tarball for _, tarball in libraries}
    for path, (name, version) in identities.items():
        if path not in used:
            _logger.warning(
                "%s (%s@%s) is not needed by formiojs %s: ignored",
                path,
                name,
                version,
                package.version,
            )
    return formiojs, libraries


def install(dbname, formiojs, libraries, make_default):
    """Install in one transaction, committed when the cursor closes."""
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        Version = env["formio.version"]
        if not hasattr(Version, "_g2p_install_from_npm_tarball"):
            raise CommandError(
                f"g2p_portal_forms is not installed in database {dbname}: "
                f"install it first (odoo-bin -d {dbname} -i g2p_portal_forms)"
            )
        version = Version._g2p_install_from_npm_tarball(
            formiojs, make_default=make_default
        )
        files = Version._g2p_install_cdn_mirror(libraries) if libraries else []
        assets = env["formio.version.asset"].search([("version_id", "=", version.id)])
        types = Counter(assets.mapped("type"))
        Param = env["ir.config_parameter"].sudo()
        lines = [
            f"formio.js {version.name} installed in {dbname}: {len(assets)} assets ("
            + ", ".join(f"{count} {kind}" for kind, count in sorted(types.items()))
            + ")",
            f"default formio.js version: {Param.get_param('formio.default_version')}",
        ]
        if libraries:
            specs = ", ".join(requirement.spec for requirement, _ in libraries)
            lines.append(f"CDN libraries: {len(files)} files from {specs}")
        lines.append(f"formio.cdn_base_url: {Param.get_param('formio.cdn_base_url')}")
        return "\n".join(lines)
