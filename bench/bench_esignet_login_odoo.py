#!/usr/bin/env python3
"""Benchmark: national-ID login through a real Odoo server (issue 6).

Runs Odoo 17 with ``--workers 2`` on a database with ``g2p_auth_esignet``
installed, the eSignet emulator (``tests/emulators/esignet``) as a separate
process, and walks whole logins over HTTP on 127.0.0.1: the login button,
the emulator's login/OTP/consent pages, the callback
(``/auth_oauth/signin``), then a check that the session is signed in.

For each registrant count (registrants and their national IDs seeded with
SQL), it measures one first login (registration of a new account) and
``--logins`` returning logins of the same person, reading each callback's
SQL query count, SQL time and remaining time from Odoo's request log line.
It then runs ``--concurrent`` logins of one person, ``--parallel`` at a time,
each in its own browser session, and checks that every session is still
signed in at the end.

Targets:

- a returning login issues at most 25 SQL queries;
- the returning login's DB time at 1,000,000 registrants is within 20 % of
  that at 100;
- 40 concurrent logins of one identity all end signed in, and stay so.

It prints figures and asserts nothing timed. The database is kept and
reused between runs (the addon updated first unless ``--no-update``;
seeded registrants topped up or trimmed to each count); ``--fresh``
recreates it. Seeding 1,000,000 registrants takes a few minutes. Logs and
work files stay in a /tmp/g2p-bench-login-* folder; ``--log-sql`` logs
every query with its time there.

    python3 bench/bench_esignet_login_odoo.py [--db g2p_bench_login] [--fresh]
        [--no-update] [--registrants 100,1000000] [--logins 30]
        [--concurrent 40] [--parallel 8] [--concurrent-account existing|new]
        [--log-sql]
"""

import argparse
import math
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg2
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_bench import (  # noqa: E402
    HTTP_TIMEOUT,
    REPO_ROOT,
    OdooLog,
    Perf,
    connect,
    free_port,
    ms,
    new_session,
    percentile,
    prepare_database,
    run_in_workdir,
    run_shell,
    start_odoo,
    start_process,
    stop_process,
    wait_until,
    write_test_config,
)

sys.path.insert(0, str(REPO_ROOT / "tests"))

from emulators.esignet.browser import EmulatorLoginError, headless_login  # noqa: E402
from repo import register_bare_addon_packages  # noqa: E402
from tooling import client_registration_request, register_client  # noqa: E402

register_bare_addon_packages()

from g2p_auth_esignet.oidc import load_private_key, public_jwk  # noqa: E402

ADDON = "g2p_auth_esignet"
EMULATOR_DIR = REPO_ROOT / "tests" / "emulators" / "esignet"
PSUT_SECRET = "demo"
MARIA = "5037418692"  # the measured identity (identities.json, OTP 111111)
WARM_UP_PERSON = "4630918275"  # Amadou
PROVIDER_NAME = "eSignet (login benchmark)"
SEED_NAME = "Bench Registrant "  # + the registrant's number, 1..N
NATIONAL_ID_BASE = 2_000_000_000  # national ID = base + number: 10 digits
SEED_BATCH = 200_000

TARGET_QUERIES = 25
TARGET_DB_RATIO = 1.20


class LoginFailed(Exception):
    """A login that did not end signed in; ``kind`` groups them in the report."""

    def __init__(self, kind, detail=""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass
class Login:
    session: requests.Session
    code: str
    uid: int


@dataclass
class SizeResult:
    registrants: int
    first: Perf
    returning: list = field(default_factory=list)


# -- database --------------------------------------------------------------------


def _not_null_columns(cr, table):
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL",
        (table,),
    )
    return {name for (name,) in cr.fetchall()}


