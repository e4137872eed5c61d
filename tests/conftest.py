"""Plain-Python suite: load each addon's functional core without Odoo.

An addon's ``__init__.py`` imports Odoo (models, controllers). The functional
cores (``g2p_auth_esignet/oidc``, ``g2p_auth_esignet/emulator`` …) never do,
so we register every addon folder as a bare package whose ``__init__`` is
*not* executed; ``import g2p_auth_esignet.oidc`` then loads only the core.
"""

import sys
import types
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ADDONS = (
    "g2p_self_service_portal",
    "g2p_auth_esignet",
    "g2p_portal_forms",
    "g2p_biometric_assist",
    "g2p_entitlement_tracking",
)


def _register_bare_addon_packages():
    for name in ADDONS:
        existing = sys.modules.get(name)
        if existing is not None and getattr(existing, "__g2p_bare__", False):
            continue
        package = types.ModuleType(name)
        package.__path__ = [str(REPO_ROOT / name)]
        package.__file__ = None
        package.__g2p_bare__ = True
        sys.modules[name] = package


_register_bare_addon_packages()


# When the pytest-odoo plugin is loaded (it is installed wherever Odoo is), it
# adds session-wide autouse fixtures that open an Odoo registry and so need a
# database. The plain suite never needs Odoo: same-named fixtures here take
# precedence, so ``pytest tests`` runs the same with or without the plugin.
@pytest.fixture(scope="session")
def load_registry():
    yield


@pytest.fixture(scope="session")
def load_http():
    yield


@pytest.fixture
def enable_odoo_test_flag():
    yield
