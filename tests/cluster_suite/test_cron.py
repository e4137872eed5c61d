"""A cron scheduled on both servers (each runs a cron worker) runs once per
interval: Odoo locks the job's row in PostgreSQL while it runs and moves its
next call on before the lock is released.

Odoo's cron workers run at a lower priority (``nice 10``) and sleep about a
minute between polls, so on a busy machine a run may come late: the test
watches until the probe has run ``WATCHED`` times (or ``DEADLINE`` has
passed) and checks that no interval holds two runs. Lateness is not what it
checks; running twice is.
"""

import os
import time
from datetime import timedelta

from .conftest import CRON_NAME

INTERVAL = 60  # seconds: the probe cron runs every minute
WATCHED = 3  # runs to see
DEADLINE = 12 * 60  # seconds after the probe was made


def _runs(cluster, cron_probe):
    return [
        row[0]
        for row in cluster.sql(
            "SELECT create_date FROM ir_logging WHERE name = 'g2p.cluster.cron' "
            "AND message = %s AND create_date >= %s ORDER BY create_date",
            (cron_probe["tag"], cron_probe["start"]),
        )
    ]


def test_a_cron_on_both_servers_runs_once_per_interval(cluster, cron_probe):
    for server in cluster.info["servers"]:
        text = open(server["config"], encoding="utf-8").read()
        assert "max_cron_threads = 1" in text, server["name"]
    start = cron_probe["start"]
    end = start + timedelta(seconds=DEADLINE)
    runs = _runs(cluster, cron_probe)
    while len(runs) < WATCHED:
        now = cluster.sql("SELECT now() AT TIME ZONE 'UTC'")[0][0]
        if now >= end:
            break
        time.sleep(5)
        runs = _runs(cluster, cron_probe)
    cron = cluster.sql(
        "SELECT nextcall, lastcall, active FROM ir_cron WHERE id = %s",
        (cron_probe["id"],),
    )
    context = {
        "cron": CRON_NAME,
        "runs": [str(run) for run in runs],
        "made": str(start),
        "ir_cron (nextcall, lastcall, active)": cron,
        "load average": os.getloadavg(),
    }
    # The interval of each run, counted from the probe's first call: two
    # runs in one interval would be one run too many.
    intervals = [int((run - start).total_seconds() // INTERVAL) for run in runs]
    assert len(intervals) == len(set(intervals)), context
    assert len(runs) >= WATCHED, context
