#!/usr/bin/env python3
"""The self-service portal demo in one command: ``python3 setup/demo.py``.

On a machine with the README's prerequisites (Odoo 17 with the OpenG2P 17.0
addons, Nova Code's formio and OCA's auth_oidc on its ``addons_path``, and
PostgreSQL), it:

1. finds Odoo through ``$ODOO_RC`` or ``~/.odoorc`` (as ``tests/run_suites.py``
   does) and says what is missing;
2. writes its own Odoo configuration in a state folder (``$G2P_DEMO_DIR``,
   else ``$XDG_STATE_HOME/g2p-demo``, else ``~/.local/state/g2p-demo``):
   this repository plus the user's ``addons_path``, a biometric master key
   and a database-manager password (``admin_passwd``) made once, the database
   manager's listing off (``list_db``), its own data folder and logs;
3. creates the database (``g2p_demo``) with the five addons and their demo
   data, or reuses it as it is;
4. starts the eSignet emulator (a relying-party client registered through its
   client-management API, with a key kept in the state folder), the SBI
   device emulator (its keys kept too, its CA trusted by Odoo), and Odoo;
   configures the eSignet provider with the OpenG2P guide's settings;
5. prints the addresses, the test identities and the logins, and runs until
   Ctrl-C. ``python3 setup/demo.py --stop`` stops a demo started elsewhere.

It never installs Odoo, OpenG2P or any other dependency: it checks for them
and explains. The emulators are test doubles from ``tests/emulators``.
"""

import sys
from pathlib import Path

# This file is the documented command; the demo itself is the package
# setup/portal_demo/ (see its __init__.py for what is where).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from portal_demo.command import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
