"""The static checks never need Odoo.

When the pytest-odoo plugin is installed it adds session-wide autouse fixtures
that open an Odoo registry (and so need a database). Fixtures defined here
take precedence by name for the tests of this folder, so
``pytest tests/static`` runs the same with or without Odoo / pytest-odoo
(``-p no:odoo`` is not needed, though still welcome).
"""

import pytest


@pytest.fixture(scope="session")
def load_registry():
    yield


@pytest.fixture(scope="session")
def load_http():
    yield


@pytest.fixture
def enable_odoo_test_flag():
    yield
