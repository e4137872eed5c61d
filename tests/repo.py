"""This repository for its tooling: where it is, its addons, their cores.

Used by the plain suite (``conftest.py``), the runner (``run_suites.py``), the
static checks and the benchmarks. Importable as ``repo`` wherever ``tests/``
is on ``sys.path`` (pytest puts it there for ``tests/conftest.py``; scripts
under ``tests/`` get it as their own folder; others insert it).
"""

import sys
import types
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The five addons, in installation (dependency) order; uninstalled in reverse.
ADDONS = (
    "g2p_auth_esignet",
    "g2p_portal_forms",
    "g2p_self_service_portal",
    "g2p_entitlement_tracking",
    "g2p_biometric_assist",
)


def register_bare_addon_packages():
    """Make ``import g2p_xxx.core`` load an addon's plain-Python core only.

    An addon's ``__init__.py`` imports Odoo (models, controllers); its
    functional cores (``g2p_auth_esignet/oidc`` …) never do. Each addon folder
    is registered as a package whose ``__init__`` is *not* executed.
    """
    for name in ADDONS:
        existing = sys.modules.get(name)
        if existing is not None and getattr(existing, "__g2p_bare__", False):
            continue
        package = types.ModuleType(name)
        package.__path__ = [str(REPO_ROOT / name)]
        package.__file__ = None
        package.__g2p_bare__ = True
        sys.modules[name] = package
