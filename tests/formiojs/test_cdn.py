"""The CDN libraries of formio.js: which npm packages, at which URLs."""

import tarfile

import pytest

from g2p_portal_forms.formiojs import (
    MIRROR_PATH,
    FormiojsPackageError,
    cdn,
    mirror_files,
    parse_cdn_versions,
    read_package,
    requirements,
)

from .tarballs import build, good_files, regular, special

# formiojs 4.21.7's CDN.js, as shipped (transpiled).
CDN_JS = b"""
var CDN = /*#__PURE__*/function () {
  function CDN(baseUrl) {
    this.baseUrl = baseUrl || 'https://cdn.form.io';
    this.overrides = {};
    this.libs = {
      'ace': '1.4.12',
      'bootstrap': '4.6.2',
      'ckeditor': '19.0.0',
      'flatpickr': '4.6.8',
      'flatpickr-formio': '4.6.13-formio.3',
      'grid': 'latest',
      'moment-timezone': 'latest',
      'quill': '2.0.0-dev.3',
      'shortcut-buttons-flatpickr': '0.4.0',
      'core': ''
    };
    this.updateUrls();
  }
}();
"""


def by_package(reqs):
    return {r.library.package: r for r in reqs}


def library_tarball(name, version, files):
    content = {"package/package.json": f'{{"name": "{name}", "version": "{version}"}}'}
    content.update({f"package/{path}": data for path, data in files.items()})
    return build(
        {k: v.encode() if isinstance(v, str) else v for k, v in content.items()}
    )


FLATPICKR = {
    "dist/flatpickr.min.js": b"flatpickr()",
    "dist/flatpickr.min.css": b".flatpickr{}",
    "dist/flatpickr.js": b"not kept",
    "dist/l10n/nl.js": b"nl",
    "dist/l10n/sr-cyr.js": b"sr",
    "dist/l10n/nl.d.ts": b"not kept",
    "dist/themes/dark.css": b"not kept",
    "LICENSE.md": b"MIT",
}


def test_formiojs_cdn_table_is_read_from_the_release():
    files = good_files()
    files["package/CDN.js"] = CDN_JS
    versions = read_package(build(files)).cdn_versions
    assert versions["flatpickr"] == "4.6.8"
    assert versions["ckeditor"] == "19.0.0"
    assert versions["moment-timezone"] == "latest"
    assert versions["core"] == ""
    assert read_package(build()).cdn_versions == {}


def test_odd_versions_in_the_cdn_table_are_dropped():
    source = b"this.libs = {'ace': '../../x', 'flatpickr': '4.6.8', 'q': 'x y'};"
    assert parse_cdn_versions(source) == {"flatpickr": "4.6.8"}
    assert parse_cdn_versions(b"no table here") == {}


def test_requirements_follow_formiojs_versions_and_nova_codes_url_patch():
    reqs = by_package(requirements(parse_cdn_versions(CDN_JS)))
    assert {package: r.version for package, r in reqs.items()} == {
        "flatpickr": "4.6.8",
        "shortcut-buttons-flatpickr": "0.4.0",
        # Nova Code's formio asks for CKEditor 19.0.1 where formio.js says 19.0.0.
        "@ckeditor/ckeditor5-build-classic": "19.0.1",
        "ace-builds": "1.4.12",
        "moment-timezone": "latest",
    }
    assert reqs["flatpickr"].url_prefix == f"{MIRROR_PATH}/flatpickr/4.6.8"
    assert reqs["@ckeditor/ckeditor5-build-classic"].url_prefix == (
        f"{MIRROR_PATH}/ckeditor5/19.0.1"
    )
    assert reqs["moment-timezone"].url_prefix == f"{MIRROR_PATH}/moment-timezone"
    assert reqs["moment-timezone"].spec == "moment-timezone@latest"


def test_without_a_cdn_table_the_4_21_versions_are_used():
    assert requirements({}) == requirements(parse_cdn_versions(CDN_JS))


def test_a_library_with_an_unusable_version_is_skipped():
    reqs = by_package(requirements({"ace": "1.4.x"}))
    assert "ace-builds" not in reqs


def test_requirement_accepts_its_package_and_version_only():
    reqs = by_package(requirements({}))
    assert reqs["flatpickr"].accepts("flatpickr", "4.6.8")
    assert not reqs["flatpickr"].accepts("flatpickr", "4.6.9")
    assert not reqs["flatpickr"].accepts("flatpickr-evil", "4.6.8")
    assert reqs["moment-timezone"].accepts("moment-timezone", "0.6.6")


