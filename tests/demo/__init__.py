"""The demo's tests, without Odoo: ``setup/demo.py`` and its package
``setup/portal_demo/`` (importable as ``portal_demo`` with ``setup/`` on
``sys.path``, which this package puts there)."""

import sys

from repo import REPO_ROOT

if str(REPO_ROOT / "setup") not in sys.path:
    sys.path.append(str(REPO_ROOT / "setup"))
