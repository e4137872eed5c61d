"""npm_pack runs npm without a shell and explains offline failures."""

import sys
import textwrap

import pytest

from g2p_portal_forms.formiojs import NpmPackError, npm_pack

from .tarballs import build


def fake_npm(tmp_path, body):
    """An executable standing in for npm; it records its arguments."""
    script = tmp_path / "bin" / "npm"
    script.parent.mkdir()
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys, json, pathlib, time\n"
        f"pathlib.Path({str(tmp_path / 'args.json')!r}).write_text("
        "json.dumps(sys.argv[1:]))\n" + textwrap.dedent(body)
    )
    script.chmod(0o755)
    return str(script)


def test_runs_npm_pack_into_the_destination(tmp_path):
    tarball = build()
    npm = fake_npm(
        tmp_path,
        f"""
        dest = pathlib.Path(sys.argv[sys.argv.index("--pack-destination") + 1])
        (dest / "formiojs-4.21.7.tgz").write_bytes({tarball!r})
        print("formiojs-4.21.7.tgz")
        """,
    )
    destination = tmp_path / "out"
    path = npm_pack("formiojs", "4.21.7", destination, npm=npm)
    assert path == destination / "formiojs-4.21.7.tgz"
    assert path.read_bytes() == tarball
    args = (tmp_path / "args.json").read_text()
    assert args == (
        f'["pack", "formiojs@4.21.7", "--pack-destination", "{destination}", '
        '"--ignore-scripts"]'
    )


@pytest.mark.parametrize(
    "spec",
    [
        "github:evil/formiojs",
        "file:../x",
        "https://example.org/x.tgz",
        "4; rm -rf /",
        "$(id)",
        "",
        "4" * 65,
    ],
)
def test_only_versions_ranges_and_tags_are_accepted(tmp_path, spec):
    with pytest.raises(NpmPackError, match="not a formiojs version"):
        npm_pack("formiojs", spec, tmp_path, npm="npm-must-not-run")


def test_a_missing_npm_tells_how_to_work_offline(tmp_path):
    with pytest.raises(NpmPackError) as caught:
        npm_pack("formiojs", "4", tmp_path, npm=str(tmp_path / "no-such-npm"))
    message = str(caught.value)
    assert caught.value.reason == "npm is not installed here."
    assert caught.value.specs == ("formiojs@4",)
    assert "`npm pack formiojs@4`" in message and "--tarball" in message


def test_an_unreachable_registry_gives_npms_code_without_credentials(tmp_path):
    npm = fake_npm(
        tmp_path,
        """
        sys.stderr.write(
            "npm error code ENOTFOUND\\n"
            "npm error syscall getaddrinfo\\n"
            "npm error network request to https://bob:s3cret@registry.example/"
            "formiojs failed\\n"
            "npm error 404 https://bob:s3cret@registry.example/formiojs\\n"
        )
        sys.exit(1)
        """,
    )
    with pytest.raises(NpmPackError) as caught:
        npm_pack("formiojs", "4", tmp_path / "out", npm=npm)
    message = str(caught.value)
    assert "npm error code ENOTFOUND" in message
    assert "s3cret" not in message and "bob" not in message
    assert "--tarball" in message


def test_a_hanging_npm_times_out(tmp_path):
    npm = fake_npm(tmp_path, "time.sleep(30)\n")
    with pytest.raises(NpmPackError, match="no answer within 1 s"):
        npm_pack("formiojs", "4", tmp_path / "out", npm=npm, timeout=1)


def test_npm_writing_no_tarball_is_an_error(tmp_path):
    npm = fake_npm(tmp_path, "pass\n")
    with pytest.raises(NpmPackError, match="wrote 0 tarballs"):
        npm_pack("formiojs", "latest", tmp_path / "out", npm=npm)


@pytest.mark.parametrize(
    "package", ["../formiojs", "formiojs@4", "FormioJS", "@scope", "a b", "-x"]
)
def test_only_npm_package_names_are_accepted(tmp_path, package):
    with pytest.raises(NpmPackError, match="not an npm package name") as caught:
        npm_pack(package, "4", tmp_path, npm="npm-must-not-run")
    assert caught.value.specs == ()


def test_a_scoped_package_is_packed(tmp_path):
    npm = fake_npm(
        tmp_path,
        """
        dest = pathlib.Path(sys.argv[sys.argv.index("--pack-destination") + 1])
        (dest / "ckeditor-ckeditor5-build-classic-19.0.1.tgz").write_bytes(b"x")
        """,
    )
    path = npm_pack("@ckeditor/ckeditor5-build-classic", "19.0.1", tmp_path, npm=npm)
    assert path.name == "ckeditor-ckeditor5-build-classic-19.0.1.tgz"
    assert (
        '"@ckeditor/ckeditor5-build-classic@19.0.1"'
        in (tmp_path / "args.json").read_text()
    )
