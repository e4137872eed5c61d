#!/usr/bin/env python3
"""Benchmark: applicants signing in and applying through nginx, one Odoo
server against two, one of the two killed in the middle (issue 17).

The topology is ``setup/demo.py --servers N``'s (``setup/portal_demo/cluster.py``):
Odoo servers with ``--workers`` each, ``session_db`` and ``queue_job``
server-wide, ``proxy_mode``, their own ports and data folders, the
filestore shared; nginx in front (round robin, no sticky sessions, a server
that fails once left alone for ``--fail-timeout`` seconds). The database,
program, form and applicants are ``bench/bench_portal_apply.py``'s (a
25-component form, one mandatory PDF document); there are 2 x
``--applicants`` portal users, half for each phase.

Two phases, the same load:

1. one server behind nginx;
2. two servers behind nginx; when ``--kill-at`` of the applicants are
   done, one server is killed (SIGKILL to its process group: master,
   workers, job runner) and started again ``--down`` seconds later.

In each, ``--concurrency`` people at a time each sign in (``/web/login``),
open the apply page and submit with the document. ``--double`` of them
click twice (two POSTs at once), ``--replay`` send their POST again after
the confirmation. A POST that gets no answer or a 502/503/504 is sent again
(the same form, as a person clicks Submit again) after a pause, at most
``--retries`` times; so is a sign-in or a page.

Afterwards, in the database and the logs:

- every applicant who got a confirmation (303 to their application) has
  exactly one application, with its document; no applicant has two;
- every applicant without a confirmation was told so (each of their POSTs
  got an HTTP answer) and has no application;
- in phase 2, nginx sent nothing to the dead server after its first failed
  answer, until it answered again (its access log names the upstream of
  every request);
- no ERROR line in any server's log; per POST at most 40 SQL queries and a
  median server time of at most 120 ms (werkzeug's request lines; each POST
  carries a ``bench`` query parameter).

It prints throughput, client p50/p95 (of the POSTs answered with a
confirmation) and errors of both phases side by side,
PASS/FAIL per target, and exits 1 when one fails. Work files and logs stay
in a /tmp/g2p-bench-cluster-* folder. The checks after each phase and the
report are in ``bench/cluster_failover/checking.py``.

    python3 bench/bench_cluster_failover.py [--applicants 2000]
        [--concurrency 8] [--workers 2] [--double 100] [--replay 100]
        [--kill-at 0.4] [--down 10] [--fail-timeout 60] [--retries 4]
        [--db g2p_bench_cluster] [--fresh] [--no-update] [--port-base 0]
"""

import argparse
import os
import random
import re
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_portal_apply as apply_bench  # noqa: E402
from odoo_bench import (  # noqa: E402
    REPO_ROOT,
    backend_cpu,
    data_dir,
    free_port,
    new_session,
    prepare_database,
    process_tree_cpu,
    run_in_odoo,
    run_in_workdir,
    run_shell,
    start_process,
    stop_process,
    wait_until,
    write_test_config,
)

sys.path.insert(0, str(REPO_ROOT / "setup"))
from cluster_failover.checking import (  # noqa: E402
    Result,
    check_people,
    database_state,
    log_problems,
    print_report,
    server_figures,
)
from portal_demo import cluster  # noqa: E402

TIMEOUT = (10, 180)  # connect, read (seconds)
RETRYABLE = (502, 503, 504)
TARGET_QUERIES = 40
TARGET_SERVER_MS = 120
APPLIED = re.compile(r"/my/programs/(\d+)/applied/(\d+)$")
# The servers run crons, as in production; formio's daily check of GitHub
# releases fails offline (an ERROR line): archived, as the demo does.
CRON_SCRIPT = """
import json
cron = env.ref(
    "formio.ir_cron_formio_version_github_tag_check_and_register",
    raise_if_not_found=False,
)
if cron and cron.active:
    cron.active = False
env.cr.commit()
print("BENCH_CRONS " + json.dumps({"archived": bool(cron)}))
"""


# -- one applicant ----------------------------------------------------------------


