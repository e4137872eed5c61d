"""Two job runners, one elected (OCA queue_job's PostgreSQL advisory lock):
every notification goes out once, also when the runner's server is killed
with jobs under way, and the other server's runner takes over.

End to end on the demo as it runs: the state change is written through the
load balancer, the elected runner runs the notification job, Odoo's mail
queue sends the email to the demo's message sink (its outgoing mail server)
and OpenG2P's SMS gateway client posts the SMS to it; the sink's own record
shows each registrant told once by each channel (an email sent again by a
server killed mid-send is the same message, its Message-ID)."""

import time
import uuid
from collections import Counter

from .harness import SERVERS, wait_for

ROUND = 20  # state changes per round: one notification job each


def _applications(cluster, admin, count, tag):
    """``count`` applications of new registrants (with an email and a phone)
    to Cash."""
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
                "phone": f"+1555{tag_digits(tag)}{n:03d}",
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


def tag_digits(tag):
    return f"{int(tag, 16) % 10_000:04d}"


def _received(cluster, tag, kind, full=False):
    """{recipient: [subject or text, ...]} of this test's registrants (with
    ``full``, the sink's records)."""
    found = {}
    for message in cluster.messages(kind=kind):
        for to in message["to"]:
            if (kind == "email" and f"runner-{tag}-" in to) or (
                kind == "sms" and to.startswith(f"+1555{tag_digits(tag)}")
            ):
                found.setdefault(to, []).append(
                    message if full else message["subject"] or message["body"]
                )
    return found


def _received_emails(cluster, tag):
    """[(subject, Message-ID)] of every email this test's registrants got."""
    return [
        (message["subject"], message["message_id"])
        for messages in _received(cluster, tag, "email", full=True).values()
        for message in messages
    ]


def _phones(cluster, applications):
    return [
        row[0]
        for row in cluster.sql(
            "SELECT p.phone FROM g2p_program_registrant_info a "
            "JOIN res_partner p ON p.id = a.registrant_id WHERE a.id = ANY(%s)",
            (list(applications),),
        )
    ]


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


def test_notifications_go_out_once_through_a_runner_killed_mid_way(cluster, admin):
    for server in SERVERS:
        assert "queue_job.jobrunner.runner: starting" in cluster.log_text(server)
    holder = wait_for(cluster.job_runner_holder, 90, "a job runner elected")
    assert holder in SERVERS, holder
    other = next(s for s in SERVERS if s != holder)
    tag = uuid.uuid4().hex[:6]
    applications = _applications(cluster, admin, 2 * ROUND, tag)
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
    # Odoo's mail queue sends them: each notification job woke its cron (a
    # trigger), which a cron worker of either server runs; nothing here
    # pushes it.
    expected = Counter(subject for _i, _s, subject in rows)

    def emails():
        """{subject: number of different messages} of this test's emails."""
        sent = _received_emails(cluster, tag)
        return Counter(subject for subject, _message_id in set(sent))

    wait_for(
        lambda: emails() == expected,
        180,
        f"one email per notification (takeover after {took_over:.0f}s)",
    )
    # One message per registrant. A server killed between the sink's answer
    # and its commit sends that email again: the same message (its
    # Message-ID), marked by the sink; Odoo's mail queue sends one email at
    # a time, so one at most for the one kill.
    received = _received(cluster, tag, "email", full=True)
    assert len(received) == 2 * ROUND, received
    for to, messages in received.items():
        original = [m for m in messages if not m["again"]]
        assert len(original) == 1 and original[0]["message_id"], (to, messages)
        assert {m["message_id"] for m in messages} == {original[0]["message_id"]}
    again = sum(len(messages) - 1 for messages in received.values())
    assert again <= 1, received
    if cluster.info.get("sms"):
        # OpenG2P's gateway client posted the SMS from inside the job. The
        # first round ran with both servers up: one SMS each. In the second,
        # a job killed between the gateway's answer and its commit runs
        # again and posts again (an HTTP call cannot join the transaction,
        # and an SMS has no Message-ID): at least one each, and no more than
        # one extra per job under way at the kill.
        first_phones = set(_phones(cluster, first))
        sms = wait_for(
            lambda: (
                found
                if len(found := _received(cluster, tag, "sms")) == 2 * ROUND
                else None
            ),
            120,
            "one SMS per registrant",
        )
        assert all(len(sms[p]) == 1 for p in first_phones), sms
        extra = sum(len(texts) - 1 for texts in sms.values())
        assert extra <= 2, sms
    # Nothing more goes out afterwards (a late duplicate would show here).
    deliveries = len(_received_emails(cluster, tag))
    time.sleep(5)
    assert emails() == expected
    assert len(_received_emails(cluster, tag)) == deliveries

    cluster.wait_restarted(holder, killed_pid)