# The seeded columns; any other NOT NULL column without default stops the seed.
PARTNER_SEED_SQL = """
WITH new_partner AS (
    INSERT INTO res_partner (
        id, name, complete_name, company_id, commercial_partner_id, type,
        active, is_company, partner_share, is_registrant, is_group, lang,
        create_uid, write_uid, create_date, write_date
    )
    SELECT id, name, name, %(company)s, id, 'contact',
           true, false, true, true, false, 'en_US',
           1, 1, now() at time zone 'utc', now() at time zone 'utc'
    FROM (
        SELECT nextval('res_partner_id_seq') AS id, %(prefix)s || n AS name
        FROM generate_series(%(first)s, %(last)s) AS n
    ) AS numbered
    RETURNING id, name
)
INSERT INTO g2p_reg_id (
    partner_id, id_type, value, status, is_psut,
    create_uid, write_uid, create_date, write_date
)
SELECT id, %(id_type)s,
       (%(base)s + substring(name FROM %(offset)s)::bigint)::text, 'valid', false,
       1, 1, now() at time zone 'utc', now() at time zone 'utc'
FROM new_partner
"""
PARTNER_COLUMNS = {"id", "company_id"}
REG_ID_COLUMNS = {"id", "partner_id", "id_type"}
SEEDED = "name LIKE %(pattern)s AND is_registrant AND NOT is_group"


def _trim_registrants(conn, params):
    """Delete the seeded registrants numbered above ``params['target']``."""
    with conn.cursor() as cr:
        try:
            # Nothing references seeded rows: skip the foreign-key checks of
            # the dozens of tables referencing res_partner (a seq scan each
            # per deleted row). Superuser only; otherwise just slower.
            cr.execute("SAVEPOINT fk_checks")
            cr.execute("SET LOCAL session_replication_role = replica")
        except psycopg2.Error:
            cr.execute("ROLLBACK TO SAVEPOINT fk_checks")
        cr.execute(
            "CREATE TEMP TABLE extra ON COMMIT DROP AS SELECT id FROM res_partner "
            f"WHERE {SEEDED} AND substring(name FROM %(offset)s)::bigint "
            "> %(target)s",
            params,
        )
        cr.execute("DELETE FROM g2p_reg_id WHERE partner_id IN (SELECT id FROM extra)")
        cr.execute("DELETE FROM res_partner WHERE id IN (SELECT id FROM extra)")
    conn.commit()


def seed_registrants(config, database, target, national_id_type):
    """Top the seeded registrants up (or trim them) to exactly ``target``."""
    conn = connect(config, database)
    params = {"pattern": SEED_NAME + "%", "offset": len(SEED_NAME) + 1}
    try:
        with conn.cursor() as cr:
            for table, known in (
                ("res_partner", PARTNER_COLUMNS),
                ("g2p_reg_id", REG_ID_COLUMNS),
            ):
                unknown = _not_null_columns(cr, table) - known
                if unknown:
                    raise RuntimeError(f"{table}: fill NOT NULL {sorted(unknown)}")
            cr.execute(f"SELECT count(*) FROM res_partner WHERE {SEEDED}", params)
            count = cr.fetchone()[0]
            cr.execute("SELECT min(id) FROM res_company")
            company = cr.fetchone()[0]
        started = time.monotonic()
        trimmed = count > target
        if trimmed:
            print(f"  trimming seeded registrants {count} -> {target}", flush=True)
            _trim_registrants(conn, dict(params, target=target))
        while count < target:
            last = min(target, count + SEED_BATCH)
            with conn.cursor() as cr:
                cr.execute(
                    PARTNER_SEED_SQL,
                    {
                        "company": company,
                        "prefix": SEED_NAME,
                        "first": count + 1,
                        "last": last,
                        "id_type": national_id_type,
                        "base": NATIONAL_ID_BASE,
                        "offset": params["offset"],
                    },
                )
            conn.commit()  # each batch whole: the count stays the numbering
            print(f"  seeded registrants {count + 1}..{last}", flush=True)
            count = last
        conn.commit()
        conn.autocommit = True  # VACUUM runs outside a transaction
        # After a trim, FULL gives the tables and indexes of a database that
        # never had the extra rows. CHECKPOINT: no seeding writes left to
        # flush while the logins are timed.
        vacuum = "VACUUM FULL ANALYZE" if trimmed else "VACUUM ANALYZE"
        with conn.cursor() as cr:
            cr.execute(f"{vacuum} res_partner")
            cr.execute(f"{vacuum} g2p_reg_id")
            try:
                cr.execute("CHECKPOINT")
            except psycopg2.Error:
                pass  # not a superuser: only less settled
        print(f"  {target} registrants ready ({time.monotonic() - started:.0f}s)")
    finally:
        conn.close()


