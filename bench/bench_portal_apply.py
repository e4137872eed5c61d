#!/usr/bin/env python3
"""Benchmark: a burst of applicants submitting at once (issue 7).

Runs Odoo 17 with ``--workers 4`` on 127.0.0.1 on a database with
``g2p_self_service_portal`` (so ``g2p_portal_forms``) installed, a published
program whose portal form is the 25-component social-assistance form of
``tests/formio_core/schemas/`` with one mandatory PDF document, and
``--applicants`` registrants with portal users (``bench-applicant-N``).

1. Untimed: each applicant logs in (``/web/login``) in a session of its own
   and opens the apply page for its hidden inputs (csrf_token, token, digest).
2. The burst: every applicant's submission (the form's good answers, a small
   PDF) is POSTed at the same moment, released by a barrier, together with a
   second copy of the POST for ``--double`` of them (a double click); then
   ``--replay`` applicants send their POST again.
3. Checks in the database: one application per applicant, no repeated
   application ID, one membership and one document per application; every
   POST answered 303 to the applicant's own application.

It prints the responses by status, duplicates, client time per POST
(p50/p95/max), the server time and SQL queries per POST read from Odoo's
request log lines (each POST carries a ``bench`` query parameter to find its
line), the kernel's listen-queue counters during the burst, and the burst's
wall time. Exit status 1 when a check fails.

By default (``--proxy haproxy``) the clients talk to an HAProxy in front of
Odoo (started with ``--proxy-mode``), as in a real deployment: HAProxy accepts
the whole burst and opens at most 2 connections per Odoo worker, the other
requests wait in its queue, so Odoo's own listen queue never overflows.
``--proxy nginx`` puts an nginx there instead: it listens with a backlog of
4096, but has no upstream queue, so it passes the burst on to Odoo, whose
listen queue may overflow (502 responses). The proxy is installed with apt-get
when missing, and runs in the foreground with its config and logs in the work
folder (``haproxy/`` or ``nginx/``).

With ``--proxy none`` the clients talk to Odoo directly. Odoo's prefork server
listens with a backlog of 8 connections per worker: part of a burst larger
than that may be refused by the kernel (a reset before Odoo sees the
request). ``--resubmit N`` sends such a POST again, the same body after a
pause, as a person would click Submit again; by default it counts as an
error.

The database is kept and reused between runs (``g2p_portal_forms`` updated
first unless ``--no-update``; the bench program's applications, memberships,
documents and drafts deleted before each run); ``--fresh`` recreates it.
Logs and work files stay in a /tmp/g2p-bench-apply-* folder.

    python3 bench/bench_portal_apply.py [--db g2p_bench_apply] [--fresh]
        [--no-update] [--applicants 200] [--double 20] [--replay 20]
        [--resubmit 0] [--workers 4] [--login-parallel 4]
        [--proxy {haproxy,nginx,none}]
"""

import argparse
import copy
import json
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_bench import (  # noqa: E402
    HTTP_TIMEOUT,
    REPO_ROOT,
    OdooLog,
    connect,
    free_port,
    ms,
    new_session,
    percentile,
    prepare_database,
    run_in_workdir,
    run_shell,
    start_haproxy,
    start_nginx,
    start_odoo,
    stop_process,
    write_test_config,
)

INSTALL_ADDON = "g2p_self_service_portal"
UPDATE_ADDON = "g2p_portal_forms"
OUR_ADDONS = ("g2p_portal_forms", "g2p_self_service_portal")
FORM = "social_assistance"
SCHEMA_FILE = REPO_ROOT / "tests" / "formio_core" / "schemas" / f"{FORM}.json"
CASES_FILE = REPO_ROOT / "tests" / "formio_core" / "cases" / f"{FORM}.json"
GOOD_CASE = "complete application"
LOGIN_PREFIX = "bench-applicant-"  # + the applicant's number, 1..N
PASSWORD = "Bench-Applicant-Pass-123"
PROGRAM_NAME = "Bench: social assistance (portal apply)"
BUILDER_NAME = "bench_social_assistance"
STORE_NAME = "Bench application documents"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# Without a proxy, Odoo's prefork server listens with a backlog of 8 x workers:
# the rest of a burst's connections wait for SYN retransmissions (1, 3, 7, 15,
# 31, 63 s).
BURST_TIMEOUT = (130, 150)  # (connect, read) seconds
BARRIER_TIMEOUT = 60
SETUP_TIMEOUT = 900
APPLIED = re.compile(r"/my/programs/(\d+)/applied/(\d+)$")


