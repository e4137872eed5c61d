"""The emulator runs as a directory, without Odoo, and imports nothing of ours."""

import ast
import json
import os
import runpy
import subprocess
import sys
import unittest
from pathlib import Path

import pytest
import requests

from .conftest import REDIRECT_URI, public_jwk

REPO_ROOT = Path(__file__).resolve().parents[3]
EMULATOR_DIR = REPO_ROOT / "tests" / "emulators" / "esignet"
LAUNCHER = "tests/emulators/esignet"
ODOO_TESTS_LOADER = REPO_ROOT / "g2p_auth_esignet" / "tests" / "repo_emulators.py"


def test_only_relative_imports_of_our_code():
    """No Odoo, no addon, and the package itself only relatively: the Odoo
    tests load it under a private name (the launcher is not loaded there)."""
    offenders = []
    for path in sorted(EMULATOR_DIR.rglob("*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative imports stay inside the package
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                if root in ("odoo", "emulators") or root.startswith("g2p_"):
                    offenders.append(f"{path.name}:{node.lineno} {name}")
    assert offenders == []


def run_launcher(*arguments):
    """Run the emulator's command line to its end, as from the repository root."""
    return subprocess.run(
        [sys.executable, LAUNCHER, *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_help():
    result = run_launcher("--help")
    assert result.returncode == 0, result.stderr
    for option in ("--port", "--identities", "--clients", "--print-config"):
        assert option in result.stdout


def test_cli_print_config():
    result = run_launcher("--port", "8123", "--print-config")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "http://127.0.0.1:8123/.well-known/openid-configuration"
    assert "token_endpoint=http://127.0.0.1:8123/v1/esignet/oauth/v2/token" in lines


def test_cli_serves_clients_file(tmp_path, keys):
    clients = tmp_path / "clients.json"
    clients.write_text(
        json.dumps(
            [
                {
                    "client_id": "cli-rp",
                    "public_jwk": public_jwk(keys["rsa"], "rp-key"),
                    "redirect_uris": [REDIRECT_URI],
                }
            ]
        )
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            LAUNCHER,
            "--port",
            "0",
            "--clients",
            str(clients),
            "--allow-fault-injection",
        ],
        cwd=REPO_ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "ESIGNET_EMULATOR_PSUT_SECRET": "fixed"},
    )
    try:
        discovery_url = None
        for line in proc.stderr:
            if "eSignet emulator ready:" in line:
                discovery_url = line.rsplit(" ", 1)[1].strip()
                break
        assert discovery_url, "emulator did not start"
        doc = requests.get(discovery_url, timeout=5).json()
        base = doc["issuer"]
        authorize = requests.get(
            doc["authorization_endpoint"],
            params={
                "client_id": "cli-rp",
                "redirect_uri": REDIRECT_URI,
                "response_type": "code",
                "scope": "openid",
                "state": "s",
                "nonce": "n",
                "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                "code_challenge_method": "S256",
            },
            timeout=5,
        )
        assert authorize.status_code == 200
        assert 'id="login-form"' in authorize.text
        faults = requests.post(base + "/_emulator/faults", json={}, timeout=5)
        assert faults.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()
    assert proc.returncode == 0


def test_odoo_tests_load_the_emulator_from_the_checkout(tmp_path):
    load_emulator = runpy.run_path(str(ODOO_TESTS_LOADER))["load_emulator"]
    name = "_g2p_test_emulator_esignet"
    try:
        module = load_emulator("esignet")
        assert module.__name__ == name
        assert module.EsignetEmulator.__module__ == f"{name}.server"
        assert load_emulator("esignet") is module
    finally:
        for loaded in [m for m in sys.modules if m.split(".")[0] == name]:
            del sys.modules[loaded]
    # Installed from a wheel, there is no tests/emulators/: the classes skip.
    load_emulator.__globals__["EMULATORS_DIR"] = tmp_path
    missing = load_emulator("esignet")
    with pytest.raises(unittest.SkipTest, match="checkout of the repository"):
        missing.EsignetEmulator()
    assert name not in sys.modules
