"""The failover benchmark's checks (database, servers' logs) and its report."""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from odoo_bench import (
    OdooLog,
    connect,
    ms,
    percentile,
)

# The addons whose warnings and errors in the servers' logs count.
OUR_ADDONS = ("g2p_portal_forms", "g2p_self_service_portal")


# -- checks ---------------------------------------------------------------------------


def database_state(config, database, program_id, partner_ids):
    conn = connect(config, database)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT a.registrant_id, a.id, count(f.id) "
                "FROM g2p_program_registrant_info a "
                "LEFT JOIN storage_file f ON f.program_registrant_info_id = a.id "
                "AND f.active WHERE a.program_id = %s AND a.registrant_id = ANY(%s) "
                "GROUP BY a.registrant_id, a.id",
                (program_id, list(partner_ids)),
            )
            rows = cr.fetchall()
    finally:
        conn.close()
    applications = {}
    for partner, application, documents in rows:
        applications.setdefault(partner, []).append((application, documents))
    return applications


def check_people(people, applications):
    """The failed checks, as sentences, and figures."""
    failures = []
    confirmed = [p for p in people if p.confirmations]
    wrong, twice, no_document, untold, unanswered = [], [], [], [], []
    for person in people:
        own = applications.get(person.partner_id, [])
        if len(own) > 1:
            twice.append(person)
        unanswered += [p for p in person.posts if p.status == 0]
        if person.confirmations:
            ids = {p.application_id for p in person.confirmations}
            if len(own) != 1 or ids != {own[0][0]}:
                wrong.append(person)
            elif own[0][1] != 1:
                no_document.append(person)
        elif own:
            untold.append(person)  # applied, never confirmed
    if wrong:
        failures.append(
            f"{len(wrong)} confirmed applicant(s) without exactly one application "
            f"matching their confirmation (e.g. {wrong[0].login})"
        )
    if twice:
        failures.append(f"{len(twice)} applicant(s) with two applications or more")
    if no_document:
        failures.append(f"{len(no_document)} application(s) without their document")
    if untold:
        failures.append(
            f"{len(untold)} applicant(s) with an application but no confirmation"
        )
    if unanswered:
        failures.append(f"{len(unanswered)} POST(s) never answered (not told)")
    never = [p for p in people if not p.confirmations]
    if never:
        failures.append(
            f"{len(never)} applicant(s) never confirmed, e.g. {never[0].login}: "
            f"{never[0].failure}"
        )
    return failures, {"confirmed": len(confirmed)}


def server_figures(logs, phase_name):
    """Per-POST figures from the servers' werkzeug lines of this phase."""

    def key(method, target):
        parts = urlsplit(target)
        if method != "POST":
            return None
        tag = parse_qs(parts.query).get("bench", [None])[0]
        return tag if tag and tag.startswith(phase_name + "-") else None

    perfs = {}
    for log in logs:
        perfs.update(OdooLog(log, key=key).read_all())
    return perfs


def log_problems(logs):
    problems = []
    for log in logs:
        problems += [(log, record) for record in OdooLog(log).problems(OUR_ADDONS)]
    return problems


# -- report --------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    people: list
    wall: float
    perfs: dict
    problems: list
    failures: list
    figures: dict
    failover: dict = field(default_factory=dict)
    cpu: dict = field(default_factory=dict)

    def posts(self):
        return [post for person in self.people for post in person.posts]

    def rows(self):
        posts = self.posts()
        client = [p.client_s for p in posts if p.status == 303] or [0.0]
        errors = Counter(p.status or p.error for p in posts if p.status != 303)
        server = [p.server_s for p in self.perfs.values()] or [0.0]
        queries = [p.queries for p in self.perfs.values()] or [0]
        return {
            "applicants confirmed": f"{self.figures['confirmed']}/{len(self.people)}",
            "wall time": f"{self.wall:.0f} s",
            "applicants/s": f"{len(self.people) / self.wall:.2f}",
            "POSTs/s": f"{len(posts) / self.wall:.2f}",
            "POSTs (incl. doubles, retries, replays)": str(len(posts)),
            "client p50 / p95 per POST (ms)": (
                f"{ms(statistics.median(client))} / {ms(percentile(client, 0.95))}"
            ),
            "server p50 / p95 per POST (ms)": (
                f"{ms(statistics.median(server))} / {ms(percentile(server, 0.95))}"
            ),
            "queries per POST median / max": (
                f"{statistics.median(queries):g} / {max(queries)}"
            ),
            "POST errors (before retries)": (
                ", ".join(f"{k} x {v}" for k, v in sorted(errors.items(), key=str))
                or "none"
            ),
            "sign-in/page errors (before retries)": str(
                sum(p.request_errors for p in self.people)
            ),
            "ERROR lines in Odoo logs": str(len(self.problems)),
            # CPU seconds per applicant (sign-in, apply page, submission,
            # confirmation; doubles and replays included): what sizing
            # starts from. PostgreSQL: the backends of the benchmark's
            # database (a backend that ended during the load is not counted).
            "Odoo CPU s per applicant": self._per_applicant("odoo"),
            "PostgreSQL CPU s per applicant": self._per_applicant("db"),
        }

    def _per_applicant(self, part):
        if part not in self.cpu or not self.people:
            return "n/a"
        return f"{self.cpu[part] / len(self.people):.3f}"


def print_report(results, checks):
    rows = [r.rows() for r in results]
    width = max(len(k) for k in rows[0]) + 2
    print("\n" + "results".ljust(width) + "".join(f"{r.name:>32}" for r in results))
    print("-" * (width + 32 * len(results)))
    for key in rows[0]:
        print(key.ljust(width) + "".join(f"{row[key]:>32}" for row in rows))
    one = results[0]
    if len(results) > 1:
        two = results[1]
        ratio = (len(two.people) / two.wall) / (len(one.people) / one.wall)
        print(f"\ntwo servers / one server, applicants per second: {ratio:.2f}")
    for result in results:
        if result.failover:
            f = result.failover
            print(
                f"\nfailover ({result.name}): {f['server']} killed after "
                f"{f['done_at_kill']} applicants, started again {f['down']:.0f} s "
                f"later, answering after {f['back_after']:.0f} s; nginx's first "
                f"failed answer from it {f['first_failure']}, requests sent to it "
                f"after that while it was down: {f['sent_after']}; it served again "
                f"{f['served_again']}"
            )
        for log, record in result.problems[:3]:
            print(f"\n{log}:\n{record}")
    print()
    for ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
