#!/usr/bin/env python3
"""Run the test suites of the G2P self-service portal.

1. The plain-Python suite (top-level ``tests/``): functional cores, static
   checks, packaging. Runs on any machine.
2. The Odoo suite (each addon's ``tests/``): runs whenever ``import odoo``
   works in this interpreter and gives Odoo 17. It creates a fresh database,
   installs the five addons (failing on any warning or error they log),
   runs their tests through pytest-odoo, uninstalls them in reverse
   dependency order and drops the database.
3. The cluster suite (``tests/cluster_suite``): runs when Odoo 17 is
   importable and nginx is installed. It starts ``setup/demo.py --servers 2``
   (two Odoo servers behind nginx, on a new database with the demo data),
   checks what several servers share (sessions, documents, SBI captures,
   job runners, crons), stops it and drops the database.

It ends with one line per suite and a total line, and exits non-zero on any
failure, including a suite that collected no test.

The Odoo configuration is read from ``$ODOO_RC`` or ``~/.odoorc`` (database
connection, ``addons_path`` of the dependencies); this repository is put in
front of its ``addons_path`` in a temporary copy.
"""

import argparse
import ast
import configparser
import importlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from repo import ADDONS, REPO_ROOT
from tooling import (
    ToolError,
    drop_database,
    odoo_command,
    own_module_problems,
    write_test_config,
)

ODOO_SERIES = 17
INSTALL_TIMEOUT = 30 * 60
TEST_TIMEOUT = 45 * 60
CLUSTER_TIMEOUT = 45 * 60


@dataclass
class SuiteResult:
    name: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    ran: bool = True
    note: str = ""
    # What could not run and why (a skipped optional part): printed in the
    # summary line, never a failure.
    skips: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.ran or (self.failed == 0 and not self.note)

    def summary(self):
        if not self.ran:
            return f"{self.name}: not run ({self.note})"
        line = f"{self.name}: {self.passed} passed, {self.failed} failed"
        if self.skipped:
            line += f", {self.skipped} skipped"
        if self.note:
            line += f" ({self.note})"
        if self.skips:
            line += f" ({'; '.join(self.skips)})"
        return line


def _banner(text):
    print(f"\n{'=' * 20} {text} {'=' * 20}", flush=True)


def _junit_counts(path):
    """Return (passed, failed, skipped) from a pytest JUnit XML report."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = failures = errors = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0))
        errors += int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests - failures - errors - skipped, failures + errors, skipped


def _run_pytest(name, args, cwd, timeout=None, env=None):
    result = SuiteResult(name)
    with tempfile.TemporaryDirectory(prefix="g2p-junit-") as tmp:
        junit = Path(tmp) / "report.xml"
        cmd = [sys.executable, "-m", "pytest", f"--junitxml={junit}", *args]
        print("$", " ".join(cmd), flush=True)
        try:
            proc = subprocess.run(cmd, cwd=cwd, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            result.note = f"timed out after {timeout}s"
            return result
        counts = _junit_counts(junit)
    if counts is None:
        result.failed = 1
        result.note = f"pytest exited {proc.returncode} without a report"
        return result
    result.passed, result.failed, result.skipped = counts
    if proc.returncode == 5 or result.passed + result.failed == 0:
        result.note = "no tests collected"
    elif proc.returncode != 0 and result.failed == 0:
        result.note = f"pytest exited {proc.returncode}"
    return result


def run_plain_suite():
    _banner("plain-Python suite")
    # The pytest-odoo plugin imports odoo when loaded: keep it out of the
    # plain suite so that it runs the same with or without Odoo.
    return _run_pytest(
        "plain suite",
        ["tests", "-p", "no:odoo", "-p", "no:cacheprovider", "-q"],
        cwd=REPO_ROOT,
    )


def odoo_series():
    """Return Odoo's major version importable by this interpreter, or None."""
    proc = subprocess.run(
        [sys.executable, "-c", "import odoo.release as r; print(r.version_info[0])"],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    if proc.returncode != 0:
        return None
    try:
        return int(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


# OpenG2P addons our tests use when they are there (on addons_path) and
# their Python libraries and programs are installed: with them the tests that
# need them run instead of being skipped.
OPTIONAL_ADDONS = ("g2p_entitlement_voucher",)


def addons_paths(config):
    """The folders of the test configuration's addons_path, then Odoo's own
    (``odoo/addons`` of the importable server is always searched by Odoo)."""
    parser = configparser.ConfigParser()
    parser.read(config)
    paths = [
        Path(p.strip())
        for p in parser.get("options", "addons_path", fallback="").split(",")
        if p.strip()
    ]
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import odoo.addons as a; print(*a.__path__, sep='\\n')",
        ],
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    paths += [Path(line) for line in proc.stdout.splitlines() if line.strip()]
    return paths


def read_manifest(name, paths):
    """The manifest (a dict) of addon ``name`` on ``paths``, or None."""
    for path in paths:
        manifest = Path(path) / name / "__manifest__.py"
        if manifest.is_file():
            try:
                return ast.literal_eval(manifest.read_text(encoding="utf-8"))
            except (ValueError, SyntaxError):
                return None
    return None


def dependency_closure(name, paths):
    """{addon: manifest or None (not found)} of ``name`` and its dependencies."""
    found = {}
    todo = [name]
    while todo:
        addon = todo.pop()
        if addon in found:
            continue
        manifest = found[addon] = read_manifest(addon, paths)
        if manifest:
            todo.extend(manifest.get("depends", ()))
    return found


def python_dependency_missing(requirement):
    """Why Odoo would refuse ``requirement`` (a manifest's external Python
    dependency), or None: Odoo 17's own check, a distribution of that name
    and version, else an importable module of that name."""
    try:
        import pkg_resources  # noqa: PLC0415  (Odoo 17's check uses it)
    except ImportError:
        pkg_resources = None
    if pkg_resources is not None:
        try:
            pkg_resources.get_distribution(requirement)
            return None
        except pkg_resources.VersionConflict as error:
            return f"{requirement} (version conflict: {error.report()})"
        except (pkg_resources.DistributionNotFound, ValueError):
            pass
    else:
        name = re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0]
        try:
            importlib.metadata.version(name)
            return None
        except importlib.metadata.PackageNotFoundError:
            pass
    try:
        importlib.import_module(requirement)
        return None
    except (ImportError, ValueError, TypeError):
        return f"{requirement} (not installed)"