def test_files_land_where_nova_codes_formiojs_asks_for_them():
    flatpickr = by_package(requirements({}))["flatpickr"]
    files = mirror_files(flatpickr, library_tarball("flatpickr", "4.6.8", FLATPICKR))
    base = f"{MIRROR_PATH}/flatpickr/4.6.8"
    assert {f.url: f.content for f in files} == {
        f"{base}/LICENSE.md": b"MIT",
        f"{base}/flatpickr.min.css": b".flatpickr{}",
        f"{base}/flatpickr.min.js": b"flatpickr()",
        # cdnjs names the locales l10n/<lang>.min.js; Nova Code asks for those.
        f"{base}/l10n/nl.min.js": b"nl",
        f"{base}/l10n/sr-cyr.min.js": b"sr",
    }
    assert files[1].name == "flatpickr.min.css"


def test_ace_keeps_formiojs_modes_workers_and_theme():
    ace = by_package(requirements({}))["ace-builds"]
    names = [
        "ace.js",
        "mode-javascript.js",
        "mode-json.js",
        "mode-handlebars.js",
        "worker-javascript.js",
        "theme-xcode.js",
        "ext-language_tools.js",
        "mode-cobol.js",
        "theme-monokai.js",
        "snippets/javascript.js",
    ]
    tarball = library_tarball(
        "ace-builds", "1.4.12", {f"src-min-noconflict/{n}": b"x" for n in names}
    )
    kept = {f.url.rsplit("/1.4.12/", 1)[1] for f in mirror_files(ace, tarball)}
    assert kept == set(names[:7])


def test_the_wrong_package_or_version_is_refused():
    flatpickr = by_package(requirements({}))["flatpickr"]
    with pytest.raises(FormiojsPackageError, match="expected the npm package"):
        mirror_files(flatpickr, library_tarball("flatpickr", "4.6.9", FLATPICKR))
    with pytest.raises(FormiojsPackageError, match="got lodash@4.6.8"):
        mirror_files(flatpickr, library_tarball("lodash", "4.6.8", FLATPICKR))


def test_a_library_without_its_main_files_is_refused():
    flatpickr = by_package(requirements({}))["flatpickr"]
    files = dict(FLATPICKR)
    del files["dist/flatpickr.min.css"]
    with pytest.raises(FormiojsPackageError, match=r"lacks flatpickr\.min\.css"):
        mirror_files(flatpickr, library_tarball("flatpickr", "4.6.8", files))


def test_library_tarballs_get_the_same_safety_checks():
    flatpickr = by_package(requirements({}))["flatpickr"]
    files = {"package/package.json": b'{"name": "flatpickr", "version": "4.6.8"}'}
    link = special("package/dist/flatpickr.min.js", tarfile.SYMTYPE, "/etc/passwd")
    with pytest.raises(FormiojsPackageError, match="not a regular file"):
        mirror_files(flatpickr, build(files, members=[link]))
    evil = regular("package/../../dist/flatpickr.min.js", b"x")
    with pytest.raises(FormiojsPackageError, match="unsafe member"):
        mirror_files(flatpickr, build(files, members=[evil]))


def test_every_library_url_is_a_plain_path():
    for library in cdn.LIBRARIES:
        assert library.folder.replace("-", "").isalnum()
        assert library.required


def test_browser_layout_names_what_differs_from_formiojs():
    layout = cdn.browser_layout()
    assert layout == {
        "folders": {"ckeditor": "ckeditor5"},
        "versions": {"ckeditor": {"19.0.0": "19.0.1"}},
        "aliases": {"flatpickr-formio": "flatpickr"},
    }
    # Every required file of every library, at the URL the page builds from
    # formio.js's CDN table with that layout (portal_apply.js).
    libs = parse_cdn_versions(CDN_JS)
    for need in requirements(libs):
        name = need.library.cdn_name
        version = layout["versions"].get(name, {}).get(libs[name], libs[name])
        folder = layout["folders"].get(name, name)
        url = f"{MIRROR_PATH}/{folder}" + (
            "" if version in ("latest", "") else f"/{version}"
        )
        assert url == need.url_prefix, name
