"""The cluster suite: two Odoo servers behind nginx on one database.

Run by ``tests/run_suites.py`` when nginx is found and Odoo 17 is
importable (``G2P_CLUSTER_SUITE=1``); the plain suite leaves this folder
out. One cluster serves every test: ``setup/demo.py --servers 2`` in a
temporary state folder, on a new database with the demo data, stopped and
dropped at the end.

Environment (all optional):

- ``G2P_CLUSTER_PORT``: the first of 9 consecutive ports (nginx, two Odoo
  servers, their two gevent ports, the eSignet and SBI emulators, the
  message sink's SMTP and web ports); free ports otherwise;
- ``G2P_CLUSTER_DB``: a database to use (kept afterwards; an existing demo
  database is reused as it is, which saves its three-minute creation);
- ``G2P_CLUSTER_STATE``: the demo's state folder to use (kept; with
  ``G2P_CLUSTER_DB``, the one the database was made with: it holds its
  filestore);
- ``G2P_CLUSTER_KEEP=1``: keep the state folder and the database.
"""

import os
import shutil
import tempfile
import time
import uuid
from datetime import datetime, timezone

import pytest

from .harness import Browser, Cluster, free_ports

CRON_NAME = "Cluster suite: once per interval"
# ir.logging rows, one per run of the probe cron (safe_eval code); the
# message names the probe.
CRON_CODE = (
    "env['ir.logging'].sudo().create({'name': 'g2p.cluster.cron', "
    "'type': 'server', 'level': 'INFO', 'message': %r, "
    "'path': 'cluster_suite', 'func': 'cron', 'line': '0'})"
)


@pytest.fixture(scope="session")
def cluster():
    first = int(os.environ.get("G2P_CLUSTER_PORT") or 0) or None
    named = os.environ.get("G2P_CLUSTER_DB")
    given_state = os.environ.get("G2P_CLUSTER_STATE")
    keep = bool(os.environ.get("G2P_CLUSTER_KEEP") or named or given_state)
    database = named or f"g2p_cluster_test_{int(time.time())}_{os.getpid()}"
    state_dir = given_state or tempfile.mkdtemp(prefix="g2p-cluster-suite-")
    running = Cluster(state_dir, database, free_ports(9, first), keep=keep)
    try:
        yield running.start()
    finally:
        running.stop()
        if not keep:
            shutil.rmtree(state_dir, ignore_errors=True)
        else:
            print(f"kept {database} and {state_dir}")


@pytest.fixture(scope="session")
def admin(cluster):
    browser = Browser(cluster)
    browser.sign_in("nginx", "admin", "admin")
    return browser


@pytest.fixture(scope="session", autouse=True)
def cron_probe(cluster, admin):
    """A cron that runs every minute on a cluster whose two servers both run
    crons; made at the start, checked by test_cron at the end."""
    model_id = admin.call(
        "nginx", "ir.model", "search", [("model", "=", "ir.logging")], limit=1
    )[0]
    start = datetime.now(timezone.utc).replace(microsecond=0)
    tag = f"probe {uuid.uuid4().hex}"
    cron_id = admin.call(
        "nginx",
        "ir.cron",
        "create",
        {
            "name": CRON_NAME,
            "model_id": model_id,
            "state": "code",
            "code": CRON_CODE % tag,
            "interval_number": 1,
            "interval_type": "minutes",
            "numbercall": -1,
            "nextcall": start.strftime("%Y-%m-%d %H:%M:%S"),
            "active": True,
        },
    )
    yield {"id": cron_id, "start": start.replace(tzinfo=None), "tag": tag}
    admin.call("nginx", "ir.cron", "unlink", [cron_id])


def pytest_collection_modifyitems(session, config, items):
    # The cron test watches the probe made at the start for three minutes:
    # last, it mostly waits for what has already happened.
    items.sort(key=lambda item: item.module.__name__.endswith(".test_cron"))