def missing_dependencies(name, paths):
    """What addon ``name`` lacks to install: addons not on ``paths``, Python
    libraries and programs of its dependency closure. Empty when none."""
    missing = []
    for addon, manifest in sorted(dependency_closure(name, paths).items()):
        if manifest is None:
            missing.append(f"addon {addon} (not on addons_path)")
            continue
        external = manifest.get("external_dependencies") or {}
        for requirement in external.get("python", ()):
            problem = python_dependency_missing(requirement)
            if problem:
                missing.append(f"Python library {problem} for {addon}")
        for program in external.get("bin", ()):
            if not shutil.which(program):
                missing.append(f"program {program} for {addon}")
    return missing


def optional_addons(config):
    """(OPTIONAL_ADDONS to install, {addon left out: why})."""
    paths = addons_paths(config)
    chosen, left_out = [], {}
    for name in OPTIONAL_ADDONS:
        if read_manifest(name, paths) is None:
            left_out[name] = "not on addons_path"
            continue
        missing = missing_dependencies(name, paths)
        if missing:
            left_out[name] = "missing " + "; ".join(missing)
        else:
            chosen.append(name)
    return chosen, left_out


def install_addons(config, database, log_path, extra=()):
    if extra:
        print(f"with {', '.join(extra)} (on addons_path, its dependencies installed)")
    cmd = odoo_command(
        config,
        f"--database={database}",
        f"--init={','.join((*ADDONS, *extra))}",
        "--without-demo=all",
        "--stop-after-init",
        "--log-level=info",
        "--http-port=0",
    )
    print("$", " ".join(cmd), flush=True)
    started = time.monotonic()
    with log_path.open("w") as log:
        proc = subprocess.run(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    text = log_path.read_text(errors="replace")
    print(f"installed in {time.monotonic() - started:.0f}s (log: {log_path})")
    problems = own_module_problems(text)
    if proc.returncode != 0 or " ERROR " in text or " CRITICAL " in text:
        tail = "\n".join(text.splitlines()[-40:])
        problems.append(f"installation failed (exit {proc.returncode}):\n{tail}")
    return problems


UNINSTALL_SCRIPT = """
import sys
import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

config_path, database, *addons = sys.argv[1:]
odoo.tools.config.parse_config([f"--config={config_path}", f"--database={database}"])
failed = 0
for name in addons:
    registry = Registry(database)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            module = env["ir.module.module"].search([("name", "=", name)])
            module.button_immediate_uninstall()
        with Registry(database).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            state = env["ir.module.module"].search([("name", "=", name)]).state
        assert state == "uninstalled", state
        print(f"uninstall {name}: ok", flush=True)
    except Exception as exc:  # report every module, then fail
        failed += 1
        print(f"uninstall {name}: FAILED: {exc!r}", flush=True)
sys.exit(1 if failed else 0)
"""


def uninstall_addons(config, database):
    cmd = [
        sys.executable,
        "-c",
        UNINSTALL_SCRIPT,
        str(config),
        database,
        *reversed(ADDONS),
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("uninstall")]
    print("\n".join(lines))
    passed = sum(line.endswith(": ok") for line in lines)
    failed = len(ADDONS) - passed
    if failed:
        print(proc.stderr[-4000:])
    return passed, failed


# The browser accessibility tests run axe-core (npm ``axe-core``) in
# Chromium. The runner finds it, or fetches it with npm into a cache folder,
# and hands its path to the tests (AXE_CORE_JS); without it, it tells the
# tests to skip (G2P_AXE_CORE_MISSING, the reason) and says so at the end.
AXE_CORE_JS_ENV = "AXE_CORE_JS"
AXE_MISSING_ENV = "G2P_AXE_CORE_MISSING"
AXE_FILE = Path("axe-core") / "axe.min.js"
NPM_TIMEOUT = 300
# Odoo 17 looks for these (odoo.tests.common._find_executable on Linux).
CHROME_NAMES = ("google-chrome", "chromium", "chromium-browser", "google-chrome-stable")


def tool_cache():
    """Where the runner keeps what it fetches (axe-core): $G2P_TEST_CACHE,
    else $XDG_CACHE_HOME/g2p-self-service-portal, else ~/.cache/..."""
    if os.environ.get("G2P_TEST_CACHE"):
        return Path(os.environ["G2P_TEST_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return Path(base).expanduser() / "g2p-self-service-portal"


def _npm_global_root(npm):
    try:
        proc = subprocess.run(
            [npm, "root", "-g"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    root = proc.stdout.strip()
    return Path(root) if proc.returncode == 0 and root else None


def axe_core_candidates(npm=None):
    """Where axe.min.js may be, in order: $AXE_CORE_JS, this repository's
    node_modules, the runner's cache, the global npm modules."""
    candidates = []
    if os.environ.get(AXE_CORE_JS_ENV):
        candidates.append(Path(os.environ[AXE_CORE_JS_ENV]).expanduser())
    candidates.append(REPO_ROOT / "node_modules" / AXE_FILE)
    candidates.append(tool_cache() / "node_modules" / AXE_FILE)
    root = _npm_global_root(npm) if npm else None
    if root:
        candidates.append(root / AXE_FILE)
    for folder in ("/usr/lib/node_modules", "/usr/local/lib/node_modules"):
        candidates.append(Path(folder) / AXE_FILE)
    return candidates


def find_axe_core(fetch=True):
    """(path of axe.min.js, None) or (None, why it is missing).

    Looks in ``axe_core_candidates``; when none has it and ``fetch``, runs
    ``npm install --prefix <cache> axe-core`` (npm from PATH) and looks again.
    """
    npm = shutil.which("npm")
    for candidate in axe_core_candidates(npm):
        if candidate.is_file():
            return candidate, None
    if not fetch:
        return None, "axe-core not found"
    if not npm:
        return None, (
            "axe-core not found and npm not installed: install npm, or "
            f"`npm install -g axe-core`, or set {AXE_CORE_JS_ENV} to axe.min.js"
        )
    prefix = tool_cache()
    prefix.mkdir(parents=True, exist_ok=True)
    cmd = [npm, "install", "--prefix", str(prefix), "--no-save", "--silent"]
    cmd += ["--no-audit", "--no-fund", "axe-core"]
    print("$", " ".join(cmd), flush=True)
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=NPM_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"axe-core not found; npm install axe-core failed: {error}"
    fetched = prefix / "node_modules" / AXE_FILE
    if proc.returncode == 0 and fetched.is_file():
        return fetched, None
    last = (proc.stderr.strip().splitlines() or ["no output"])[-1][:200]
    return None, (
        f"axe-core not found; npm install axe-core failed "
        f"(exit {proc.returncode}: {last})"
    )


def chrome_missing():
    """Why Odoo's browser tests will skip (no Chrome/Chromium), or None."""
    if any(shutil.which(name) for name in CHROME_NAMES):
        return None
    return f"Chromium not found (none of {', '.join(CHROME_NAMES)} on PATH)"


def browser_test_environment():
    """(environment for the Odoo suite's pytest, [what cannot run and why])."""
    env = dict(os.environ)
    skips = []
    chrome = chrome_missing()
    if chrome:
        skips.append(f"browser tests skipped: {chrome}")
    axe, why = find_axe_core(fetch=not chrome)
    if axe:
        env[AXE_CORE_JS_ENV] = str(axe)
        env.pop(AXE_MISSING_ENV, None)
        print(f"axe-core: {axe}", flush=True)
    else:
        env[AXE_MISSING_ENV] = why
        if not chrome:
            skips.append(f"accessibility tests skipped: {why}")
    return env, skips


def run_odoo_suite(keep_db=False):
    _banner("Odoo suite")
    series = odoo_series()
    if series is None:
        return SuiteResult("odoo suite", ran=False, note="Odoo 17 not importable")
    if series != ODOO_SERIES:
        return SuiteResult(
            "odoo suite", ran=False, note=f"Odoo {series} found, 17 required"
        )
    result = SuiteResult("odoo suite")
    with tempfile.TemporaryDirectory(prefix="g2p-odoo-") as tmp:
        config, source = write_test_config(tmp)
        print(f"Odoo config: {source or 'none found, using defaults'}")
        database = f"g2p_ssp_test_{int(time.time())}_{os.getpid()}"
        log_path = Path(tmp) / "install.log"
        extra, left_out = optional_addons(config)
        skips = []
        for name, why in left_out.items():
            print(f"without the optional {name}: {why}", flush=True)
            skips.append(f"{name} not installed, its tests skipped: {why}")
        env, browser_skips = browser_test_environment()
        skips += browser_skips
        try:
            problems = install_addons(config, database, log_path, extra)
            if problems:
                print("\n".join(problems))
                result.failed = 1
                result.note = "installation of the addons failed or logged warnings"
                return result
            tests = _run_pytest(
                "odoo suite",
                [
                    "-p",
                    "odoo",
                    "-p",
                    "no:cacheprovider",
                    f"--odoo-config={config}",
                    f"--odoo-database={database}",
                    "--odoo-http",
                    "--odoo-log-level=warn",
                    "-q",
                    *[f"{addon}/tests" for addon in ADDONS],
                ],
                cwd=REPO_ROOT,
                timeout=TEST_TIMEOUT,
                env=env,
            )
            passed, failed = uninstall_addons(config, database)
            tests.passed += passed
            tests.failed += failed
            tests.skips = skips
            return tests
        finally:
            if keep_db:
                print(f"kept database {database}")
            else:
                try:
                    drop_database(config, database)
                except ToolError as error:  # the results stand; say so
                    print(error)


def find_nginx():
    # Debian and Ubuntu keep it in /usr/sbin, not on a user's PATH.
    candidates = (shutil.which("nginx"), "/usr/sbin/nginx", "/usr/local/sbin/nginx")
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def run_cluster_suite():
    _banner("cluster suite")
    series = odoo_series()
    if series != ODOO_SERIES:
        note = "Odoo 17 not importable" if series is None else f"Odoo {series} found"
        return SuiteResult("cluster suite", ran=False, note=note)
    if not find_nginx():
        return SuiteResult("cluster suite", ran=False, note="nginx not found")
    os.environ["G2P_CLUSTER_SUITE"] = "1"
    try:
        return _run_pytest(
            "cluster suite",
            [
                "tests/cluster_suite",
                "-p",
                "no:odoo",
                "-p",
                "no:cacheprovider",
                "-q",
            ],
            cwd=REPO_ROOT,
            timeout=CLUSTER_TIMEOUT,
        )
    finally:
        os.environ.pop("G2P_CLUSTER_SUITE", None)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--plain-only", action="store_true")
    only.add_argument("--odoo-only", action="store_true")
    only.add_argument("--cluster-only", action="store_true")
    parser.add_argument(
        "--no-cluster", action="store_true", help="skip the cluster suite"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the Odoo test database"
    )
    args = parser.parse_args(argv)

    everything = not (args.plain_only or args.odoo_only or args.cluster_only)
    results = []
    if everything or args.plain_only:
        results.append(run_plain_suite())
    if everything or args.odoo_only:
        results.append(run_odoo_suite(keep_db=args.keep_db))
    if (everything and not args.no_cluster) or args.cluster_only:
        results.append(run_cluster_suite())

    _banner("summary")
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    ok = all(r.ok for r in results)
    print(f"total: {passed} passed, {failed} failed")
    for result in results:
        print(result.summary())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
