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
Logs and work files stay in a /tmp/g2p-bench-apply-* folder. The records made
through the ORM, the checks and the report are in ``bench/portal_apply/``.

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
import sys
import threading
import time
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
    free_port,
    new_session,
    prepare_database,
    run_in_odoo,
    run_in_workdir,
    start_haproxy,
    start_nginx,
    start_odoo,
    stop_process,
    write_test_config,
)
from portal_apply.checks import check, database_state  # noqa: E402
from portal_apply.reporting import (  # noqa: E402
    count_log,
    print_problems,
    print_report,
    tcp_counters,
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
# The program, its form and applicants, made inside odoo-bin shell.
IN_ODOO = Path(__file__).resolve().parent / "portal_apply" / "in_odoo.py"


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
    setup = run_in_odoo(
        config,
        args.db,
        IN_ODOO,
        "set_up",
        {
            "store": STORE_NAME,
            "builder": BUILDER_NAME,
            "program": PROGRAM_NAME,
            "schema": schema,
            "applicants": args.applicants,
            "prefix": LOGIN_PREFIX,
            "password": PASSWORD,
        },
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
