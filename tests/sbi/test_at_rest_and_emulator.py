"""Envelope encryption at rest; the emulator's CLI, keys folder, imports."""

import ast
import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from emulators.sbi import DeviceKeys

from g2p_biometric_assist.sbi import SbiError, discovery_request
from g2p_biometric_assist.sbi.at_rest import (
    decrypt_capture,
    encrypt_capture,
    generate_master_key,
    load_master_key,
    rewrap_capture,
)

from .conftest import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_envelope_round_trip_and_wrong_key():
    master = generate_master_key()
    envelope = encrypt_capture(b"iso-bytes", master, b"record-7")
    assert b"iso-bytes" not in repr(envelope).encode()
    assert decrypt_capture(envelope, base64.b64decode(master), b"record-7") == (
        b"iso-bytes"
    )
    for key, aad in ((generate_master_key(), b"record-7"), (master, b"record-8")):
        with pytest.raises(SbiError) as info:
            decrypt_capture(envelope, key, aad)
        assert info.value.code == "decryption_failed"
    other = encrypt_capture(b"iso-bytes", master)
    assert other["wrapped_key"] != envelope["wrapped_key"]  # one data key each
    new_master = os.urandom(32)
    rotated = rewrap_capture(envelope, master, new_master)
    assert decrypt_capture(rotated, new_master, b"record-7") == b"iso-bytes"
    with pytest.raises(ValueError):
        load_master_key(b"short")


def test_keys_folder_persists(tmp_path):
    first = DeviceKeys.load_or_create(tmp_path / "keys")
    second = DeviceKeys.load_or_create(tmp_path / "keys")
    assert first.ca_pem == second.ca_pem
    assert oct((tmp_path / "keys" / "ca.key").stat().st_mode & 0o777) == "0o600"


def test_cli_runs_as_directory():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "tests/emulators/sbi", "--port", str(port)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        request = discovery_request()
        for _ in range(100):
            try:
                response = requests.request(
                    request.http_method,
                    f"http://127.0.0.1:{port}{request.path}",
                    json=request.body,
                    timeout=2,
                )
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("emulator did not start")
        assert response.json()[0]["deviceStatus"] == "Ready"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_emulator_imports_nothing_of_ours():
    for path in sorted((REPO_ROOT / "tests" / "emulators" / "sbi").glob("*.py")):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            assert not [n for n in names if n.startswith(("odoo", "g2p_", "emul"))]
