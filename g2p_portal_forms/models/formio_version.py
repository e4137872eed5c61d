import logging
import os

from odoo import _, api, models
from odoo.exceptions import UserError

from ..formiojs import (
    MIRROR_PATH,
    RENDERER_CSS,
    RENDERER_JS,
    FormiojsPackageError,
    mirror_files,
    read_package,
)

_logger = logging.getLogger(__name__)

DEFAULT_VERSION_PARAM = "formio.default_version"
CDN_BASE_URL_PARAM = "formio.cdn_base_url"
ASSET_MODEL = "formio.version.asset"
# The renderer-only build of a version: attachments of the version, not
# formio.version.asset records (the backend's builder loads those).
RENDERER_NAMES = (RENDERER_JS.rsplit("/", 1)[1], RENDERER_CSS.rsplit("/", 1)[1])
FULL_BUILD_NAMES = ("formio.full.min.js", "formio.full.min.css")
# Nova Code's default CSS (Bootstrap 4, as URL attachments): the portal's
# pages have Odoo's Bootstrap 5, which styles the form; loading both costs
# a second Bootstrap on every apply page.
DEFAULT_CSS_URL_PREFIX = "/formio/static/lib/bootstrap/"


class FormioVersion(models.Model):
    _inherit = "formio.version"

    @api.model
    def _g2p_install_from_npm_tarball(self, tarball, make_default=True):
        """Install formio.js from a ``formiojs`` 4.x npm tarball (path or bytes).

        Same result as Nova Code's GitHub installer
        (``formio.version.github.tag.action_download_install``): a
        ``formio.version`` named after the release, with the default CSS
        assets, the full minified JS and CSS, the license texts and the fonts
        as ``formio.version.asset`` records, and the base translations. An
        existing version of that name is kept (builders point at it) and its
        assets are replaced. Everything happens in one savepoint: a bad
        tarball or a failure half-way leaves nothing behind.
        """
        try:
            package = read_package(tarball)
        except FormiojsPackageError as error:
            _logger.warning("formio.js npm tarball refused: %s", error)
            raise UserError(_("Cannot install formio.js: %s", error)) from error

        with self.env.cr.savepoint():
            version = self._g2p_version_to_fill(package.version)
            assets = self._g2p_create_assets(version, package)
            renderer = self._g2p_create_renderer(version, package)
            version.action_add_base_translations()
            self._g2p_copy_fonts_to_filestore(assets, renderer)
            self.env["formio.version.github.tag"].search(
                [("name", "=", f"v{package.version}")]
            ).write({"state": "installed", "formio_version_id": version.id})
            if make_default:
                self.env["ir.config_parameter"].sudo().set_param(
                    DEFAULT_VERSION_PARAM, version.name
                )
        _logger.info(
            "formio.js %s installed from npm (%d assets, %d bytes)%s",
            version.name,
            len(assets),
            package.size,
            ", now the default version" if make_default else "",
        )
        return version

    @api.model
    def _g2p_install_cdn_mirror(self, libraries):
        """Serve the libraries formio.js loads from a CDN from this server.

        ``libraries`` holds ``(NpmRequirement, tarball)`` pairs (see
        ``formiojs.cdn.requirements``). Their files become public attachments
        whose ``url`` is the path formio.js asks for: Odoo serves such an
        attachment when no route matches (``ir.http._serve_fallback``). Then
        ``formio.cdn_base_url`` points formio.js at them instead of cdnjs.
        Files of other library versions stay, for other formio.js releases.
        """
        try:
            files = [
                file
                for requirement, tarball in libraries
                for file in mirror_files(requirement, tarball)
            ]
        except FormiojsPackageError as error:
            _logger.warning("formio.js CDN library tarball refused: %s", error)
            raise UserError(
                _("Cannot install formio.js's libraries: %s", error)
            ) from error
        prefixes = {file.url.rsplit("/", 1)[0] for file in files}
        Attachment = self.env["ir.attachment"]
        with self.env.cr.savepoint():
            replaced = Attachment.search(
                [("type", "=", "binary"), ("url", "in", [f.url for f in files])]
            )
            replaced.unlink()
            Attachment.create(
                [
                    {
                        "name": file.name,
                        "type": "binary",
                        "raw": file.content,
                        "url": file.url,
                        "public": True,
                    }
                    for file in files
                ]
            )
            self.env["ir.config_parameter"].sudo().set_param(
                CDN_BASE_URL_PARAM, MIRROR_PATH
            )
        _logger.info(
            "formio.js CDN libraries served from %s: %d files in %d folders",
            MIRROR_PATH,
            len(files),
            len(prefixes),
        )
        return files

    @api.model
    def _g2p_version_to_fill(self, name):
        """The version record to (re)fill: the existing one, emptied, or a new one."""
        version = self.with_context(active_test=False).search(
            [("name", "=", name)], order="id", limit=1
        )
        if not version:
            return self.create({"name": name})
        version._g2p_renderer_attachments().unlink()
        old_assets = self.env[ASSET_MODEL].search([("version_id", "=", version.id)])
        # Nova Code's installer links the shared default CSS attachments
        # (bootstrap) to its assets; an asset deletes its attachment, so give
        # those assets a private copy first to keep the shared one.
        shared = self._g2p_default_css_attachments()
        for asset in old_assets.filtered(lambda a: a.attachment_id in shared):
            asset.attachment_id = asset.attachment_id.copy()
        old_assets.unlink()
        if not version.active:
            version.active = True
        _logger.info("formio.js %s exists: replacing its assets", name)
        return version

    @api.model
    def _g2p_default_css_attachments(self):
        return self.env["formio.default.asset.css"].search([]).attachment_id

    @api.model
    def _g2p_create_assets(self, version, package):
        """Create the assets in Nova Code's order: default CSS first, then ours.

        Assets are sorted by sequence then id, so bootstrap is loaded before
        formio.full.min.css.
        """
        # Private copies of the default CSS (bootstrap): Nova Code's installer
        # re-links the shared attachments themselves, which an asset deletes
        # along with itself.
        default_css = self.env["ir.attachment"]
        for shared in self._g2p_default_css_attachments():
            default_css |= shared.copy({"res_model": ASSET_MODEL, "res_id": 0})
        files = self.env["ir.attachment"].create(
            [
                {
                    "name": asset.name,
                    "type": "binary",
                    "raw": asset.content,
                    "public": True,
                    "res_model": ASSET_MODEL,
                    "formio_asset_formio_version_id": version.id,
                }
                for asset in package.assets
            ]
        )
        attachments = default_css + files
        asset_types = ["css"] * len(default_css) + [a.type for a in package.assets]
        assets = self.env[ASSET_MODEL].create(
            [
                {
                    "version_id": version.id,
                    "attachment_id": attachment.id,
                    "type": asset_type,
                }
                for attachment, asset_type in zip(attachments, asset_types, strict=True)
            ]
        )
        for asset in assets:
            asset.attachment_id.res_id = asset.id
        return assets

    @api.model
    def _g2p_create_renderer(self, version, package):
        """The renderer-only build as public attachments of the version."""
        return self.env["ir.attachment"].create(
            [
                {
                    "name": asset.name,
                    "type": "binary",
                    "raw": asset.content,
                    "public": True,
                    "res_model": self._name,
                    "res_id": version.id,
                    # formio's font route serves the fonts of the CSS files
                    # of a version: this CSS's fonts too.
                    "formio_asset_formio_version_id": version.id,
                }
                for asset in package.renderer
            ]
        )

    def _g2p_renderer_attachments(self):
        self.ensure_one()
        # sudo: public files of a formio.js release, read to link them.
        return (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "=", self.id),
                    ("name", "in", RENDERER_NAMES),
                ],
                order="id",
            )
        )

    def _g2p_form_asset_urls(self):
        """(CSS URLs, JS URLs) a page that fills a form loads, in order.

        The renderer-only build when the version has it (formiojs-install
        adds it), in place of the full build, which includes the builder;
        the version's other assets as they are, except Nova Code's default
        Bootstrap 4 CSS (the portal has Bootstrap 5).
        """
        self.ensure_one()
        # sudo: the assets of the form's formio.js release, public files.
        version = self.sudo()
        renderer = {a.name: a for a in version._g2p_renderer_attachments()}
        has_renderer = all(name in renderer for name in RENDERER_NAMES)
        css, js = [], []
        for kind, assets, urls in (
            ("css", version.css_assets, css),
            ("js", version.js_assets, js),
        ):
            for asset in assets:
                attachment = asset.attachment_id
                if attachment.type == "url" and (attachment.url or "").startswith(
                    DEFAULT_CSS_URL_PREFIX
                ):
                    continue
                if has_renderer and attachment.name in FULL_BUILD_NAMES:
                    name = RENDERER_NAMES[0 if kind == "js" else 1]
                    urls.append(_content_url(renderer[name]))
                    continue
                if asset.url:
                    urls.append(asset.url)
        return css, js

    @api.model
    def _g2p_copy_fonts_to_filestore(self, assets, renderer=None):
        """Put the fonts where the formio addon's font route looks for them.

        With file storage, ``/web/content/<css id>/fonts/<name>`` (formio's
        ``send_fonts_file``) reads ``<css file's folder>/fonts/<name>`` in the
        filestore; Nova Code's installer copies the fonts there too. With
        database storage the route reads the font assets instead.
        """
        Attachment = self.env["ir.attachment"]
        if Attachment._storage() != "file":
            return
        fonts = assets.filtered(lambda a: a.type not in ("js", "css", "license"))
        css_files = assets.filtered(
            lambda a: a.type == "css" and a.attachment_id.store_fname
        ).attachment_id
        if renderer:
            css_files |= renderer.filtered(
                lambda a: a.name == RENDERER_NAMES[1] and a.store_fname
            )
        for css in css_files:
            folder = Attachment._full_path(os.path.dirname(css.store_fname) + "/fonts")
            os.makedirs(folder, exist_ok=True)
            for font in fonts:
                # Font names were checked by the formiojs core ([A-Za-z0-9._-]).
                path = os.path.join(folder, os.path.basename(font.attachment_id.name))
                content = font.attachment_id.raw
                if os.path.isfile(path) and _read(path) == content:
                    continue
                with open(path, "wb") as file:
                    file.write(content)


def _content_url(attachment):
    """The address formio's assets use for a stored file."""
    return f"/web/content/{attachment.id}/{attachment.name}"


def _read(path):
    with open(path, "rb") as file:
        return file.read()
