"""Reading a formiojs npm tarball: what is kept, and what is refused."""

import gzip
import io
import tarfile

import pytest

from g2p_portal_forms.formiojs import FormiojsPackageError, read_package
from g2p_portal_forms.formiojs import tarball as package

from .tarballs import CSS, JS, build, good_files, package_json, regular, special


def refused(tarball, *fragments):
    with pytest.raises(FormiojsPackageError) as caught:
        read_package(tarball)
    for fragment in fragments:
        assert fragment in str(caught.value)
    return caught.value


def test_keeps_only_what_the_formio_addon_serves_in_nova_codes_order():
    result = read_package(build())
    assert result.version == "4.21.7"
    assert [(a.path, a.type) for a in result.assets] == [
        ("dist/formio.full.min.js", "js"),
        ("dist/formio.full.min.css", "css"),
        ("dist/formio.full.min.js.LICENSE.txt", "license"),
        ("dist/fonts/FontAwesome.otf", "otf"),
        ("dist/fonts/fontawesome-webfont.woff", "woff"),
        ("dist/fonts/fontawesome-webfont.woff2", "woff2"),
    ]
    assert result.assets[0].content == JS
    assert result.assets[1].content == CSS
    assert result.assets[1].name == "formio.full.min.css"
    assert result.size == sum(len(a.content) for a in result.assets)
    assert [a.name for a in result.assets_of_type("css")] == ["formio.full.min.css"]


def test_the_renderer_build_is_kept_apart_from_the_versions_assets():
    files = good_files()
    files["package/dist/formio.form.min.js"] = b"/*! renderer */ var Formio = {};"
    files["package/dist/formio.form.min.css"] = b".formio-form{}"
    files["package/dist/formio.form.js"] = b"not minified: not kept"
    result = read_package(build(files))
    assert [(a.path, a.type) for a in result.renderer] == [
        ("dist/formio.form.min.js", "js"),
        ("dist/formio.form.min.css", "css"),
    ]
    assert result.renderer[0].name == "formio.form.min.js"
    # The backend's builder loads the version's assets: the full build only.
    assert [a.name for a in result.assets_of_type("js")] == ["formio.full.min.js"]
    assert result.size == sum(len(a.content) for a in result.assets + result.renderer)


def test_without_both_renderer_files_there_is_no_renderer():
    assert read_package(build()).renderer == ()
    files = good_files()
    files["package/dist/formio.form.min.js"] = b"var Formio = {};"
    assert read_package(build(files)).renderer == ()


def test_root_license_comes_first_like_the_github_installer():
    files = good_files()
    files["package/LICENSE.txt"] = b"MIT License"
    assets = read_package(build(files)).assets
    assert (assets[0].path, assets[0].type) == ("LICENSE.txt", "license")


def test_reads_a_path_and_an_uncompressed_tar(tmp_path):
    path = tmp_path / "formiojs-4.21.7.tgz"
    path.write_bytes(build())
    assert read_package(path).version == "4.21.7"
    assert read_package(str(path)).version == "4.21.7"
    assert read_package(build(compress=False)).version == "4.21.7"


def test_directory_entries_and_dot_slash_names_are_fine():
    files = {f"./{name}": content for name, content in good_files().items()}
    dist = tarfile.TarInfo("package/dist")
    dist.type = tarfile.DIRTYPE
    assert read_package(build(files, members=[(dist, None)])).version == "4.21.7"


def test_a_prerelease_of_4_is_accepted():
    assert read_package(build(good_files(version="4.14.0-rc.1"))).version == (
        "4.14.0-rc.1"
    )


@pytest.mark.parametrize(
    "name",
    [
        "package/../../etc/cron.d/x",
        "package/dist/../../outside",
        "/etc/passwd",
        "/package/dist/formio.full.min.js",
        "package\\..\\evil",
    ],
)
def test_path_traversal_is_refused(name):
    refused(build(members=[regular(name, b"x")]), "unsafe member")


def test_a_member_outside_package_is_refused():
    refused(build(members=[regular("other/dist/x.js", b"x")]), "outside the package/")


@pytest.mark.parametrize(
    ("kind", "linkname"),
    [
        (tarfile.SYMTYPE, "/etc/passwd"),
        (tarfile.SYMTYPE, "formio.full.min.js"),
        (tarfile.LNKTYPE, "package/dist/formio.full.min.js"),
        (tarfile.CHRTYPE, ""),
        (tarfile.BLKTYPE, ""),
        (tarfile.FIFOTYPE, ""),
    ],
)
def test_links_and_special_files_are_refused(kind, linkname):
    member = special("package/dist/fonts/x.woff", kind, linkname)
    refused(build(members=[member]), "not a regular file")


def test_a_symlink_in_place_of_a_dist_file_is_refused():
    files = good_files()
    del files["package/dist/formio.full.min.css"]
    link = special("package/dist/formio.full.min.css", tarfile.SYMTYPE, "/etc/passwd")
    refused(build(files, members=[link]), "not a regular file")


def test_an_oversized_member_is_refused(monkeypatch):
    monkeypatch.setattr(package, "MAX_MEMBER_BYTES", len(JS) - 1)
    refused(build(), "dist/formio.full.min.js", "allowed for one file")


