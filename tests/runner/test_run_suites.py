"""The test runner on a machine where only the README's prerequisites are:
optional addons installed only with their dependencies, axe-core found or
fetched, and what could not run said in the last lines."""

import stat

import pytest
import run_suites


def _addon(root, name, depends=(), python=(), binaries=()):
    folder = root / name
    folder.mkdir(parents=True)
    manifest = {
        "name": name,
        "depends": list(depends),
        "external_dependencies": {"python": list(python), "bin": list(binaries)},
    }
    (folder / "__manifest__.py").write_text(repr(manifest))


def _config(tmp_path, *paths):
    config = tmp_path / "odoo.conf"
    config.write_text(
        "[options]\naddons_path = " + ",".join(str(p) for p in paths) + "\n"
    )
    return config


@pytest.fixture
def addons(tmp_path, monkeypatch):
    root = tmp_path / "addons"
    _addon(root, "base")
    _addon(root, "g2p_payment_files", ["base"], python=["g2p_no_such_lib_xyz"])
    _addon(root, "g2p_entitlement_voucher", ["g2p_payment_files"])
    _addon(root, "plain_optional", ["base"], python=["json"])
    monkeypatch.setattr(run_suites, "OPTIONAL_ADDONS", ())
    return root


def test_dependency_closure_walks_dependencies_of_dependencies(addons):
    closure = run_suites.dependency_closure("g2p_entitlement_voucher", [addons])
    assert sorted(closure) == ["base", "g2p_entitlement_voucher", "g2p_payment_files"]
    assert run_suites.dependency_closure("ghost", [addons]) == {"ghost": None}


def test_optional_addon_left_out_when_a_dependency_lacks_its_library(
    addons, tmp_path, monkeypatch
):
    monkeypatch.setattr(
        run_suites,
        "OPTIONAL_ADDONS",
        ("g2p_entitlement_voucher", "plain_optional", "not_there"),
    )
    chosen, left_out = run_suites.optional_addons(_config(tmp_path, addons))
    assert chosen == ["plain_optional"]
    assert "g2p_no_such_lib_xyz" in left_out["g2p_entitlement_voucher"]
    assert "g2p_payment_files" in left_out["g2p_entitlement_voucher"]
    assert left_out["not_there"] == "not on addons_path"


def test_missing_program_and_version_conflict_are_reasons(addons, monkeypatch):
    _addon(addons, "needs_bin", binaries=["g2p-no-such-program"])
    assert run_suites.missing_dependencies("needs_bin", [addons]) == [
        "program g2p-no-such-program for needs_bin"
    ]
    assert "version conflict" in run_suites.python_dependency_missing("pytest<1.0")
    assert run_suites.python_dependency_missing("pytest") is None


def _no_axe_anywhere(monkeypatch, tmp_path):
    monkeypatch.delenv("AXE_CORE_JS", raising=False)
    monkeypatch.setenv("G2P_TEST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(run_suites, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.setattr(run_suites, "_npm_global_root", lambda npm: None)
    monkeypatch.setattr(
        run_suites.Path, "is_file", _only_under(tmp_path, run_suites.Path.is_file)
    )


def _only_under(root, is_file):
    # System folders (/usr/lib/node_modules) may hold a real axe-core.
    return lambda path: str(path).startswith(str(root)) and is_file(path)


def test_axe_core_from_the_environment(tmp_path, monkeypatch):
    _no_axe_anywhere(monkeypatch, tmp_path)
    axe = tmp_path / "axe.min.js"
    axe.write_text("window.axe = {};")
    monkeypatch.setenv("AXE_CORE_JS", str(axe))
    assert run_suites.find_axe_core() == (axe, None)


def test_axe_core_missing_without_npm_gives_the_reason(tmp_path, monkeypatch):
    _no_axe_anywhere(monkeypatch, tmp_path)
    monkeypatch.setattr(run_suites.shutil, "which", lambda name: None)
    path, why = run_suites.find_axe_core()
    assert path is None
    assert "axe-core not found and npm not installed" in why


def test_axe_core_fetched_with_npm_into_the_cache(tmp_path, monkeypatch):
    _no_axe_anywhere(monkeypatch, tmp_path)
    # A fake npm that "installs" axe-core where --prefix says.
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(
        "#!/bin/sh\n"
        '[ "$1" = install ] || exit 1\n'
        'mkdir -p "$3/node_modules/axe-core"\n'
        'echo "window.axe = {};" > "$3/node_modules/axe-core/axe.min.js"\n'
    )
    npm.chmod(npm.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(run_suites.shutil, "which", lambda name: str(npm))
    path, why = run_suites.find_axe_core()
    assert why is None
    assert path == tmp_path / "cache" / "node_modules" / "axe-core" / "axe.min.js"


def test_browser_environment_tells_the_tests_to_skip(tmp_path, monkeypatch):
    _no_axe_anywhere(monkeypatch, tmp_path)
    monkeypatch.setattr(
        run_suites.shutil,
        "which",
        lambda name: "/usr/bin/chromium" if name == "chromium" else None,
    )
    env, skips = run_suites.browser_test_environment()
    assert "npm not installed" in env["G2P_AXE_CORE_MISSING"]
    assert skips == ["accessibility tests skipped: " + env["G2P_AXE_CORE_MISSING"]]


def test_summary_keeps_its_shape_and_says_what_was_skipped():
    result = run_suites.SuiteResult("odoo suite", passed=12, skipped=9)
    result.skips = ["accessibility tests skipped: axe-core not found"]
    assert result.ok
    assert result.summary() == (
        "odoo suite: 12 passed, 0 failed, 9 skipped "
        "(accessibility tests skipped: axe-core not found)"
    )


def _accessibility_module():
    import importlib.util  # noqa: PLC0415

    from repo import REPO_ROOT  # noqa: PLC0415

    path = REPO_ROOT / "g2p_self_service_portal" / "tests" / "accessibility.py"
    spec = importlib.util.spec_from_file_location("g2p_accessibility_checks", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_browser_checks_skip_with_the_runners_reason(monkeypatch):
    import unittest  # noqa: PLC0415

    checks = _accessibility_module()
    monkeypatch.setattr(checks, "axe_source", lambda: None)
    monkeypatch.setenv(run_suites.AXE_MISSING_ENV, "axe-core not found: no npm")
    with pytest.raises(unittest.SkipTest, match="axe-core not found: no npm"):
        checks.PageChecks._serve_axe()
    # Run without the runner's word, a missing axe-core is a failure.
    monkeypatch.delenv(run_suites.AXE_MISSING_ENV)
    with pytest.raises(AssertionError, match="axe-core is not installed"):
        checks.PageChecks._serve_axe()
    assert checks.AXE_MISSING_ENV == run_suites.AXE_MISSING_ENV