@dataclass
class Post:
    tag: str
    kind: str  # first | double | retry | replay
    status: int = 0  # 0: no HTTP answer
    location: str = ""
    error: str = ""
    client_s: float = 0.0

    @property
    def application_id(self):
        match = APPLIED.search(urlsplit(self.location).path)
        return int(match.group(2)) if match else None


@dataclass
class Person:
    number: int
    login: str
    partner_id: int
    double: bool = False
    replay: bool = False
    posts: list = field(default_factory=list)
    request_errors: int = 0  # sign-in and page answers that were errors
    failure: str = ""  # why this person never got a confirmation

    @property
    def confirmations(self):
        return [p for p in self.posts if p.status == 303]


class Phase:
    """One run of the load against a cluster behind ``base`` (nginx)."""

    def __init__(self, name, base, setup, args, people, on_progress=None):
        self.name = name
        self.base = base
        self.args = args
        self.people = people
        self.apply_path = f"/my/programs/{setup['program_id']}/apply"
        self.requirement_id = setup["requirement_id"]
        self.schema, self.answers = apply_bench.load_form()
        self.on_progress = on_progress
        self.done = 0
        self.lock = threading.Lock()
        self.wall = 0.0

    def run(self):
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=self.args.concurrency) as pool:
            list(pool.map(self.apply, self.people))
        self.wall = time.monotonic() - started

    def _retry(self, person, send):
        """``send()``'s answer, sent again after a pause on no answer or a
        502/503/504 (at most ``--retries`` times)."""
        for attempt in range(self.args.retries + 1):
            try:
                answer = send()
            except requests.RequestException:
                answer = None
            if answer is not None and answer.status_code not in RETRYABLE:
                return answer
            person.request_errors += 1
            if attempt < self.args.retries:
                time.sleep(random.uniform(1.0, 2.0))
        return answer

    def apply(self, person):
        try:
            self._apply(person)
        except Exception as error:  # one person's failure is reported
            person.failure = f"{type(error).__name__}: {error}"[:300]
        with self.lock:
            self.done += 1
            done = self.done
        if self.on_progress:
            self.on_progress(done)

    def _apply(self, person):
        session = new_session()
        page = self._retry(
            person, lambda: session.get(self.base + "/web/login", timeout=TIMEOUT)
        )
        csrf = apply_bench.hidden_inputs(page.text).get("csrf_token") if page else None
        if not csrf:
            person.failure = "no sign-in page"
            return
        signed = self._retry(
            person,
            lambda: session.post(
                self.base + "/web/login",
                data={
                    "login": person.login,
                    "password": apply_bench.PASSWORD,
                    "csrf_token": csrf,
                    "redirect": self.apply_path,
                },
                allow_redirects=False,
                timeout=TIMEOUT,
            ),
        )
        if signed is None or signed.status_code not in (302, 303):
            person.failure = f"sign-in refused ({signed and signed.status_code})"
            return
        form = self._retry(
            person,
            lambda: session.get(
                self.base + self.apply_path, allow_redirects=False, timeout=TIMEOUT
            ),
        )
        if form is None or form.status_code != 200:
            person.failure = f"apply page {form and form.status_code}"
            return
        inputs = apply_bench.hidden_inputs(form.text)
        applicant = apply_bench.Applicant(
            person.number, person.login, person.partner_id
        )
        applicant.session = session
        applicant.inputs = {k: inputs.get(k) for k in ("csrf_token", "token", "digest")}

        def shot(kind):
            tag = f"{self.name}-{person.number}-{kind}-{len(person.posts)}"
            post = Post(tag, kind)
            person.posts.append(post)
            prepared = apply_bench.make_shot(
                self.base,
                self.apply_path,
                self.requirement_id,
                self.answers,
                applicant,
                kind,
                tag,
            ).request
            return post, prepared

        def send(post, prepared):
            sender = new_session()
            started = time.perf_counter()
            try:
                answer = sender.send(prepared, allow_redirects=False, timeout=TIMEOUT)
                post.status = answer.status_code
                post.location = answer.headers.get("Location", "")
            except requests.RequestException as error:
                post.error = type(error).__name__
            finally:
                post.client_s = time.perf_counter() - started
                sender.close()
            return post

        first = [shot("first")]
        if person.double:
            first.append(shot("double"))
        threads = [threading.Thread(target=send, args=pair) for pair in first]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        last = first[0][0]
        for _ in range(self.args.retries):
            if any(p.status == 303 for p, _ in first) or last.status not in (
                0,
                *RETRYABLE,
            ):
                break
            time.sleep(random.uniform(1.0, 2.0))
            last = send(*shot("retry"))
            first.append((last, None))
        if not person.confirmations:
            person.failure = person.failure or (
                f"no confirmation (last answer {last.status or last.error})"
            )
            return
        if person.replay:
            send(*shot("replay"))