def test_an_oversized_file_that_is_not_kept_is_skipped(monkeypatch):
    monkeypatch.setattr(package, "MAX_MEMBER_BYTES", 100)
    files = good_files()
    files["package/dist/formio.full.js"] = b"x" * 1000
    assert read_package(build(files)).version == "4.21.7"


def test_too_much_to_install_is_refused(monkeypatch):
    monkeypatch.setattr(package, "MAX_KEPT_BYTES", len(JS) + 10)
    refused(build(), "weigh more than")


def test_a_tarball_unpacking_too_far_is_refused(monkeypatch):
    monkeypatch.setattr(package, "MAX_UNPACKED_BYTES", 10_000)
    files = good_files()
    files["package/dist/formio.full.js"] = b"\0" * 20_000
    refused(build(files), "unpacks to more than")


def test_a_decompression_bomb_stops_at_the_bound(monkeypatch):
    # A gzip stream that expands far beyond the bound before any tar header
    # could declare its size: the bounded reader stops it.
    monkeypatch.setattr(package, "MAX_UNPACKED_BYTES", 1000)
    monkeypatch.setattr(package, "MAX_MEMBERS", 1)
    bomb = gzip.compress(b"\0" * 512 + b"A" * 5_000_000)
    refused(bomb, "unpacks to more than 1000 bytes")


def test_too_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(package, "MAX_MEMBERS", 5)
    refused(build(), "more than 5 members")


def test_a_tarball_too_big_is_refused_before_reading(monkeypatch, tmp_path):
    monkeypatch.setattr(package, "MAX_TARBALL_BYTES", 100)
    path = tmp_path / "big.tgz"
    path.write_bytes(build())
    refused(path, "more than the 100 allowed")
    refused(build(), "more than the 100 allowed")


@pytest.mark.parametrize("name", ["@formio/js", "formiojs-evil", "lodash"])
def test_another_package_is_refused(name):
    refused(build(good_files(name=name)), "not 'formiojs'")


@pytest.mark.parametrize("name", ["", None, 42])
def test_a_package_without_a_name_is_refused(name):
    refused(build(good_files(name=name)), "has no name")


@pytest.mark.parametrize("version", ["5.0.0", "5.0.0-rc.4", "3.27.3", "10.1.0"])
def test_other_major_versions_are_refused(version):
    refused(build(good_files(version=version)), f"formiojs {version} is not supported")


@pytest.mark.parametrize(
    "version", ["4.21", "v4.21.7", "4.21.7/../x", "4.21.7 ", 4, None, "4.21.7-"]
)
def test_an_invalid_version_is_refused(version):
    refused(build(good_files(version=version)), "no valid version")


@pytest.mark.parametrize("missing", ["formio.full.min.js", "formio.full.min.css"])
def test_a_missing_dist_file_is_refused(missing):
    files = good_files()
    del files[f"package/dist/{missing}"]
    refused(build(files), f"formiojs 4.21.7 lacks package/dist/{missing}")


def test_a_missing_or_broken_package_json_is_refused():
    files = good_files()
    del files["package/package.json"]
    refused(build(files), "package.json is missing")
    files["package/package.json"] = b"{not json"
    refused(build(files), "not valid JSON")
    files["package/package.json"] = b"[]"
    refused(build(files), "not a JSON object")


def test_a_duplicate_member_is_refused():
    duplicate = regular("package/dist/formio.full.min.js", b"evil")
    refused(build(members=[duplicate]), "twice")
    second_json = regular("package/package.json", package_json(version="4.0.0"))
    refused(build(members=[second_json]), "twice")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a tarball at all",
        gzip.compress(b"garbage" * 100),
        b"\x1f\x8b\x08junk",
    ],
)
def test_garbage_is_refused(data):
    refused(data)


@pytest.mark.parametrize("where", ["first", "last", "half"])
def test_a_truncated_tarball_is_refused(where):
    data = build(compress=False)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        headers = [member.offset for member in archive.getmembers()]
    # A cut at a header boundary is what tarfile alone takes for the end.
    cut = {"first": headers[1], "last": headers[-1], "half": headers[len(headers) // 2]}
    refused(gzip.compress(data[: cut[where]]), "truncated")
    refused(data[: cut[where]], "truncated")


def test_a_cut_download_is_refused():
    data = build()
    refused(data[: len(data) // 2], "corrupt gzip data")


def test_font_names_and_folders_are_checked():
    files = good_files()
    files["package/dist/fonts/sub/nested.woff"] = b"x"
    files["package/dist/fonts/.hidden.woff"] = b"x"
    files["package/dist/fonts/noext"] = b"x"
    files["package/dist/fonts/bad name.ttf"] = b"x"
    paths = [a.path for a in read_package(build(files)).assets]
    assert not [p for p in paths if "nested" in p or "hidden" in p or "bad" in p]
    assert "dist/fonts/noext" not in paths


def test_long_names_through_gnu_and_pax_headers_are_checked():
    name = "package/" + "a" * 120 + "/../../../etc/x"
    refused(build(members=[regular(name, b"x")]), "unsafe member")
    gnu = build(members=[regular(name, b"x")], fmt=tarfile.GNU_FORMAT)
    refused(gnu, "unsafe member")