# -- provider configuration (odoo-bin shell, as superuser) ----------------------

CONFIGURE_SCRIPT = """
import json
from odoo.addons.g2p_auth_esignet.models.auth_oauth_provider import DEFAULT_MAPPING

params = json.loads(PARAMS)
IdType = env["g2p.id.type"]
psut_type = IdType.search([("name", "=", "MOSIP PSUT")], limit=1) or IdType.create(
    {"name": "MOSIP PSUT"}
)
national_id_type = IdType.search(
    [("name", "=", "National ID")], limit=1
) or IdType.create({"name": "National ID"})
Gender = env["gender.type"]
for code in ("Male", "Female"):
    if not Gender.search([("code", "=ilike", code)]):
        Gender.create({"code": code, "value": code.lower()})
values = {
    "name": params["name"],
    "flow": "id_token_code",
    "client_id": params["client_id"],
    "enabled": True,
    "body": "Log in with national ID",
    "scope": "openid profile",
    "auth_endpoint": params["issuer"] + "/authorize",
    "esignet_issuer": params["issuer"],
    "client_private_key_new": params["private_key"],
    "g2p_use_reg_id": True,
    "g2p_id_type": psut_type.id,
    "partner_creation_validate_response": DEFAULT_MAPPING,
    "esignet_link_registration": True,
}
Provider = env["auth.oauth.provider"]
provider = Provider.search([("name", "=", params["name"])], limit=1)
if provider:
    provider.write(values)
else:
    provider = Provider.create(values)
provider.action_esignet_discover()
provider.action_esignet_clear_jwks_cache()  # a new emulator, new signing key
env.cr.commit()
print("BENCH_CONFIG " + json.dumps(
    {"provider_id": provider.id, "national_id_type": national_id_type.id}
))
"""


def configure_provider(config, database, issuer, client_id, private_key_pem):
    params = {
        "name": PROVIDER_NAME,
        "issuer": issuer,
        "client_id": client_id,
        "private_key": private_key_pem,
    }
    return run_shell(config, database, CONFIGURE_SCRIPT, params, "BENCH_CONFIG")


# -- the eSignet emulator (its own process) -------------------------------------


def start_emulator(workdir):
    port = free_port()
    cmd = [
        sys.executable,
        str(EMULATOR_DIR),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--psut-secret",
        PSUT_SECRET,
        "--allow-client-registration",
        "--log-level",
        "WARNING",
    ]
    log = workdir / "emulator.log"
    process = start_process(cmd, log)
    base = f"http://127.0.0.1:{port}"
    probe = new_session()
    wait_until(
        lambda: probe.get(base + "/_emulator/health", timeout=5).ok,
        "eSignet emulator",
        30,
        process,
        log,
    )
    return process, base


def client_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return pem, public_jwk(load_private_key(pem))


# -- the Odoo server -------------------------------------------------------------


class CallbackLog(OdooLog):
    """The callback lines of Odoo's log (``/auth_oauth/signin``), by code."""

    def __init__(self, path):
        super().__init__(path, key=self._code)

    @staticmethod
    def _code(method, target):
        parts = urlsplit(target)
        if method != "GET" or parts.path != "/auth_oauth/signin":
            return None
        return parse_qs(parts.query).get("code", [""])[0]

    def problems(self, addons=(ADDON,)):
        return super().problems(addons)


# -- one login ----------------------------------------------------------------------


def session_uid(session, base):
    response = session.post(
        base + "/web/session/get_session_info",
        json={"jsonrpc": "2.0", "method": "call", "params": {}},
        timeout=HTTP_TIMEOUT,
    )
    body = response.json()
    return (body.get("result") or {}).get("uid")


def _error_check(session, base):
    page = session.get(base + "/auth_esignet/error", timeout=HTTP_TIMEOUT)
    match = re.search(r"<code>([^<]*)</code>", page.text)
    return match.group(1) if match else f"HTTP {page.status_code}"