# -- the servers --------------------------------------------------------------------


class Servers:
    """Odoo servers and nginx, started from setup/portal_demo/cluster.py's pieces."""

    def __init__(self, workdir, config, database, args, count, own_data_dirs):
        self.workdir = workdir
        self.args = args
        self.count = count
        self.own = own_data_dirs
        base = dict(cluster.read_config(config).items("options"))
        for name in ("http_port", "logfile", "data_dir", "http_interface"):
            base.pop(name, None)
        self.shared_data_dir = data_dir(config)
        self.filestore = self.shared_data_dir / "filestore"
        port = args.port_base or free_port()
        ports = [free_port() for _ in range(2 * count)]
        if args.port_base:
            ports = list(range(port + 1, port + 1 + 2 * count))
        self.port = port
        self.servers = cluster.plan_servers(
            workdir / f"cluster-{count}", count, port, ports[:count], ports[count:]
        )
        self.processes = {}
        self.nginx = None
        # CPU seconds of each server's process tree during the load: the
        # mark taken when the load starts, what was used up to a kill, and
        # a restarted server counted from its start (its boot included).
        self.cpu_base = {}
        self.cpu_used = Counter()
        for server in self.servers:
            server.folder.mkdir(parents=True, exist_ok=True)
            sections = cluster.server_options(
                base,
                server,
                database=database,
                data_dir=server.own_data_dir if self.own else self.shared_data_dir,
                logfile=self.log(server),
                workers=args.workers,
                cron_threads=1,
            )
            server.config.write_text(cluster.config_text(sections))

    def log(self, server):
        return server.folder / "odoo.log"

    def start_server(self, server):
        cmd = cluster.serve_command(
            server.config,
            self.filestore if self.own else None,
            odoo_args=["--limit-time-real=300"],
            name=server.name,
        )
        process = start_process(cmd, server.folder / "stdout.log")
        self.processes[server.name] = process
        return process

    def healthy(self, server):
        try:
            answer = new_session().get(server.url + "/web/health", timeout=5)
        except requests.RequestException:
            return False
        return answer.status_code == 200

    def start(self):
        for server in self.servers:
            process = self.start_server(server)
            wait_until(
                lambda server=server: self.healthy(server),
                server.name,
                180,
                process,
                self.log(server),
            )
        cmd = cluster.write_nginx_config(
            cluster.find_nginx(),
            self.workdir / f"nginx-{self.count}",
            self.port,
            self.servers,
            self.args.fail_timeout,
        )
        self.nginx = start_process(cmd, self.workdir / f"nginx-{self.count}.stdout")
        base = f"http://127.0.0.1:{self.port}"
        wait_until(
            lambda: (
                new_session().get(base + "/web/login", timeout=30).status_code == 200
            ),
            "nginx",
            120,
            self.nginx,
        )
        return base

    def cpu_mark(self):
        for name, process in self.processes.items():
            self.cpu_base[name] = process_tree_cpu(process.pid)

    def cpu_settle(self, name):
        process = self.processes[name]
        self.cpu_used[name] += process_tree_cpu(process.pid) - self.cpu_base.get(
            name, 0.0
        )
        self.cpu_base[name] = 0.0

    def kill(self, server):
        """SIGKILL the server's process group: master, workers, runner."""
        process = self.processes[server.name]
        self.cpu_settle(server.name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self):
        stop_process(self.nginx, "nginx")
        for name, process in self.processes.items():
            stop_process(process, name)

    @property
    def access_log(self):
        return self.workdir / f"nginx-{self.count}" / "access.log"


