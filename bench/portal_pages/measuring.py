"""Measuring: signed-in sessions, timed requests, load, page weight."""

import math
import os
import re
import statistics
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import page_weight
import requests
from odoo_bench import (
    HTTP_TIMEOUT,
    OdooLog,
    connect,
    new_session,
    percentile,
    run_in_odoo,
    start_nginx,
    stop_process,
)
from repo import register_bare_addon_packages

from .common import (
    BUILDER_NAME,
    FORMIOJS_SPEC,
    IN_ODOO,
    MAX_WARMUP,
    PROGRAM_PREFIX,
    SETUP_TIMEOUT,
    WARMUP,
    WEIGHT_APPLY,
    WEIGHT_DASHBOARD,
    WEIGHT_HOME,
    WEIGHT_SIGN_IN,
)

register_bare_addon_packages()  # g2p_portal_forms.formiojs without Odoo
from g2p_portal_forms.formiojs.npm import NpmPackError, npm_pack  # noqa: E402

# -- HTTP --------------------------------------------------------------------------


class LoginRefused(RuntimeError):
    pass


def login(base, user, password):
    session = new_session()
    page = session.get(base + "/web/login", timeout=HTTP_TIMEOUT)
    match = re.search(r'name="csrf_token"\s+value="([^"]+)"', page.text)
    if not match:
        raise LoginRefused(f"{user}: no csrf_token on the login page")
    response = session.post(
        base + "/web/login",
        data={
            "login": user,
            "password": password,
            "csrf_token": match[1],
            "redirect": "/my",
        },
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    target = urlsplit(response.headers.get("Location", "")).path
    if response.status_code not in (302, 303) or target == "/web/login":
        raise LoginRefused(f"{user}: login refused ({response.status_code})")
    return session


def with_tag(path, tag):
    return f"{path}{'&' if '?' in path else '?'}bench={tag}"


def tag_of(_method, target):
    return parse_qs(urlsplit(target).query).get("bench", [None])[0]


@dataclass
class Page:
    label: str
    path: str
    who: str = "registrant"  # or "customer"
    counters: list = None  # a JSON-RPC POST of these counters
    kind: str = "page"  # or "baseline" (of the targets), "reference"

    @property
    def baseline(self):
        return self.kind != "page"


@dataclass
class Measure:
    queries: list = field(default_factory=list)
    server: list = field(default_factory=list)  # seconds, from Odoo's log
    sql: list = field(default_factory=list)  # seconds in SQL, from Odoo's log
    client: list = field(default_factory=list)
    sizes: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    warmup: int = 0
    pids: int = 0

    @property
    def median(self):
        return statistics.median(self.server) if self.server else math.nan

    @property
    def p95(self):
        return percentile(self.server, 0.95) if self.server else math.nan

    @property
    def query_text(self):
        if not self.queries:
            return "-"
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}-{high}"

    @property
    def ok(self):
        return bool(self.queries) and set(self.statuses) == {200}


def send(session, base, page, tag):
    """One request of ``page``; (status, body size)."""
    url = base + with_tag(page.path, tag)
    if page.counters is not None:
        response = session.post(
            url,
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"counters": page.counters},
            },
            timeout=HTTP_TIMEOUT,
        )
        status = response.status_code
        if status == 200:
            try:
                failed = "error" in response.json()
            except ValueError:
                failed = True
            if failed:
                status = 500  # a JSON-RPC error comes back as HTTP 200
        return status, len(response.content)
    response = session.get(url, allow_redirects=False, timeout=HTTP_TIMEOUT)
    return response.status_code, len(response.content)


class Runner:
    """Sequential timed requests, each found in Odoo's log by its tag."""

    def __init__(self, base, log, workers):
        self.base = base
        self.log = OdooLog(log, key=tag_of)
        self.workers = workers
        self.number = 0

    def tag(self, label):
        self.number += 1
        return f"{re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-')}-{self.number}"

    def warm(self, session, page):
        """Requests until every worker served the page twice (its caches,
        its compiled templates), at least ``WARMUP``; how many it took."""
        served = Counter()
        for n in range(MAX_WARMUP):
            tag = self.tag(page.label)
            send(session, self.base, page, tag)
            perf = self.log.perf([tag], allow_missing=True)[0]
            if perf is not None:
                served[perf.pid] += 1
            if (
                n + 1 >= WARMUP
                and len(served) >= self.workers
                and min(served.values()) >= 2
            ):
                break
        return n + 1

    def measure(self, sessions, pages, requests_count):
        """{label: Measure} of ``pages``, warmed up first, then timed in turns
        (one request of each page, ``requests_count`` times), so that every
        page and baseline shares the machine's quiet and busy moments."""
        results = {page.label: Measure() for page in pages}
        for page in pages:
            results[page.label].warmup = self.warm(sessions[page.who], page)
        tags = {page.label: [] for page in pages}
        for _ in range(requests_count):
            for page in pages:
                result = results[page.label]
                tag = self.tag(page.label)
                started = time.perf_counter()
                try:
                    status, size = send(sessions[page.who], self.base, page, tag)
                except requests.RequestException as error:
                    status, size = type(error).__name__, 0
                result.client.append(time.perf_counter() - started)
                result.statuses[status] += 1
                if status == 200:
                    result.sizes.append(size)
                tags[page.label].append(tag)
        for page in pages:
            result = results[page.label]
            perfs = self.log.perf(tags[page.label], allow_missing=True)
            perfs = [p for p in perfs if p is not None]
            result.queries = [p.queries for p in perfs]
            result.server = [p.server_s for p in perfs]
            result.sql = [p.sql_s for p in perfs]
            result.pids = len({p.pid for p in perfs})
        return results


