"""Two job runners, one elected (OCA queue_job's PostgreSQL advisory lock):
every notification goes out once, also when the runner's server is killed
with jobs under way, and the other server's runner takes over."""

import time
import uuid
from collections import Counter

import pytest

from .harness import SERVERS, wait_for
from .smtp_sink import SmtpSink

ROUND = 20  # state changes per round: one notification job each


@pytest.fixture(scope="module")
def smtp(cluster, admin):
    with SmtpSink() as sink:
        server_id = admin.call(
            "nginx",
            "ir.mail_server",
            "create",
            {
                "name": "Cluster suite SMTP sink",
                "smtp_host": "127.0.0.1",
                "smtp_port": sink.port,
                "smtp_encryption": "none",
                "sequence": 1,
            },
        )
        yield sink
        admin.call("nginx", "ir.mail_server", "unlink", [server_id])


def _applications(cluster, admin, count):
    """``count`` applications of new registrants (with an email) to Cash."""
    tag = uuid.uuid4().hex[:6]
    partners = admin.call(
        "nginx",
        "res.partner",
        "create",
        [
            {
                "name": f"Runner Test {tag} {n}",
                "is_registrant": True,
                "is_group": False,
                "email": f"runner-{tag}-{n}@example.org",
            }
            for n in range(count)
        ],
    )
    program = cluster.xmlid("g2p_portal_forms.demo_program_cash")
    return admin.call(
        "nginx",
        "g2p.program.registrant_info",
        "create",
        [
            {"registrant_id": partner, "program_id": program, "state": "active"}
            for partner in partners
        ],
    )


def _change_state(admin, application):
    # One write, one notification, one job.
    admin.call(
        "nginx",
        "g2p.program.registrant_info",
        "write",
        [application],
        {"state": "inprogress"},
    )


def _notifications(cluster, applications):
    return cluster.sql(
        "SELECT id, status, subject FROM g2p_portal_notification "
        "WHERE res_model = 'g2p.program.registrant_info' AND res_id = ANY(%s)",
        (list(applications),),
    )


def _all_done(cluster, applications):
    rows = _notifications(cluster, applications)
    return len(rows) == len(applications) and all(s != "pending" for _i, s, _ in rows)


def test_notifications_go_out_once_through_a_runner_killed_mid_way(
    cluster, admin, smtp
):
    for server in SERVERS:
        assert "queue_job.jobrunner.runner: starting" in cluster.log_text(server)
    holder = wait_for(cluster.job_runner_holder, 90, "a job runner elected")
    assert holder in SERVERS, holder
    other = next(s for s in SERVERS if s != holder)
    applications = _applications(cluster, admin, 2 * ROUND)
    first, second = applications[:ROUND], applications[ROUND:]

    # Both runners up: the elected one dispatches every job.
    for application in first:
        _change_state(admin, application)
    wait_for(lambda: _all_done(cluster, first), 180, "the first round sent")
    assert cluster.job_runner_holder() == holder

    # The elected runner's server killed while the second round's jobs run.
    killed_pid = None
    for n, application in enumerate(second):
        _change_state(admin, application)
        if n == ROUND // 4:
            killed_pid = cluster.kill(holder)
            killed_at = time.monotonic()
    wait_for(
        lambda: cluster.job_runner_holder() == other,
        60,
        f"{other}'s job runner takes over",
    )
    took_over = time.monotonic() - killed_at
    assert cluster.pid(holder) == killed_pid or not cluster.healthy(holder), (
        "the killed server was not yet back when the other took over"
    )
    # Jobs that were under way on the dead server are found dead and run
    # again by the new runner: nothing lost.
    wait_for(lambda: _all_done(cluster, second), 240, "the second round sent")

    rows = _notifications(cluster, applications)
    assert Counter(status for _i, status, _s in rows) == {"sent": 2 * ROUND}
    # Odoo's mail queue sends them: its cron, due now, run by one of the
    # servers' cron workers (each wakes at least once a minute).
    mail_cron = cluster.xmlid("mail.ir_cron_mail_scheduler_action")
    now = cluster.sql(
        "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
    )[0][0]
    admin.call("nginx", "ir.cron", "write", [mail_cron], {"nextcall": now})
    expected = Counter(subject for _i, _s, subject in rows)
    wait_for(
        lambda: Counter(s for s in smtp.subjects() if s in expected) == expected,
        180,
        f"one email per notification (takeover after {took_over:.0f}s)",
    )
    # Nothing more goes out afterwards (a late duplicate would show here).
    time.sleep(5)
    assert Counter(s for s in smtp.subjects() if s in expected) == expected

    cluster.wait_restarted(holder, killed_pid)