# -- setup (odoo-bin shell, as superuser) -----------------------------------------

SETUP_SCRIPT = """
import json

params = json.loads(PARAMS)

Store = env["storage.backend"]
store = Store.search([("name", "=", params["store"])], limit=1) or Store.create(
    {"name": params["store"], "backend_type": "filesystem"}
)

# A formio.js version already in the database gives the page real assets.
version = env["formio.version"].search([], limit=1) or env["formio.version"].create(
    {"name": "4.99.0-bench"}
)
Builder = env["formio.builder"]
named = [("name", "=", params["builder"])]
builder = Builder.search(named + [("state", "=", "CURRENT")], limit=1) or (
    Builder.search(named, order="id desc", limit=1)
)
schema_text = json.dumps(params["schema"])
if not builder:
    builder = Builder.create(
        {
            "name": params["builder"],
            "title": "Social assistance application",
            "formio_version_id": version.id,
            "schema": schema_text,
        }
    )
elif json.loads(builder.schema or "{}") != params["schema"]:
    builder.schema = schema_text
if builder.state != "CURRENT":
    builder.state = "CURRENT"

Program = env["g2p.program"]
program = Program.search([("name", "=", params["program"])], limit=1)
program_values = {
    "portal_published": True,
    "self_service_portal_form": builder.id,
    "supporting_documents_store": store.id,
    "state": "active",
    "is_multiple_form_submission": False,
    "portal_open_from": False,
    "portal_open_until": False,
}
if program:
    program.write(program_values)
else:
    program = Program.create(dict(program_values, name=params["program"]))
requirements = program.portal_document_requirement_ids
requirement = requirements[:1]
(requirements - requirement).unlink()
requirement_values = {
    "name": "Proof of income",
    "allowed_types": "pdf",
    "max_size_mb": 1,
    "mandatory": True,
}
if requirement:
    requirement.write(requirement_values)
else:
    requirement = env["g2p.program.document.requirement"].create(
        dict(requirement_values, program_id=program.id)
    )
# The e-mail answer prefilled from, and written back to, the registrant.
program.portal_form_field_ids.unlink()
env["g2p.program.form.field"].create(
    {
        "program_id": program.id,
        "form_key": "email",
        "partner_field_id": env["ir.model.fields"]._get("res.partner", "email").id,
        "prefill": True,
        "update_registrant": True,
    }
)

# A clean start: no application, membership, document or draft of the program.
applications = (
    env["g2p.program.registrant_info"]
    .with_context(active_test=False)
    .search([("program_id", "=", program.id)])
)
Files = env["storage.file"].with_context(active_test=False)
Files.search(
    [
        "|",
        ("program_registrant_info_id", "in", applications.ids),
        ("program_membership_id.program_id", "=", program.id),
    ]
).unlink()
Files._clean_storage_file()
removed = len(applications)
applications.unlink()
env["g2p.program_membership"].with_context(active_test=False).search(
    [("program_id", "=", program.id)]
).unlink()
env["g2p.portal.application.draft"].search([("program_id", "=", program.id)]).unlink()

# The applicants: portal users on registrants, created in one batch when new.
logins = [params["prefix"] + str(n) for n in range(1, params["applicants"] + 1)]
Users = env["res.users"].with_context(active_test=False, no_reset_password=True)
users = Users.search([("login", "in", logins)])
known = set(users.mapped("login"))
missing = [login for login in logins if login not in known]
portal = env.ref("base.group_portal")
if missing:
    partners = env["res.partner"].create(
        [
            {
                "name": "Bench Applicant " + login[len(params["prefix"]):],
                "is_registrant": True,
                "is_group": False,
                "email": login + "@example.org",
            }
            for login in missing
        ]
    )
    users |= Users.create(
        [
            {
                "login": login,
                "partner_id": partner.id,
                "groups_id": [(6, 0, [portal.id])],
            }
            for login, partner in zip(missing, partners)
        ]
    )
users.filtered(lambda user: not user.active).write({"active": True})
# One hash for all (hashing costs ~0.7 s each); stored the way Odoo does.
hashed = Users._crypt_context().hash(params["password"])
for user in users:
    user._set_encrypted_password(user.id, hashed)
env.cr.commit()
print("BENCH_SETUP " + json.dumps(
    {
        "program_id": program.id,
        "requirement_id": requirement.id,
        "formio_version": version.name,
        "created_users": len(missing),
        "removed_applications": removed,
        "applicants": {user.login: user.partner_id.id for user in users},
    }
))
"""


