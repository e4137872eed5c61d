"""A cron scheduled on both servers (each runs a cron worker) runs once per
interval: Odoo locks the job's row in PostgreSQL while it runs and moves its
next call on before the lock is released."""

import time
from datetime import timedelta

from .conftest import CRON_NAME

INTERVAL = 60  # seconds: the probe cron runs every minute
WATCHED = 3  # intervals


def test_a_cron_on_both_servers_runs_once_per_interval(cluster, cron_probe):
    for server in cluster.info["servers"]:
        text = open(server["config"], encoding="utf-8").read()
        assert "max_cron_threads = 1" in text, server["name"]
    start = cron_probe["start"]
    # The probe was made when the suite started; watch whole intervals.
    end = start + timedelta(seconds=WATCHED * INTERVAL)
    now = cluster.sql("SELECT now() AT TIME ZONE 'UTC'")[0][0]
    remaining = (end - now).total_seconds() + 5
    if remaining > 0:
        time.sleep(remaining)
    runs = [
        row[0]
        for row in cluster.sql(
            "SELECT create_date FROM ir_logging WHERE name = 'g2p.cluster.cron' "
            "AND message = %s AND create_date >= %s AND create_date < %s "
            "ORDER BY create_date",
            (cron_probe["tag"], start, end),
        )
    ]
    intervals = [int((run - start).total_seconds() // INTERVAL) for run in runs]
    assert len(intervals) == len(set(intervals)), (CRON_NAME, runs)
    # A cron worker wakes at least every minute: every interval but maybe
    # the first (the probe's next call may fall between two wake-ups) ran.
    assert len(runs) >= WATCHED - 1, runs
