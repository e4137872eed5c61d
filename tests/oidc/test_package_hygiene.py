"""The core stays pure: no Odoo, no I/O libraries; errors are log-safe."""

import ast
from pathlib import Path

import pytest

from g2p_auth_esignet import oidc
from g2p_auth_esignet.oidc import (
    OidcError,
    ProviderResponseError,
    StateError,
    TokenValidationError,
    UnknownKeyError,
)

CORE = Path(oidc.__file__).resolve().parent


def imported_modules(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                yield node.module or ""


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_never_imports_odoo(path):
    for module in imported_modules(path):
        assert module.split(".")[0] != "odoo", f"{path.name} imports {module}"
        # Absolute imports of our own package break under odoo.addons.*
        assert not module.startswith("g2p_auth_esignet"), path.name


def test_public_api_exported():
    for name in oidc.__all__:
        assert hasattr(oidc, name), name


def test_error_hierarchy():
    assert issubclass(UnknownKeyError, TokenValidationError)
    assert issubclass(StateError, OidcError)


def test_check_names_sanitised_for_logs():
    error = OidcError("id_token.aud\nINJECTED: eyJhbGciOi")
    assert "\n" not in str(error) and " " not in error.check
    error = ProviderResponseError("callback.error", provider_error="x" * 500 + "\r\n")
    assert len(error.provider_error) <= 64 and "\n" not in str(error)
    assert error.message_key


def test_addon_ships_no_emulator():
    """Test doubles live in tests/emulators/, never in the addon (or its wheel)."""
    addon = CORE.parent
    folders = {p.name for p in addon.rglob("*") if p.is_dir()}
    assert not folders & {"emulator", "emulators"}