def load_form():
    schema = json.loads(SCHEMA_FILE.read_text())
    cases = json.loads(CASES_FILE.read_text())["cases"]
    good = next(case for case in cases if case["name"] == GOOD_CASE)
    return schema, good["data"]


def answers_for(base_answers, number):
    """The good submission, made the applicant's own."""
    answers = copy.deepcopy(base_answers)
    answers.update(
        firstName="Applicant",
        lastName=f"Number {number}",
        nationalId=str(3_000_000_000 + number),
        email=f"{LOGIN_PREFIX}{number}@example.org",
        accountNumber=str(10_000_000 + number),
    )
    return answers


# -- phase A: log in, open the apply page (untimed) -------------------------------


class HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value") or "")


def hidden_inputs(html):
    parser = HiddenInputs()
    parser.feed(html)
    return parser.values


@dataclass
class Applicant:
    number: int
    login: str
    partner_id: int
    session: requests.Session = None
    inputs: dict = None


def prepare_applicant(base, apply_path, applicant):
    """Log in and read the apply page's hidden inputs; raises RuntimeError."""
    session = new_session()
    page = session.get(base + "/web/login", timeout=HTTP_TIMEOUT)
    csrf = hidden_inputs(page.text).get("csrf_token")
    if not csrf:
        raise RuntimeError(f"{applicant.login}: no csrf_token on the login page")
    response = session.post(
        base + "/web/login",
        data={
            "login": applicant.login,
            "password": PASSWORD,
            "csrf_token": csrf,
            "redirect": apply_path,
        },
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    target = urlsplit(response.headers.get("Location", "")).path
    if response.status_code not in (302, 303) or target == "/web/login":
        raise RuntimeError(f"{applicant.login}: login refused ({response.status_code})")
    page = session.get(base + apply_path, allow_redirects=False, timeout=HTTP_TIMEOUT)
    if page.status_code != 200:
        raise RuntimeError(
            f"{applicant.login}: apply page HTTP {page.status_code}: "
            f"{alert_text(page.text)}"
        )
    inputs = hidden_inputs(page.text)
    wanted = {name: inputs.get(name) for name in ("csrf_token", "token", "digest")}
    if not all(wanted.values()):
        raise RuntimeError(f"{applicant.login}: apply page without {wanted}")
    applicant.session, applicant.inputs = session, wanted
    return applicant


def alert_text(html):
    """Why a page came back: its first alert, or its visible text."""
    match = re.search(r'class="[^"]*\balert\b[^"]*"[^>]*>(.*?)</div>', html, re.S)
    if match:
        html = match.group(1)
    else:
        html = re.sub(r"<(head|script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(text.split())[:300]


# -- phase B: the burst ---------------------------------------------------------------


@dataclass
class Shot:
    """One POST of a submission, and what came back."""

    applicant: Applicant
    kind: str  # burst | double | replay
    tag: str
    request: requests.PreparedRequest
    status: int = 0
    location: str = ""
    error: str = ""
    detail: str = ""
    started: float = 0.0
    ended: float = 0.0
    sends: int = 0  # more than 1: sent again after a connection error

    @property
    def final_tag(self):
        """The tag of the last send (the one whose log line counts)."""
        return self.tag if self.sends <= 1 else f"{self.tag}-r{self.sends - 1}"

    @property
    def client_s(self):
        return self.ended - self.started

    @property
    def application_id(self):
        match = APPLIED.search(urlsplit(self.location).path)
        return int(match.group(2)) if match else None


def make_shot(base, apply_path, requirement_id, base_answers, applicant, kind, tag):
    data = dict(applicant.inputs)
    data["submission"] = json.dumps(
        {"data": answers_for(base_answers, applicant.number)}
    )
    files = {
        f"document_{requirement_id}": ("proof-of-income.pdf", PDF, "application/pdf")
    }
    request = requests.Request(
        "POST", f"{base}{apply_path}?bench={tag}", data=data, files=files
    )
    # Prepared now (cookies, multipart body): the burst only sends.
    return Shot(applicant, kind, tag, applicant.session.prepare_request(request))


def fire(shots, resubmit=0):
    """Send all ``shots`` at the same moment, one thread each.

    With ``resubmit``, a POST that ends in a connection error is sent again
    (the same body: the person clicks Submit again) after a pause, at most
    that many times; its client time runs from the first send.
    """
    barrier = threading.Barrier(len(shots), timeout=BARRIER_TIMEOUT)

    def send_once(shot):
        request = shot.request
        if shot.sends:
            request = shot.request.copy()
            request.url = f"{shot.request.url}-r{shot.sends}"
        shot.sends += 1
        shot.error = shot.detail = ""
        sender = new_session()  # a connection of its own; cookies are prepared
        try:
            response = sender.send(
                request, allow_redirects=False, timeout=BURST_TIMEOUT
            )
            shot.status = response.status_code
            shot.location = response.headers.get("Location", "")
            if response.status_code != 303:
                shot.detail = alert_text(response.text)
        except requests.RequestException as error:
            shot.error = type(error).__name__
            shot.detail = str(error)[:200]
        finally:
            sender.close()

    def send(shot):
        barrier.wait()
        shot.started = time.perf_counter()
        try:
            send_once(shot)
            while shot.error and shot.sends <= resubmit:
                time.sleep(random.uniform(0.5, 2.0))
                send_once(shot)
        finally:
            shot.ended = time.perf_counter()

    with ThreadPoolExecutor(max_workers=len(shots)) as pool:
        list(pool.map(send, shots))
    return max(s.ended for s in shots) - min(s.started for s in shots)


# -- checks ------------------------------------------------------------------------


def database_state(config, database, program_id):
    conn = connect(config, database)
    try:
        with conn.cursor() as cr:
            cr.execute(
                "SELECT id, registrant_id, application_id "
                "FROM g2p_program_registrant_info WHERE program_id = %s",
                (program_id,),
            )
            applications = cr.fetchall()
            cr.execute(
                "SELECT partner_id, count(*) FROM g2p_program_membership "
                "WHERE program_id = %s GROUP BY partner_id",
                (program_id,),
            )
            memberships = dict(cr.fetchall())
            cr.execute(
                "SELECT f.program_registrant_info_id, count(*) FROM storage_file f "
                "JOIN g2p_program_registrant_info a "
                "ON a.id = f.program_registrant_info_id "
                "WHERE a.program_id = %s AND f.active GROUP BY 1",
                (program_id,),
            )
            documents = dict(cr.fetchall())
    finally:
        conn.close()
    return applications, memberships, documents


def check(shots, applicants, state):
    """The failed checks, as sentences; and the figures to print."""
    applications, memberships, documents = state
    failures = []
    by_partner = Counter(partner for _id, partner, _app in applications)
    own = {partner: app_id for app_id, partner, _app in applications}
    repeated_ids = sum(
        count - 1
        for count in Counter(a for _i, _p, a in applications if a).values()
        if count > 1
    )
    without_id = sum(1 for _i, _p, a in applications if not a)
    partners = {a.partner_id for a in applicants}
    twice = sum(1 for count in by_partner.values() if count > 1)
    missing = len(partners - set(by_partner))
    strangers = len(set(by_partner) - partners)
    if len(applications) != len(applicants):
        failures.append(
            f"{len(applications)} applications for {len(applicants)} applicants"
        )
    if twice or missing or strangers:
        failures.append(
            f"applicants with several applications: {twice}, with none: "
            f"{missing}; applications of others: {strangers}"
        )
    if repeated_ids or without_id:
        failures.append(
            f"repeated application IDs: {repeated_ids}, without one: {without_id}"
        )
    bad_memberships = sum(1 for p in partners if memberships.get(p) != 1)
    bad_documents = sum(1 for app_id in own.values() if documents.get(app_id) != 1)
    if bad_memberships or bad_documents:
        failures.append(
            f"applicants without exactly one membership: {bad_memberships}; "
            f"applications without exactly one document: {bad_documents}"
        )
    wrong_target = [
        s
        for s in shots
        if s.status == 303 and s.application_id != own.get(s.applicant.partner_id)
    ]
    if wrong_target:
        failures.append(
            f"{len(wrong_target)} POST(s) redirected to another application "
            f"than the applicant's (e.g. {wrong_target[0].location})"
        )
    not_303 = [s for s in shots if s.status != 303]
    if not_303:
        failures.append(f"{len(not_303)} POST(s) not answered 303")
    double_split = 0
    for login in {s.applicant.login for s in shots if s.kind == "double"}:
        targets = {
            s.application_id
            for s in shots
            if s.applicant.login == login and s.kind != "replay" and s.status == 303
        }
        double_split += len(targets) > 1
    if double_split:
        failures.append(f"{double_split} double click(s) gave two applications")
    figures = {
        "applications": len(applications),
        "memberships": sum(memberships.values()),
        "documents": sum(documents.values()),
        "duplicates": twice + repeated_ids + double_split,
        "twice": twice,
        "repeated_ids": repeated_ids,
        "double_split": double_split,
    }
    return failures, figures


# -- report ------------------------------------------------------------------------


def statuses(shots):
    counts = Counter(s.error or s.status for s in shots)
    return ", ".join(
        f"{key} x {count}" for key, count in sorted(counts.items(), key=str)
    )


def print_report(
    args, burst, replays, wall, perfs, replay_perfs, figures, log_counts, kernel
):
    posts = burst + replays
    errors = [s for s in posts if s.status != 303]
    by_status = Counter(s.error or s.status for s in errors)
    client = [s.client_s for s in burst]
    print("\nresults")
    print(
        f"  applicants: {args.applicants}; workers: {args.workers}; proxy: {args.proxy}"
    )
    print(
        f"  POSTs: {len(burst)} in the burst ({args.applicants} + {args.double} "
        f"double clicks), {len(replays)} replays after it"
    )
    print(f"  responses: {statuses(posts)}")
    print(
        "  errors by status: "
        + (", ".join(f"{k}: {v}" for k, v in by_status.items()) or "none")
    )
    unanswered = [s for s, p in zip(burst, perfs, strict=True) if s.error and p is None]
    if unanswered:
        print(
            f"    {len(unanswered)} of the errors never reached Odoo (no request "
            "line in its log)"
        )
    for shot in errors[:5]:
        print(f"    {shot.applicant.login} ({shot.kind}): {shot.error or shot.status}")
        print(f"      {shot.detail}")
    resent = [s for s in posts if s.sends > 1]
    if args.resubmit:
        print(
            f"  sent again after a connection error: {len(resent)} POST(s), "
            f"{sum(s.sends - 1 for s in resent)} resend(s) (--resubmit "
            f"{args.resubmit})"
        )
    if kernel:
        print(
            "  kernel TCP counters during the burst: "
            + ", ".join(f"{k} +{v}" for k, v in kernel.items())
        )
    print(
        f"  duplicates: {figures['duplicates']} (applicants with several "
        f"applications {figures['twice']}, repeated application IDs "
        f"{figures['repeated_ids']}, double clicks split {figures['double_split']})"
    )
    print(
        f"  applications created: {figures['applications']} (memberships "
        f"{figures['memberships']}, documents {figures['documents']})"
    )
    print(
        f"  client time per POST p50/p95/max: {ms(statistics.median(client))} / "
        f"{ms(percentile(client, 0.95))} / {ms(max(client))} ms"
    )
    found = [p for p in perfs if p is not None]
    if found:
        server = [p.server_s for p in found]
        queries = [p.queries for p in found]
        sql = [p.sql_s for p in found]
        print(
            f"  server time per POST p50/p95: {ms(statistics.median(server))} / "
            f"{ms(percentile(server, 0.95))} ms (SQL p50 "
            f"{ms(statistics.median(sql))} ms; {len(found)}/{len(perfs)} log lines)"
        )
        print(
            f"  queries per POST median/max: {statistics.median(queries):g} / "
            f"{max(queries)}"
        )
    else:
        print("  server time per POST: no request line found in the log")
    print(
        f"  burst wall time: {wall:.2f} s ({len(burst) / wall:.1f} POSTs/s), "
        "first send to last answer"
    )
    if replays:
        found = [p for p in replay_perfs if p is not None]
        client = [s.client_s for s in replays]
        line = f"  replays: client p50 {ms(statistics.median(client))} ms"
        if found:
            line += (
                f", server p50 {ms(statistics.median(p.server_s for p in found))} ms,"
                f" queries median {statistics.median(p.queries for p in found):g}"
            )
        print(line)
    print(
        f"  in Odoo's log: {log_counts['conflicts']} submission(s) retried after a "
        f"conflict, {log_counts['odoo_retries']} request(s) retried by Odoo, "
        f"{log_counts['refused']} refusal(s), {log_counts['created']} "
        "application(s) logged as created"
    )


TCP_COUNTERS = ("ListenOverflows", "ListenDrops", "SyncookiesSent", "SyncookiesFailed")


def tcp_counters():
    """The kernel's listen-queue counters (whole network namespace), if any."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return {}
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            row = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return {k: int(row[k]) for k in TCP_COUNTERS if k in row}
    return {}


def count_log(log):
    text = log.read_text(errors="replace") if log.exists() else ""
    return {
        "conflicts": text.count("Application conflicted with a concurrent one"),
        "odoo_retries": len(
            re.findall(r"odoo\.service\.model: \w+, \d+ tries left", text)
        ),
        "refused": len(re.findall(r"Application to program \d+ refused", text)),
        "created": len(re.findall(r"Application \d+ created for program", text)),
    }


def print_problems(problems):
    """Error records of Odoo's log, counted by kind, and the last ones whole."""
    if not problems:
        return
    kinds = Counter()
    for record in problems:
        first, *rest = record.splitlines()
        match = re.search(r" (ERROR|CRITICAL|WARNING) \S+ (\S+): ", first)
        kind = f"{match[1]} {match[2]}" if match else first[:80]
        detail = next((line for line in rest if line.startswith("ERROR: ")), "")
        kinds[f"{kind} {detail}".strip()] += 1
    print(f"\n{len(problems)} error/warning record(s) in the Odoo log:")
    for kind, count in kinds.most_common():
        print(f"  {count} x {kind}")
    print("last ones:")
    print("\n".join(problems[-3:]))


# -- main ----------------------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="g2p_bench_apply")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help=f"reuse the database without updating {UPDATE_ADDON} first",
    )
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument(
        "--double", type=int, default=20, help="applicants who POST twice at once"
    )
    parser.add_argument(
        "--replay", type=int, default=20, help="applicants who POST again after"
    )
    parser.add_argument(
        "--resubmit",
        type=int,
        default=0,
        help="send a POST again after a connection error, at most this many "
        "times (as a person would click Submit again)",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--proxy",
        choices=("haproxy", "nginx", "none"),
        default="haproxy",
        help="HAProxy (default, queues requests) or nginx in front of Odoo, or "
        "the clients talk to Odoo directly",
    )
    parser.add_argument(
        "--login-parallel",
        type=int,
        default=4,
        help="logins at a time before the burst (untimed)",
    )
    return parser


def run(args, workdir):
    config, _source = write_test_config(workdir)
    prepare_database(
        config,
        args.db,
        args.fresh,
        not args.no_update,
        workdir,
        INSTALL_ADDON,
        UPDATE_ADDON,
    )
    schema, base_answers = load_form()
    print(f"setting up the program and {args.applicants} applicants ...", flush=True)
    started = time.monotonic()
    setup = run_shell(
        config,
        args.db,
        SETUP_SCRIPT,
        {
            "store": STORE_NAME,
            "builder": BUILDER_NAME,
            "program": PROGRAM_NAME,
            "schema": schema,
            "applicants": args.applicants,
            "prefix": LOGIN_PREFIX,
            "password": PASSWORD,
        },
        "BENCH_SETUP",
        timeout=SETUP_TIMEOUT,
    )
    print(
        f"  program {setup['program_id']}, formio.js {setup['formio_version']}; "
        f"{setup['created_users']} new user(s), {setup['removed_applications']} "
        f"earlier application(s) removed ({time.monotonic() - started:.0f}s)"
    )
    program_id, requirement_id = setup["program_id"], setup["requirement_id"]
    apply_path = f"/my/programs/{program_id}/apply"
    applicants = [
        Applicant(n, f"{LOGIN_PREFIX}{n}", setup["applicants"][f"{LOGIN_PREFIX}{n}"])
        for n in range(1, args.applicants + 1)
    ]
    odoo = proxy = None
    failures = []
    log = workdir / "odoo.log"
    proxied = args.proxy != "none"
    try:
        odoo_port = free_port()
        odoo, base = start_odoo(
            config,
            args.db,
            odoo_port,
            log,
            workers=args.workers,
            extra_args=("--limit-time-real=120", *(("--proxy-mode",) * proxied)),
        )
        print(f"Odoo {base}, {args.workers} workers (log {log})")
        if args.proxy == "haproxy":
            # 2 connections per worker: well within Odoo's listen queue.
            maxconn = 2 * args.workers
            proxy, base = start_haproxy(workdir, odoo_port, maxconn)
            print(
                f"HAProxy {base} -> Odoo, at most {maxconn} connections to it "
                f"(logs in {workdir / 'haproxy'})"
            )
        elif args.proxy == "nginx":
            proxy, base = start_nginx(workdir, odoo_port)
            print(f"nginx {base} -> Odoo (logs in {workdir / 'nginx'})")

        print(f"phase A: {len(applicants)} logins and apply pages ...", flush=True)
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.login_parallel) as pool:
            list(pool.map(lambda a: prepare_applicant(base, apply_path, a), applicants))
        print(f"  ready ({time.monotonic() - started:.0f}s)")

        def shot(applicant, kind, suffix=""):
            tag = f"{kind}-{applicant.number}{suffix}"
            return make_shot(
                base, apply_path, requirement_id, base_answers, applicant, kind, tag
            )

        doubles = applicants[: args.double]
        burst = [shot(a, "burst") for a in applicants]
        burst += [shot(a, "double") for a in doubles]
        replayed = applicants[len(applicants) - args.replay :] if args.replay else []
        replays = [shot(a, "replay") for a in replayed]

        print(f"phase B: {len(burst)} POSTs at once ...", flush=True)
        kernel_before = tcp_counters()
        wall = fire(burst, args.resubmit)
        kernel = {k: v - kernel_before.get(k, 0) for k, v in tcp_counters().items()}
        if replays:
            fire(replays, args.resubmit)

        def tag_of(method, target):
            parts = urlsplit(target)
            if method != "POST" or parts.path != apply_path:
                return None
            return parse_qs(parts.query).get("bench", [None])[0]

        odoo_log = OdooLog(log, key=tag_of)
        perfs = odoo_log.perf([s.final_tag for s in burst], allow_missing=True)
        replay_perfs = odoo_log.perf([s.final_tag for s in replays], allow_missing=True)
        state = database_state(config, args.db, program_id)
        failures, figures = check(burst + replays, applicants, state)
        print_report(
            args,
            burst,
            replays,
            wall,
            perfs,
            replay_perfs,
            figures,
            count_log(log),
            kernel,
        )
    finally:
        stop_process(proxy, args.proxy)
        stop_process(odoo, "Odoo")
        print_problems(OdooLog(log).problems(OUR_ADDONS))
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nall checks passed: 0 errors, 0 duplicate applications")
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.applicants < 1 or not 0 <= args.double <= args.applicants:
        raise SystemExit("--applicants >= 1 and 0 <= --double <= --applicants")
    if not 0 <= args.replay <= args.applicants:
        raise SystemExit("0 <= --replay <= --applicants")
    return run_in_workdir(run, args, "g2p-bench-apply-")


if __name__ == "__main__":
    sys.exit(main())
