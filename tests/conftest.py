"""Plain-Python suite: load each addon's functional core without Odoo.

An addon's ``__init__.py`` imports Odoo (models, controllers). Its functional
cores (``g2p_auth_esignet/oidc`` …) never do: ``repo`` registers every addon
folder as a bare package, so that ``import g2p_auth_esignet.oidc`` loads only
the core. The emulators (``tests/emulators``) are imported as ``emulators.*``.
"""

import os

import pytest
from repo import register_bare_addon_packages

register_bare_addon_packages()

# The cluster suite starts Odoo servers and nginx: tests/run_suites.py runs
# it on its own (G2P_CLUSTER_SUITE=1), the plain suite never.
collect_ignore = [] if os.environ.get("G2P_CLUSTER_SUITE") else ["cluster_suite"]


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