def login(base, provider_id, individual_id):
    """A whole login in a new browser session; raises LoginFailed."""
    session = new_session()
    try:
        start = session.get(
            f"{base}/auth_esignet/login/{provider_id}",
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        if start.status_code != 303:
            raise LoginFailed("login button", f"HTTP {start.status_code}")
        try:
            callback = headless_login(start.headers["Location"], individual_id)
        except EmulatorLoginError as error:
            raise LoginFailed("emulator", str(error)) from None
        parts = urlsplit(callback)
        code = parse_qs(parts.query).get("code", [""])[0]
        if parts.path != "/auth_oauth/signin" or not code:
            raise LoginFailed("emulator", f"no code in {parts.path}")
        response = session.get(callback, allow_redirects=False, timeout=HTTP_TIMEOUT)
        target = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 303:
            raise LoginFailed("callback", f"HTTP {response.status_code}")
        if target == "/auth_esignet/error":
            raise LoginFailed(f"error page: {_error_check(session, base)}")
        if target != "/my":
            raise LoginFailed("callback", f"redirect to {target}")
        uid = session_uid(session, base)
        if not uid:
            raise LoginFailed("not signed in after the callback")
        return Login(session, code, uid)
    except requests.Timeout:
        raise LoginFailed("timeout") from None
    except requests.RequestException as error:
        raise LoginFailed(type(error).__name__, str(error)[:200]) from None


# -- measurements ----------------------------------------------------------------


def warm_up(base, provider_id):
    """Untimed returning logins of another person, two at a time.

    Creating a user (a registration) clears the ORM caches of every worker;
    these refill them on both workers, so the timed logins are steady-state.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _: login(base, provider_id, WARM_UP_PERSON), range(6)))


def measure_size(base, odoo_log, provider_id, registrants, logins):
    login(base, provider_id, WARM_UP_PERSON)  # registers them, untimed
    warm_up(base, provider_id)
    first = login(base, provider_id, MARIA)
    result = SizeResult(registrants, odoo_log.perf([first.code])[0])
    print(
        f"  first login: {result.first.queries} queries, "
        f"{ms(result.first.server_s)} ms",
        flush=True,
    )
    warm_up(base, provider_id)
    codes = [login(base, provider_id, MARIA).code for _ in range(logins)]
    result.returning = odoo_log.perf(codes)
    return result


def run_concurrent(base, odoo_log, provider_id, count, parallel):
    def one(_):
        started = time.perf_counter()
        try:
            result = login(base, provider_id, MARIA)
        except LoginFailed as error:
            return error, time.perf_counter() - started
        return result, time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=parallel) as pool:
        outcomes = list(pool.map(one, range(count)))
    signed_in = [o for o, _ in outcomes if isinstance(o, Login)]
    errors = {}
    for outcome, _ in outcomes:
        if isinstance(outcome, LoginFailed):
            errors[outcome.kind] = errors.get(outcome.kind, 0) + 1
    # A later login of the same person must not have signed the others out.
    still = sum(1 for o in signed_in if session_uid(o.session, base) == o.uid)
    walls = [wall for _, wall in outcomes]
    perfs = odoo_log.perf([o.code for o in signed_in]) if signed_in else []
    print(f"\nconcurrent: {count} logins of one identity, {parallel} at a time")
    print(f"  signed in after the callback: {len(signed_in)}/{count}")
    print(f"  still signed in when all were done: {still}/{count}")
    print(f"  errors: {errors or 'none'}")
    print(f"  whole login p95: {ms(percentile(walls, 0.95))} ms (client side)")
    if perfs:
        server = [p.server_s for p in perfs]
        print(
            f"  callback server time median/p95: {ms(statistics.median(server))}/"
            f"{ms(percentile(server, 0.95))} ms; queries max "
            f"{max(p.queries for p in perfs)}"
        )
    verdict = "met" if still == count else "NOT met"
    print(f"  target: all {count} signed in and still so: {verdict}")


def print_table(results):
    header = (
        "registrants",
        "first-login queries",
        "first-login ms",
        "returning queries med/max",
        "returning DB ms med (min)",
        "callback ms med/p95",
    )
    rows = []
    for r in results:
        queries = [p.queries for p in r.returning]
        server = [p.server_s for p in r.returning]
        sql = [p.sql_s for p in r.returning]
        rows.append(
            (
                f"{r.registrants:,}",
                str(r.first.queries),
                ms(r.first.server_s),
                f"{statistics.median(queries):g}/{max(queries)}",
                f"{ms(statistics.median(sql))} ({ms(min(sql))})",
                f"{ms(statistics.median(server))}/{ms(percentile(server, 0.95))}",
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print()
    for row in (header, *rows):
        print(" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    worst = max(max(p.queries for p in r.returning) for r in results)
    verdict = "met" if worst <= TARGET_QUERIES else "NOT met"
    print(f"returning login ≤ {TARGET_QUERIES} queries: {verdict} (max {worst})")
    if len(results) > 1:
        small, large = results[0], results[-1]

        def ratio(pick):
            low = pick(p.sql_s for p in small.returning)
            return pick(p.sql_s for p in large.returning) / low if low else math.inf

        median_ratio = ratio(statistics.median)
        verdict = "met" if median_ratio <= TARGET_DB_RATIO else "NOT met"
        # The minimum is the least disturbed by other load on the machine.
        print(
            f"returning DB time {large.registrants:,} / {small.registrants:,} "
            f"registrants: median {median_ratio:.2f} (target ≤ {TARGET_DB_RATIO:.2f}: "
            f"{verdict}), min {ratio(min):.2f}"
        )


# -- main ----------------------------------------------------------------------------


def parse_sizes(text):
    sizes = sorted({int(part.replace("_", "")) for part in text.split(",") if part})
    if not sizes or sizes[0] < 0:
        raise argparse.ArgumentTypeError("registrant counts: N[,M,...], N >= 0")
    return sizes


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="g2p_bench_login")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help=f"reuse the database without updating {ADDON} first",
    )
    parser.add_argument("--registrants", type=parse_sizes, default=[100])
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument(
        "--log-sql",
        action="store_true",
        help="log every query with its time in Odoo's log (slows the server)",
    )
    parser.add_argument("--concurrent", type=int, default=40, help="0: skip")
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument(
        "--concurrent-account",
        choices=("existing", "new"),
        default="existing",
        help="concurrent logins of the returning person, or of a person "
        "without an account yet (they race to create it)",
    )
    return parser


def run(args, workdir):
    config, _source = write_test_config(workdir)
    prepare_database(config, args.db, args.fresh, not args.no_update, workdir, ADDON)
    emulator = odoo = None
    odoo_port = free_port()
    redirect_uri = f"http://127.0.0.1:{odoo_port}/auth_oauth/signin"
    run_id = time.strftime("%Y%m%d%H%M%S")
    pem, jwk = client_key()
    try:
        emulator, issuer = start_emulator(workdir)
        log = workdir / "odoo.log"
        odoo, base = start_odoo(config, args.db, odoo_port, log, log_sql=args.log_sql)
        odoo_log = CallbackLog(log)
        print(f"Odoo {base} (log {log}), eSignet emulator {issuer}")

        def use_client(suffix):
            # A client id of its own gives the person a new PSUT: a first
            # login that registers a new account.
            client_id = f"g2p-bench-{run_id}-{suffix}"
            register_client(
                issuer, client_registration_request(client_id, jwk, [redirect_uri])
            )
            return configure_provider(config, args.db, issuer, client_id, pem)

        results = []
        for size in args.registrants:
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"\n{size:,} registrants (load average {load})", flush=True)
            ids = use_client(size)
            seed_registrants(config, args.db, size, ids["national_id_type"])
            results.append(
                measure_size(base, odoo_log, ids["provider_id"], size, args.logins)
            )
        print_table(results)
        if args.concurrent:
            if args.concurrent_account == "new":
                ids = use_client("concurrent")
            run_concurrent(
                base, odoo_log, ids["provider_id"], args.concurrent, args.parallel
            )
    except LoginFailed as error:
        print(f"\nlogin failed: {error}")
        return 1
    finally:
        stop_process(odoo, "Odoo")
        stop_process(emulator, "eSignet emulator")
        problems = CallbackLog(workdir / "odoo.log").problems()
        if problems:
            print(f"\n{len(problems)} error/warning record(s) in the Odoo log, last:")
            print("\n".join(problems[-5:]))
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_in_workdir(run, args, "g2p-bench-login-")


if __name__ == "__main__":
    sys.exit(main())
