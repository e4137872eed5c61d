"""The demo of the self-service portal: ``python3 setup/demo.py``.

``setup/demo.py`` is the command; its parts are here:

- ``settings``: names, ports, logins, where things are;
- ``prerequisites``: what the machine needs, checked and explained;
- ``state_folder``: the state folder (the demo's Odoo configuration, keys, pid file);
- ``services``: the eSignet client registration, the database, the
  supervisor of the children, what the demo prints;
- ``launch`` and ``command``: the start in order, the command line;
- ``cluster``: the demo as a small cluster (``--servers N``), also run as
  ``python3 setup/portal_demo/cluster.py serve`` for each server;
- ``demo_odoo``: run inside Odoo by the demo (``--config=… --database=…``);
- ``screenshots``: the README's pictures, from a running demo.

The helpers the demo shares with the test runner and the benchmarks are in
``tests/tooling.py``; importing this package puts ``tests/`` on ``sys.path``.
"""

import sys
from pathlib import Path

_TESTS_DIR = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS_DIR not in sys.path:
    sys.path.append(_TESTS_DIR)