@dataclass
class Load:
    label: str
    done: int = 0
    errors: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    wall: float = 0.0

    @property
    def rps(self):
        return self.done / self.wall if self.wall else 0.0


def load(base, sessions, page, seconds):
    """``len(sessions)`` threads requesting ``page`` for ``seconds``."""
    result = Load(page.label)
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions) + 1)
    deadline = []

    def worker(session):
        barrier.wait()
        end = deadline[0]
        while time.monotonic() < end:
            started = time.perf_counter()
            try:
                status, _size = send(session, base, page, "load")
                error = None if status == 200 else f"HTTP {status}"
            except Exception as exc:  # noqa: BLE001 - every failure counts
                error = type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                if error:
                    result.errors[error] += 1
                else:
                    result.done += 1
                    result.latencies.append(elapsed)

    threads = [
        threading.Thread(target=worker, args=(s,), daemon=True) for s in sessions
    ]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    deadline.append(started + seconds)
    barrier.wait()
    for thread in threads:
        thread.join(seconds + 2 * HTTP_TIMEOUT)
    result.wall = time.monotonic() - started
    return result


def formiojs_tarball(args, workdir):
    """The formiojs tarball to install (a path), or (None, why not)."""
    given = args.formiojs_tarball or os.environ.get("G2P_FORMIOJS_TARBALL")
    if given:
        return Path(given), None
    cache = Path(tempfile.gettempdir()) / "g2p-formiojs-cache"
    found = sorted(cache.glob(f"formiojs-{FORMIOJS_SPEC}.tgz"))
    if found:
        return found[0], None
    try:
        return npm_pack("formiojs", FORMIOJS_SPEC, cache), None
    except NpmPackError as error:
        return None, f"no formiojs tarball: {error}"


def install_formiojs(config, args, workdir):
    """formio.js from npm on the bench form (its version's name), or raise."""
    tarball, why = formiojs_tarball(args, workdir)
    if tarball is None:
        raise RuntimeError(why)
    version = re.search(r"formiojs-(.+)\.tgz$", tarball.name)
    result = run_in_odoo(
        config,
        args.db,
        IN_ODOO,
        "use_formiojs",
        {
            "tarball": str(tarball),
            "builder": BUILDER_NAME,
            "version": version[1] if version else "",
        },
        timeout=SETUP_TIMEOUT,
    )
    return result["version"]


def apply_target(config, args, setup):
    """A published, open bench program the registrant has not applied to."""
    conn = connect(config, args.db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """
                SELECT p.id FROM g2p_program p
                 WHERE p.name LIKE %s AND p.portal_published AND p.active
                   AND p.self_service_portal_form IS NOT NULL
                   AND p.portal_open_until > CURRENT_DATE + 30
                   AND NOT EXISTS (
                       SELECT 1 FROM g2p_program_registrant_info a
                        WHERE a.program_id = p.id AND a.registrant_id = %s)
                 ORDER BY p.id LIMIT 1
                """,
                (PROGRAM_PREFIX + "%", setup["user_partner_id"]),
            )
            row = cr.fetchone()
    finally:
        conn.close()
    if not row:
        raise RuntimeError("no bench program left for the registrant to apply to")
    return row[0]


def measure_weights(args, workdir, odoo_base, sessions, apply_path, binary):
    """[(title, [Weight])]: the first visits through nginx with compression,
    then straight from Odoo (no compression)."""
    port = int(urlsplit(odoo_base).port)
    nginx, proxy = start_nginx(workdir, port, gzip=True)
    pages = (
        (WEIGHT_SIGN_IN, "/selfservice/login", None),
        (WEIGHT_DASHBOARD, "/my", "registrant"),
        (WEIGHT_APPLY, apply_path, "registrant"),
        (WEIGHT_HOME, "/my/home", "customer"),
    )
    tables = []
    try:
        for title, base in (
            ("through nginx, compressed as the README's deployment notes say", proxy),
            ("straight from Odoo, no compression", odoo_base),
        ):
            weights = []
            for label, path, who in pages:
                cookie = sessions[who].cookies.get("session_id") if who else None
                print(f"  {label} ({title.split(',')[0]}) ...", flush=True)
                weights.append(
                    page_weight.weigh(binary, label, base + path, session_id=cookie)
                )
            tables.append((title, weights))
    finally:
        stop_process(nginx, "nginx")
    return tables
