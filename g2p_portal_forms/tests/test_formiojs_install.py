import gzip
import io
import json
import os
import tarfile
from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.g2p_portal_forms.formiojs import MIRROR_PATH, requirements

# Release names no real database holds, so that the tests run on any.
VERSION = "4.0.0-g2ptest.1"
OTHER_VERSION = "4.0.0-g2ptest.0"
FLATPICKR = "4.6.8-g2ptest.1"
JS = b"/*! formio.full.min.js */ window.Formio = {};"
CSS = b".formio-form{} @font-face{src:url(fonts/fontawesome-webfont.woff)}"
WOFF = b"wOFF fake font"
RENDERER_JS = b"/*! formio.form.min.js */ window.Formio = {renderer: true};"
RENDERER_CSS = b".formio-form{} @font-face{src:url(fonts/fontawesome-webfont.woff)}"


def flatpickr_tarball(version=FLATPICKR, js=b"window.flatpickr = {};"):
    return tarball_of(
        {
            "package/package.json": json.dumps(
                {"name": "flatpickr", "version": version}
            ),
            "package/dist/flatpickr.min.js": js,
            "package/dist/flatpickr.min.css": b".flatpickr-calendar{}",
            "package/dist/l10n/fr.js": b"/* fr */",
        }
    )


def flatpickr_requirement():
    needed = requirements({"flatpickr": FLATPICKR})
    return next(r for r in needed if r.library.package == "flatpickr")


def tarball_of(files, members=()):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for info in members:
            archive.addfile(info)
    return gzip.compress(buffer.getvalue())


def npm_tarball(version=VERSION, name="formiojs", js=JS, members=(), renderer=False):
    """A small npm-like tarball of formiojs; ``members`` adds raw TarInfos;
    ``renderer``: with the renderer-only build (formio.form.min.*)."""
    files = {
        "package/package.json": json.dumps({"name": name, "version": version}),
        "package/dist/formio.full.min.js": js,
        "package/dist/formio.full.min.css": CSS,
        "package/dist/formio.full.min.js.LICENSE.txt": b"MIT licenses",
        "package/dist/formio.full.min.js.map": b"{}",
        "package/dist/formio.form.min.js": b"not installed",
        "package/dist/fonts/fontawesome-webfont.woff": WOFF,
        "package/dist/fonts/fontawesome-webfont.woff2": b"wOF2 fake font",
    }
    if renderer:
        files["package/dist/formio.form.min.js"] = RENDERER_JS
        files["package/dist/formio.form.min.css"] = RENDERER_CSS
    return tarball_of(files, members)


