"""The package's public face, and imports that work under ``odoo.addons``."""

import ast
from pathlib import Path

import pytest

from g2p_auth_esignet import oidc_io

PACKAGE = Path(oidc_io.__file__).resolve().parent


def test_public_api_exported():
    assert oidc_io.__all__
    for name in oidc_io.__all__:
        assert hasattr(oidc_io, name), name


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_absolute_import_of_the_addon(path):
    # Absolute imports of our own package break under odoo.addons.*
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        assert not any(n.startswith("g2p_auth_esignet") for n in names), path.name