# -- main ------------------------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="g2p_bench_cluster")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument("--no-update", action="store_true")
    parser.add_argument("--applicants", type=int, default=2000, help="per phase")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="per server")
    parser.add_argument("--double", type=int, default=100, help="double clicks")
    parser.add_argument("--replay", type=int, default=100, help="replays")
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--down", type=float, default=10.0)
    parser.add_argument("--fail-timeout", type=int, default=60)
    parser.add_argument("--retries", type=int, default=4)
    parser.add_argument(
        "--port-base",
        type=int,
        default=0,
        help="nginx's port; the servers' ports follow it (default: free ports)",
    )
    parser.add_argument(
        "--phases", default="1,2", help="which phases: 1 (one server), 2 (two)"
    )
    return parser


def make_people(setup, first, count, args):
    people = [
        Person(n, f"{apply_bench.LOGIN_PREFIX}{n}", setup["applicants"][login])
        for n in range(first, first + count)
        for login in [f"{apply_bench.LOGIN_PREFIX}{n}"]
    ]
    for person in random.Random(first).sample(people, args.double):
        person.double = True
    for person in random.Random(first + 1).sample(people, args.replay):
        person.replay = True
    return people


def run_phase(name, count_servers, args, workdir, config, setup, people, own):
    servers = Servers(workdir, config, args.db, args, count_servers, own)
    failover = {}
    try:
        base = servers.start()
        print(
            f"phase {name}: {count_servers} server(s) behind nginx {base}, "
            f"{len(people)} applicants, {args.concurrency} at a time",
            flush=True,
        )
        progress = {"last": 0}
        restarted = threading.Event()
        lock = threading.Lock()

        def on_progress(done):
            with lock:
                if done - progress["last"] >= max(len(people) // 10, 1):
                    progress["last"] = done
                    print(f"  {done}/{len(people)}", flush=True)
                due = count_servers > 1 and done >= args.kill_at * len(people)
                if not due or failover:
                    return
                failover["server"] = servers.servers[0].name
            threading.Thread(
                target=kill_and_restart, args=(servers, failover, done, restarted)
            ).start()

        phase = Phase(name, base, setup, args, people, on_progress)
        servers.cpu_mark()
        db_before = backend_cpu(config, args.db)
        phase.run()
        if failover:
            restarted.wait(600)
        for server_name in servers.processes:
            servers.cpu_settle(server_name)
        db_after = backend_cpu(config, args.db)
        cpu = {
            "odoo": sum(servers.cpu_used.values()),
            "db": sum(t - db_before.get(pid, 0.0) for pid, t in db_after.items()),
        }
    finally:
        servers.stop()
    logs = [servers.log(s) for s in servers.servers]
    perfs = server_figures(logs, name)
    state = database_state(
        config, args.db, setup["program_id"], [p.partner_id for p in people]
    )
    failures, figures = check_people(people, state)
    if failover:
        dead = next(s for s in servers.servers if s.name == failover["server"])
        accesses = cluster.read_access_log(servers.access_log)
        first, later = cluster.sent_to_dead_server(
            accesses, dead.upstream, failover["killed_at"], failover["back_at"]
        )
        again = [
            a.start
            for a in accesses
            if a.start > failover["back_at"]
            and any(u == dead.upstream for u, _s in a.attempts)
        ]
        failover.update(
            first_failure=(
                f"{first - failover['killed_at']:.2f} s after the kill"
                if first
                else "none seen"
            ),
            sent_after=len(later),
            served_again=(
                f"{min(again) - failover['killed_at']:.0f} s after the kill"
                if again
                else "not within the run"
            ),
        )
        if later:
            failures.append(
                f"nginx sent {len(later)} request(s) to {dead.name} after its first "
                "failed answer, while it was down"
            )
    return Result(
        name=f"{count_servers} server{'s' if count_servers > 1 else ''}"
        + (" (one killed)" if failover else ""),
        people=people,
        wall=phase.wall,
        perfs=perfs,
        problems=log_problems(logs),
        failures=failures,
        figures=figures,
        failover=failover,
        cpu=cpu,
    )


def kill_and_restart(servers, failover, done, restarted):
    """Kill the first server, start it again ``--down`` seconds later."""
    victim = servers.servers[0]
    try:
        failover.update(done_at_kill=done)
        failover["killed_at"] = time.time()
        servers.kill(victim)
        print(f"  killed {victim.name} after {done} applicants", flush=True)
        time.sleep(servers.args.down)
        failover["down"] = time.time() - failover["killed_at"]
        servers.start_server(victim)
        deadline = time.monotonic() + 300
        while not servers.healthy(victim) and time.monotonic() < deadline:
            time.sleep(0.2)
        failover["back_at"] = time.time()
        failover["back_after"] = failover["back_at"] - failover["killed_at"]
        print(
            f"  {victim.name} answering again {failover['back_after']:.0f} s after "
            "the kill",
            flush=True,
        )
    finally:
        restarted.set()


def run(args, workdir):
    if not cluster.find_nginx():
        print("nginx not found: install it (apt-get install nginx)")
        return 2
    config, _source = write_test_config(workdir)
    prepare_database(
        config,
        args.db,
        args.fresh,
        not args.no_update,
        workdir,
        apply_bench.INSTALL_ADDON,
        apply_bench.UPDATE_ADDON,
    )
    schema, _answers = apply_bench.load_form()
    total = 2 * args.applicants
    print(f"setting up the program and {total} applicants ...", flush=True)
    started = time.monotonic()
    setup = run_in_odoo(
        config,
        args.db,
        apply_bench.IN_ODOO,
        "set_up",
        {
            "store": apply_bench.STORE_NAME,
            "builder": apply_bench.BUILDER_NAME,
            "program": apply_bench.PROGRAM_NAME,
            "schema": schema,
            "applicants": total,
            "prefix": apply_bench.LOGIN_PREFIX,
            "password": apply_bench.PASSWORD,
        },
        timeout=3600,
    )
    print(f"  done ({time.monotonic() - started:.0f}s)", flush=True)
    run_shell(config, args.db, CRON_SCRIPT, {}, "BENCH_CRONS")
    own = cluster.mounts_supported()
    print(
        "each server with its own data folder, the filestore mounted in it"
        if own
        else "mount namespaces not allowed: the servers share one data folder"
    )
    phases = [p.strip() for p in args.phases.split(",")]
    results = []
    if "1" in phases:
        people = make_people(setup, 1, args.applicants, args)
        results.append(run_phase("one", 1, args, workdir, config, setup, people, own))
    if "2" in phases:
        people = make_people(setup, args.applicants + 1, args.applicants, args)
        results.append(run_phase("two", 2, args, workdir, config, setup, people, own))
    checks = []
    for result in results:
        for failure in result.failures:
            checks.append((False, f"{result.name}: {failure}"))
        if not result.failures:
            checks.append(
                (
                    True,
                    f"{result.name}: every confirmed applicant has one application "
                    "with its document, none has two, every refusal was answered"
                    + ("; nginx left the dead server alone" if result.failover else ""),
                )
            )
    two = results[-1]
    queries = [p.queries for p in two.perfs.values()] or [0]
    server_s = [p.server_s for p in two.perfs.values()] or [0]
    server_ms = 1000 * statistics.median(server_s)
    checks += [
        (not two.problems, f"{two.name}: no ERROR line in any server's log"),
        (
            statistics.median(queries) <= TARGET_QUERIES,
            f"{two.name}: median queries per POST {statistics.median(queries):g} "
            f"<= {TARGET_QUERIES} (max {max(queries)})",
        ),
        (
            server_ms <= TARGET_SERVER_MS,
            f"{two.name}: median server time per POST {server_ms:.0f} ms "
            f"<= {TARGET_SERVER_MS} ms",
        ),
    ]
    print_report(results, checks)
    return 0 if all(ok for ok, _ in checks) else 1


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.applicants < 1 or not (
        0 <= args.double <= args.applicants and 0 <= args.replay <= args.applicants
    ):
        raise SystemExit("--applicants >= 1; --double and --replay <= --applicants")
    if not 0 < args.kill_at < 1:
        raise SystemExit("--kill-at: between 0 and 1")
    return run_in_workdir(run, args, "g2p-bench-cluster-")


if __name__ == "__main__":
    sys.exit(main())