def symlink(name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    return info


@tagged("post_install", "-at_install")
class TestFormiojsInstall(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Version = cls.env["formio.version"]
        cls.Asset = cls.env["formio.version.asset"]
        cls.Param = cls.env["ir.config_parameter"].sudo()
        cls.default_css = cls.env["formio.default.asset.css"].search([])

    def install(self, tarball=None, **kwargs):
        return self.Version._g2p_install_from_npm_tarball(
            tarball or npm_tarball(), **kwargs
        )

    def assets_of(self, version):
        return self.Asset.search([("version_id", "=", version.id)])

    def snapshot(self):
        return (
            self.Version.with_context(active_test=False).search_count([]),
            self.Asset.search_count([]),
            self.env["ir.attachment"].search_count([]),
            self.Param.get_param("formio.default_version"),
        )

    def test_install_creates_the_version_its_assets_and_the_default(self):
        self.assertTrue(self.default_css, "formio ships a default CSS (bootstrap)")
        version = self.install()

        self.assertEqual(version.name, VERSION)
        self.assertEqual(self.Param.get_param("formio.default_version"), VERSION)
        assets = self.assets_of(version)
        self.assertEqual(
            sorted(assets.mapped("type")),
            sorted(["css"] * len(self.default_css) + ["css", "js", "license"])
            + ["woff", "woff2"],
        )
        # Bootstrap first, then formio's own CSS: the order they load in.
        self.assertEqual(
            version.css_assets.attachment_id.mapped("url")[:-1],
            self.default_css.attachment_id.mapped("url"),
        )
        formio_css = version.css_assets[-1].attachment_id
        self.assertEqual(formio_css.name, "formio.full.min.css")
        self.assertEqual(formio_css.raw, CSS)

        js = version.js_assets
        self.assertEqual(len(js), 1)
        attachment = js.attachment_id
        self.assertEqual(
            (attachment.name, attachment.raw, attachment.type),
            ("formio.full.min.js", JS, "binary"),
        )
        self.assertTrue(attachment.public)
        self.assertEqual((attachment.res_model, attachment.res_id), (js._name, js.id))
        self.assertEqual(attachment.formio_asset_formio_version_id, version)
        self.assertTrue(attachment.formio_ref)
        self.assertEqual(js.url, f"/web/content/{attachment.id}/formio.full.min.js")
        self.assertEqual(
            version.license_assets.attachment_id.name,
            "formio.full.min.js.LICENSE.txt",
        )
        # Only the full build: no other builds, no source maps.
        names = set(assets.attachment_id.mapped("name"))
        self.assertFalse(names & {"formio.form.min.js", "formio.full.min.js.map"})

    def test_a_form_page_loads_the_renderer_and_the_builder_the_full_build(self):
        version = self.install(npm_tarball(renderer=True))
        # The backend's builder: the version's assets, the full build only.
        self.assertEqual(version.js_assets.attachment_id.name, "formio.full.min.js")
        names = set(self.assets_of(version).attachment_id.mapped("name"))
        self.assertFalse(names & {"formio.form.min.js", "formio.form.min.css"})
        renderer = version._g2p_renderer_attachments()
        self.assertEqual(
            [(a.name, a.raw, a.public) for a in renderer],
            [
                ("formio.form.min.js", RENDERER_JS, True),
                ("formio.form.min.css", RENDERER_CSS, True),
            ],
        )
        css, js = version._g2p_form_asset_urls()
        self.assertEqual(js, [f"/web/content/{renderer[0].id}/formio.form.min.js"])
        # Its own CSS only: no Bootstrap 4 (the portal has Bootstrap 5).
        self.assertEqual(css, [f"/web/content/{renderer[1].id}/formio.form.min.css"])

        again = self.install(npm_tarball(renderer=True))
        self.assertEqual(again, version)
        self.assertFalse(renderer.exists(), "the old renderer files are replaced")
        self.assertEqual(len(version._g2p_renderer_attachments()), 2)

    def test_without_the_renderer_a_form_page_loads_the_full_build(self):
        version = self.install()
        self.assertFalse(version._g2p_renderer_attachments())
        css, js = version._g2p_form_asset_urls()
        self.assertEqual(js, version.js_assets.mapped("url"))
        formio_css = version.css_assets.filtered(
            lambda a: a.attachment_id.name == "formio.full.min.css"
        )
        self.assertEqual(css, formio_css.mapped("url"))

    def test_the_shared_default_css_stays_with_the_default_css(self):
        shared = self.default_css.attachment_id
        before = shared.read(["res_model", "res_id", "url"])
        version = self.install()
        self.assertEqual(shared.read(["res_model", "res_id", "url"]), before)
        self.assertFalse(version.css_assets.attachment_id & shared)
        # Deleting the version (as Nova Code's reinstall does) keeps them too.
        version.unlink()
        self.assertTrue(shared.exists())
        self.assertEqual(len(self.default_css.exists()), len(self.default_css))

    def test_base_translations_are_added(self):
        base = self.env["formio.translation"].search([("lang_id.active", "=", True)])
        version = self.install()
        self.assertEqual(
            version.translation_ids.base_translation_id.sorted("id"), base.sorted("id")
        )

    def test_installing_again_replaces_the_assets_of_the_same_version(self):
        version = self.install()
        builder = self.env["formio.builder"].create(
            {
                "name": "g2p-formiojs-test",
                "title": "Test",
                "formio_version_id": version.id,
            }
        )
        old = self.assets_of(version)
        old_attachments = old.attachment_id
        translations = len(version.translation_ids)

        again = self.install(npm_tarball(js=b"/* new build */"))

        self.assertEqual(again, version, "builders keep their formio.js version")
        self.assertEqual(builder.formio_version_id, version)
        self.assertFalse(old.exists())
        self.assertFalse(old_attachments.exists())
        self.assertEqual(len(self.assets_of(version)), len(old))
        self.assertEqual(version.js_assets.attachment_id.raw, b"/* new build */")
        self.assertEqual(len(version.translation_ids), translations)
        self.assertEqual(
            self.Version.search_count([("name", "=", VERSION)]), 1, "no duplicate"
        )

    def test_replacing_a_version_installed_by_nova_code_keeps_the_shared_css(self):
        # Nova Code's installer points its bootstrap asset at the shared
        # default attachment itself.
        version = self.Version.create({"name": VERSION})
        shared = self.default_css.attachment_id[:1]
        self.Asset.create(
            {"version_id": version.id, "attachment_id": shared.id, "type": "css"}
        )
        self.assertEqual(self.install(), version)
        self.assertTrue(shared.exists())
        self.assertTrue(self.default_css.exists())
        self.assertFalse(self.assets_of(version).attachment_id & shared)

    def test_an_archived_version_of_that_name_is_reused_and_reactivated(self):
        version = self.Version.create({"name": VERSION, "active": False})
        self.assertEqual(self.install(), version)
        self.assertTrue(version.active)

    def test_no_default_leaves_the_setting_alone(self):
        self.Param.set_param("formio.default_version", "4.18.2")
        self.install(make_default=False)
        self.assertEqual(self.Param.get_param("formio.default_version"), "4.18.2")

    def test_a_github_tag_of_that_release_is_marked_installed(self):
        tag = self.env["formio.version.github.tag"].create({"name": f"v{VERSION}"})
        version = self.install()
        self.assertEqual((tag.state, tag.formio_version_id), ("installed", version))

    def test_a_bad_tarball_leaves_nothing_behind(self):
        self.install(npm_tarball(version=OTHER_VERSION))
        before = self.snapshot()
        bad_tarballs = {
            "other package": npm_tarball(name="formio-evil"),
            "formio.js 5": npm_tarball(version="5.0.0"),
            "symlink": npm_tarball(members=[symlink("package/dist/x.woff", "/etc")]),
            "traversal": npm_tarball(members=[symlink("package/../../x", "y")]),
            "garbage": b"\x1f\x8b not really gzip",
        }
        for what, tarball in bad_tarballs.items():
            with self.subTest(what), self.assertRaises(UserError):
                self.install(tarball)
            self.assertEqual(self.snapshot(), before, what)

    def test_a_failure_half_way_leaves_nothing_behind(self):
        self.install(npm_tarball(version=OTHER_VERSION))
        before = self.snapshot()
        with (
            patch.object(
                type(self.Version),
                "_g2p_copy_fonts_to_filestore",
                side_effect=OSError("disk full"),
            ),
            self.assertRaises(OSError),
        ):
            self.install()
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(self.Version.search([("name", "=", VERSION)]))

    def test_fonts_are_where_the_formio_font_route_reads_them(self):
        Attachment = self.env["ir.attachment"]
        if Attachment._storage() != "file":
            self.skipTest("attachments are stored in the database")
        version = self.install()
        css = version.css_assets.attachment_id.filtered("store_fname")
        self.assertEqual(len(css), 1)
        folder = Attachment._full_path(os.path.dirname(css.store_fname) + "/fonts")
        with open(os.path.join(folder, "fontawesome-webfont.woff"), "rb") as font:
            self.assertEqual(font.read(), WOFF)


@tagged("post_install", "-at_install")
class TestCdnMirror(TransactionCase):
    def setUp(self):
        super().setUp()
        self.Version = self.env["formio.version"]
        self.Param = self.env["ir.config_parameter"].sudo()
        self.Param.set_param("formio.cdn_base_url", "https://cdn.example.org/libs")
        self.base = f"{MIRROR_PATH}/flatpickr/{FLATPICKR}"

    def mirrored(self):
        return self.env["ir.attachment"].search([("url", "=like", f"{self.base}/%")])

    def test_library_files_become_public_attachments_at_formiojs_urls(self):
        files = self.Version._g2p_install_cdn_mirror(
            [(flatpickr_requirement(), flatpickr_tarball())]
        )
        self.assertEqual(len(files), 3)
        attachments = self.mirrored()
        self.assertEqual(
            sorted(attachments.mapped("url")),
            [
                f"{self.base}/flatpickr.min.css",
                f"{self.base}/flatpickr.min.js",
                f"{self.base}/l10n/fr.min.js",
            ],
        )
        self.assertEqual(set(attachments.mapped("type")), {"binary"})
        self.assertTrue(all(attachments.mapped("public")))
        self.assertEqual(self.Param.get_param("formio.cdn_base_url"), MIRROR_PATH)

    def test_installing_again_replaces_the_files(self):
        requirement = flatpickr_requirement()
        self.Version._g2p_install_cdn_mirror([(requirement, flatpickr_tarball())])
        self.Version._g2p_install_cdn_mirror(
            [(requirement, flatpickr_tarball(js=b"/* v2 */"))]
        )
        self.assertEqual(len(self.mirrored()), 3)
        js = self.mirrored().filtered(lambda a: a.name == "flatpickr.min.js")
        self.assertEqual(js.raw, b"/* v2 */")

    def test_a_bad_library_tarball_leaves_nothing_behind(self):
        bad = {
            "other version": flatpickr_tarball(version="4.6.9"),
            "symlink": tarball_of(
                {
                    "package/package.json": json.dumps(
                        {"name": "flatpickr", "version": FLATPICKR}
                    )
                },
                [symlink("package/dist/flatpickr.min.js", "/etc/passwd")],
            ),
        }
        for what, tarball in bad.items():
            with self.subTest(what), self.assertRaises(UserError):
                self.Version._g2p_install_cdn_mirror(
                    [(flatpickr_requirement(), tarball)]
                )
            self.assertFalse(self.mirrored())
            self.assertEqual(
                self.Param.get_param("formio.cdn_base_url"),
                "https://cdn.example.org/libs",
            )


@tagged("post_install", "-at_install")
class TestFormiojsServedLocally(HttpCase):
    def test_js_css_and_fonts_are_served_by_odoo(self):
        version = self.env["formio.version"]._g2p_install_from_npm_tarball(
            npm_tarball(version=OTHER_VERSION), make_default=False
        )
        js = version.js_assets
        css = version.css_assets.filtered(
            lambda a: a.attachment_id.name == "formio.full.min.css"
        )
        response = self.url_open(js.url)
        self.assertEqual((response.status_code, response.content), (200, JS))
        response = self.url_open(css.url)
        self.assertEqual((response.status_code, response.content), (200, CSS))
        # formio.full.min.css loads url(fonts/...) relative to itself.
        font_url = f"/web/content/{css.attachment_id.id}/fonts/fontawesome-webfont.woff"
        response = self.url_open(font_url)
        self.assertEqual((response.status_code, response.content), (200, WOFF))

    def test_the_renderer_css_fonts_are_served_by_odoo(self):
        version = self.env["formio.version"]._g2p_install_from_npm_tarball(
            npm_tarball(version=OTHER_VERSION, renderer=True), make_default=False
        )
        css_url, js_url = (u[0] for u in version._g2p_form_asset_urls())
        response = self.url_open(js_url)
        self.assertEqual((response.status_code, response.content), (200, RENDERER_JS))
        response = self.url_open(css_url)
        self.assertEqual(response.content, RENDERER_CSS)
        font_url = css_url.rsplit("/", 1)[0] + "/fonts/fontawesome-webfont.woff"
        response = self.url_open(font_url)
        self.assertEqual((response.status_code, response.content), (200, WOFF))

    def test_cdn_libraries_are_served_by_odoo(self):
        self.env["formio.version"]._g2p_install_cdn_mirror(
            [(flatpickr_requirement(), flatpickr_tarball(js=b"/* local */"))]
        )
        response = self.url_open(
            f"{MIRROR_PATH}/flatpickr/{FLATPICKR}/flatpickr.min.js"
        )
        self.assertEqual(
            (response.status_code, response.content), (200, b"/* local */")
        )
        self.assertIn("javascript", response.headers["Content-Type"])
        response = self.url_open(f"{MIRROR_PATH}/flatpickr/{FLATPICKR}/l10n/fr.min.js")
        self.assertEqual(response.status_code, 200)
        response = self.url_open(f"{MIRROR_PATH}/flatpickr/{FLATPICKR}/nothing.js")
        self.assertEqual(response.status_code, 404)
