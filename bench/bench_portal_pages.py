#!/usr/bin/env python3
"""Benchmark: the registrant portal's pages at size, beside Odoo's own pages.

Seeds a database with ``g2p_entitlement_tracking`` installed (so
``g2p_self_service_portal``, ``g2p_portal_forms`` and ``g2p_auth_esignet``)
with ``--programs`` published programs (each with a mandatory document, paid
from one of two journals, in USD or in KES), ``--registrants`` registrants
(one in ten with one to three applications) and two registrants with a portal
user:

* ``bench-portal-registrant``, who has ``--applications`` applications over as
  many programs, is enrolled in one program in five, and has
  ``--entitlements`` entitlements over cycles of those programs (in every
  phase: mostly paid, some approved, sent for payment, in review, rejected,
  cancelled, expired), ``--payments`` payments of them (mostly paid, some
  failed, some pending), one notification per entitlement and, on the newest
  paid entitlement, a status history;
* ``bench-portal-registrant-small``: the same applications and enrolments, a
  tenth of the entitlements, payments and notifications, in the same cycles.

A plain portal user who is not a registrant (a customer),
``bench-portal-customer``, gives the baseline: its ``/my/home`` is Odoo's own
portal home (the addons serve the dashboard to registrants only).

The few records that need the ORM (the form, the two journals, one template
program, registrant, application, membership, cycle, entitlement, payment and
notification, the three portal users) are made in ``odoo-bin shell``; every
other row is a copy of its template written with PostgreSQL's COPY (never the
ORM), so a million registrants take minutes. Seeding is incremental: programs
and registrants are topped up to the requested counts (never removed: an
earlier, larger run's registrants stay), the two bench registrants' own rows
are written again each run.

Then Odoo runs with ``--workers`` on 127.0.0.1 and each page is requested as
its logged-in user: warmed up (at least 3 requests, until every worker served
it twice), then ``--requests`` turns of one timed request per page, pages and
baseline in turn (so they share the machine's busy and quiet moments), one
at a time, each carrying a ``bench`` query parameter to find its werkzeug line
in Odoo's log (SQL queries, SQL time, other time); a page's server time is
SQL time plus other time. Three rounds:

1. and 2. the registrant's portal pages with all programs published, then
   with ten times fewer (the others unpublished by SQL), the registrant's own
   rows unchanged;
3. benefits: ``/my/benefits`` (all, ``?filterby=paid``, ``/page/2``), one
   benefit, ``/my/notifications`` and the dashboard ``/my``, as the registrant
   (``--entitlements`` and ``--payments``) and as the small registrant (a
   tenth), all programs published.

The baseline of every round is ``/my/home`` as the customer: Odoo's own
portal home, in the same database, measured in the same turns. For
reference, without a target: ``/my/security`` as the registrant (an Odoo
portal page the addons do not touch) and ``/my/account`` as the customer
(Odoo's own "My details", beside the registrant's profile page).

Under load (``--connections`` threads, each its own logged-in session,
straight to Odoo on the loopback, ``--load-seconds`` each) it compares the
dashboard's requests a second with ``/my/home``'s (and ``/my/security``'s,
for reference).

First visit: the sign-in page (signed out), the dashboard and an apply
page (as the registrant, its form on a real formio.js installed from npm
with ``formiojs-install``'s code: ``--formiojs-tarball``, else npm pack
formiojs@4.21.7) and ``/my/home`` (as the customer), each in a new headless
Chromium (cold cache, see ``page_weight.py``), through nginx compressing as
the README's deployment notes say, and straight from Odoo (no
compression): bytes per resource type (HTML, CSS, JS, fonts, images).

Targets (exit status 1 when one fails): the dashboard (``/my``,
``/selfservice/home``, ``/my/counters``) at most 20 queries and its median
server time at most 1.5 x the customer's ``/my/home``'s; every other page
at most 40 queries and its median at most twice ``/my/home``'s; every page
the same query count in every timed request and at both sizes (2,000 and
200 programs; full and a tenth of the benefits); under load the dashboard
serves at least 0.7 x ``/my/home``'s requests a second, with no error; on a
first visit through the compressing proxy the sign-in page and the
dashboard weigh at most 1.2 x ``/my/home``, the apply page at most 1.5 MiB;
no error in Odoo's log.

The database is kept and reused (``g2p_self_service_portal`` updated first,
so ``g2p_entitlement_tracking`` too, which is installed when missing, unless
``--no-update``); ``--fresh`` recreates it. Logs and work files stay in a
/tmp/g2p-bench-portal-* folder.

Its parts are in ``bench/portal_pages/``: the records made through the ORM
(``in_odoo.py``, run inside ``odoo-bin shell``), the seeding with COPY, the
measuring and the reporting; this file is the command and its run.

    python3 bench/bench_portal_pages.py [--db g2p_bench_portal] [--fresh]
        [--no-update] [--programs 2000] [--registrants 10000]
        [--applications 450] [--entitlements 5000] [--payments 5000]
        [--requests 30] [--load-seconds 20] [--connections 8] [--workers 2]
        [--skip-load] [--skip-weight] [--formiojs-tarball formiojs-4.21.7.tgz]
"""

import argparse
import re
import sys
import time
from urllib.parse import urlsplit

import page_weight
from odoo_bench import (
    HTTP_TIMEOUT,
    OdooLog,
    free_port,
    prepare_database,
    run_in_odoo,
    run_in_workdir,
    start_odoo,
    stop_process,
    write_test_config,
)
from portal_pages.common import (
    ADDON,
    ANSWERS,
    BUILDER_NAME,
    CUSTOMER_LOGIN,
    CUSTOMER_NAME,
    DASHBOARD_MARKER,
    FORMIOJS_SPEC,
    IN_ODOO,
    JOURNALS,
    OUR_ADDONS,
    PASSWORD,
    PROGRAM_PREFIX,
    REGISTRANT_PREFIX,
    SCHEMA,
    SETUP_TIMEOUT,
    SKIPPED,
    SMALL_LOGIN,
    SMALL_NAME,
    SMALL_SHARE,
    STORE_NAME,
    TEMPLATE_CYCLE,
    UPDATE_ADDON,
    USER_LOGIN,
    USER_NAME,
    WEIGHT_APPLY,
)
from portal_pages.measuring import (
    Page,
    Runner,
    apply_target,
    install_formiojs,
    load,
    login,
    measure_weights,
)
from portal_pages.reporting import (
    Row,
    check_targets,
    describe_people,
    print_loads,
    print_problems,
    print_round,
    print_table,
)
from portal_pages.seeding import (
    publish,
    seed,
    small_size,
    user_targets,
)

# -- main ----------------------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="g2p_bench_portal")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help=f"reuse the database without updating {UPDATE_ADDON} (and {ADDON}) first",
    )
    parser.add_argument("--programs", type=int, default=2000)
    parser.add_argument("--registrants", type=int, default=10000)
    parser.add_argument(
        "--applications",
        type=int,
        default=450,
        help="applications of each bench registrant, over as many programs",
    )
    parser.add_argument(
        "--entitlements",
        type=int,
        default=5000,
        help=f"of the bench registrant (the small one: 1/{SMALL_SHARE})",
    )
    parser.add_argument(
        "--payments",
        type=int,
        default=5000,
        help="of the bench registrant's entitlements, one each in turn "
        f"(the small one: 1/{SMALL_SHARE})",
    )
    parser.add_argument(
        "--requests", type=int, default=30, help="timed requests per page and size"
    )
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument(
        "--skip-weight", action="store_true", help="no first-visit weights"
    )
    parser.add_argument(
        "--formiojs-tarball",
        help="formiojs npm tarball for the apply page's form (default: "
        f"$G2P_FORMIOJS_TARBALL, else npm pack formiojs@{FORMIOJS_SPEC})",
    )
    parser.add_argument("--chromium", help="Chromium binary (default: from PATH)")
    return parser


def build_pages(program_id, application_id):
    return [
        Page("/my (dashboard)", "/my"),
        Page("/selfservice/home", "/selfservice/home"),
        Page("/my/counters (dashboard counters)", "/my/counters", counters=[]),
        Page("/my/programs", "/my/programs"),
        Page("/my/programs?filterby=open", "/my/programs?filterby=open"),
        Page("/my/programs?filterby=applied", "/my/programs?filterby=applied"),
        Page("/my/programs?filterby=enrolled", "/my/programs?filterby=enrolled"),
        Page("/my/programs/<id>", f"/my/programs/{program_id}"),
        Page("/my/applications", "/my/applications"),
        Page("/my/applications/<id>", f"/my/applications/{application_id}"),
        Page("/my/account", "/my/account"),
        Page("/my/submissions", "/my/submissions"),
    ]


# (label, path): the benefits round's pages, {detail} an entitlement's id.
BENEFIT_PAGES = (
    ("/my/benefits", "/my/benefits"),
    ("/my/benefits?filterby=paid", "/my/benefits?filterby=paid"),
    ("/my/benefits/page/2", "/my/benefits/page/2"),
    ("/my/benefits/<id>", "/my/benefits/{detail}"),
    ("/my/notifications", "/my/notifications"),
    ("/my (dashboard)", "/my"),
)
SMALL_SUFFIX = " [a tenth]"


def build_benefit_pages(people):
    """[(page as the registrant, page as the small registrant)]."""
    pairs = []
    for label, path in BENEFIT_PAGES:
        details = [people[tag]["detail_id"] for tag in ("U", "S")]
        if "{detail}" in path and not all(details):
            continue  # no paid entitlement with a payment to open
        pairs.append(
            (
                Page(label, path.format(detail=details[0])),
                Page(
                    label + SMALL_SUFFIX,
                    path.format(detail=details[1]),
                    who="small",
                ),
            )
        )
    return pairs


SECURITY = "/my/security (Odoo's own)"
CUSTOMER_HOME = "/my/home (customer)"
CUSTOMER_ACCOUNT = "/my/account (customer)"


def run(args, workdir):
    config, _source = write_test_config(workdir)
    prepare_database(
        config,
        args.db,
        args.fresh,
        not args.no_update,
        workdir,
        ADDON,
        update_addon=UPDATE_ADDON,
    )
    print("setting up the portal users and template records ...", flush=True)
    started = time.monotonic()
    setup = run_in_odoo(
        config,
        args.db,
        IN_ODOO,
        "set_up",
        {
            "store": STORE_NAME,
            "builder": BUILDER_NAME,
            "schema": SCHEMA,
            "answers": ANSWERS,
            "journals": JOURNALS,
            "program": f"{PROGRAM_PREFIX}{1:05d}",
            "registrant": f"{REGISTRANT_PREFIX}{1:07d}",
            "cycle": TEMPLATE_CYCLE,
            "user_login": USER_LOGIN,
            "user_name": USER_NAME,
            "small_login": SMALL_LOGIN,
            "small_name": SMALL_NAME,
            "customer_login": CUSTOMER_LOGIN,
            "customer_name": CUSTOMER_NAME,
            "password": PASSWORD,
        },
        timeout=SETUP_TIMEOUT,
    )
    print(f"  done ({time.monotonic() - started:.0f}s)")
    print("seeding with COPY ...", flush=True)
    started = time.monotonic()
    figures = seed(config, args, setup)
    people = figures["people"]
    print(
        f"  seeded in {time.monotonic() - started:.0f}s: {figures['programs']} bench "
        f"programs; {figures['registrants']} registrants in the database "
        f"({figures['registrants_new']} new); {figures['applications_all']} "
        f"applications in all; each bench registrant: {figures['applications']} "
        f"applications, {figures['memberships']} enrolments ({figures['cycles']} "
        f"cycles); {describe_people(people)}"
    )
    application_id, program_id = user_targets(config, args, setup)
    weight_note, binary, apply_path = "", None, None
    if args.skip_weight:
        weight_note = SKIPPED
    else:
        binary = args.chromium or page_weight.find_chromium()
        try:
            if not binary:
                raise RuntimeError("Chromium not found (--chromium)")
            print("formio.js from npm on the bench form ...", flush=True)
            version = install_formiojs(config, args, workdir)
            apply_path = f"/my/programs/{apply_target(config, args, setup)}/apply"
            print(f"  formio.js {version}; apply page {apply_path}")
        except (RuntimeError, OSError) as error:
            weight_note = str(error).splitlines()[0][:300]
            print(f"  first-visit weights not measured: {weight_note}")
    sizes = (args.programs, small_size(args))
    pages = build_pages(program_id, application_id)
    customer_home = Page(CUSTOMER_HOME, "/my/home", who="customer", kind="baseline")
    security = Page(SECURITY, "/my/security", kind="reference")
    others = [
        customer_home,
        security,
        Page(CUSTOMER_ACCOUNT, "/my/account", who="customer", kind="reference"),
    ]
    benefit_pairs = build_benefit_pages(people)
    benefit_pages = [page for pair in benefit_pairs for page in pair]
    odoo = None
    log = workdir / "odoo.log"
    rounds, loads, notes = [], [], []
    benefits = {}
    weight_tables = []
    try:
        publish(config, args.db, sizes[0])
        odoo, base = start_odoo(
            config,
            args.db,
            free_port(),
            log,
            workers=args.workers,
            extra_args=("--limit-time-real=300",),
        )
        print(f"Odoo {base}, {args.workers} workers (log {log})")
        sessions = {
            "registrant": login(base, USER_LOGIN, PASSWORD),
            "small": login(base, SMALL_LOGIN, PASSWORD),
            "customer": login(base, CUSTOMER_LOGIN, PASSWORD),
        }
        home = sessions["registrant"].get(base + "/my", timeout=HTTP_TIMEOUT)
        counters = sorted(
            set(re.findall(r'data-placeholder_count="([^"]+)"', home.text))
        )
        pages[2].counters = counters
        notes.append(f"/my/counters: the counters the dashboard asks for: {counters}")
        answer = sessions["customer"].get(base + "/my/home", timeout=HTTP_TIMEOUT)
        notes.append(
            f"{CUSTOMER_HOME}: the baseline of every target: "
            + (
                "WARNING: it went through the addon's dashboard (its page has "
                f"{DASHBOARD_MARKER}), so it is not Odoo's own home"
                if DASHBOARD_MARKER in answer.text
                else "Odoo's own portal home (the customer is no registrant: "
                "no dashboard code), measured in the same turns as the pages"
            )
        )
        notes.append(
            f"{SECURITY}: Odoo's portal security page as the registrant, "
            "untouched by the addons, in the same portal layout; for "
            "reference, no target"
        )
        notes.append(
            f"{CUSTOMER_ACCOUNT}: Odoo's own 'My details' page (the addon's "
            "profile page serves registrants only), beside the registrant's "
            "/my/account; for reference, no target"
        )
        notes.append(
            f"benefits: the pages as {USER_LOGIN} (full size) and as "
            f"{SMALL_LOGIN} (a tenth: same applications and enrolments), all "
            f"programs published; /my/benefits/<id>: the newest paid "
            f"entitlement with a payment and a status history "
            f"({people['U']['detail_id']} / {people['S']['detail_id']}); the "
            f"baseline row is one measure of {CUSTOMER_HOME} in that round, "
            "shown in both columns"
        )
        every = pages + others
        runner = Runner(base, log, args.workers)
        for number, size in enumerate(sizes):
            total = publish(config, args.db, size)
            print(
                f"round {number + 1}: {size} bench programs published "
                f"({total} published in all); warm-up, then {args.requests} turns "
                "of one timed request per page ...",
                flush=True,
            )
            measures = runner.measure(sessions, every, args.requests)
            print_round(measures, every)
            rounds.append(measures)
        total = publish(config, args.db, sizes[0])
        if benefit_pages:
            print(
                f"round 3, benefits: {sizes[0]} bench programs published ({total} "
                f"in all); warm-up, then {args.requests} turns of one timed "
                "request per page ...",
                flush=True,
            )
            benefit_every = benefit_pages + [customer_home]
            benefits = runner.measure(sessions, benefit_every, args.requests)
            print_round(benefits, benefit_every)
        if not args.skip_load:
            print(f"load: logging in {args.connections} sessions per user ...")
            pools = {
                who: [login(base, user, PASSWORD) for _ in range(args.connections)]
                for who, user in (
                    ("registrant", USER_LOGIN),
                    ("customer", CUSTOMER_LOGIN),
                )
            }
            for page in (pages[0], customer_home, security):
                print(f"  {page.label} for {args.load_seconds:g}s ...", flush=True)
                result = load(base, pools[page.who], page, args.load_seconds)
                loads.append((result, page.kind))
        if apply_path and not weight_note:
            print("first visits in headless Chromium (cold cache) ...", flush=True)
            try:
                weight_tables = measure_weights(
                    args, workdir, base, sessions, apply_path, binary
                )
            except (RuntimeError, OSError, page_weight.BrowserError) as error:
                weight_note = str(error).splitlines()[0][:300]
    finally:
        stop_process(odoo, "Odoo")
    problems = OdooLog(log).problems(OUR_ADDONS)
    print(
        f"\nresults: {figures['programs']} programs / {sizes[1]} published in the "
        f"second round; {figures['registrants']} registrants; each bench "
        f"registrant has {figures['applications']} applications, "
        f"{figures['memberships']} enrolments; {describe_people(people)}; server "
        f"times from Odoo's log, {args.requests} timed requests per page and size"
    )
    for note in notes:
        print(f"  note: {note}")
    tables = [
        (
            f"portal pages: {sizes[0]:,} programs vs {sizes[1]:,}",
            [
                Row(page.label, rounds[0][page.label], rounds[1][page.label], page.kind)
                for page in every
            ],
            sizes,
        )
    ]
    if benefits:
        big, small = people["U"], people["S"]
        if (big["entitlements"], small["entitlements"]) == (
            big["payments"],
            small["payments"],
        ):
            title = (
                f"benefits: {big['entitlements']:,} entitlements and payments "
                f"vs {small['entitlements']:,}"
            )
        else:
            title = (
                f"benefits: {big['entitlements']:,} entitlements and "
                f"{big['payments']:,} payments vs {small['entitlements']:,} and "
                f"{small['payments']:,}"
            )
        rows = [
            Row(one.label, benefits[one.label], benefits[two.label])
            for one, two in benefit_pairs
        ]
        rows.append(
            Row(
                CUSTOMER_HOME,
                benefits[CUSTOMER_HOME],
                benefits[CUSTOMER_HOME],
                "baseline",
            )
        )
        tables.append((title, rows, (big["entitlements"], small["entitlements"])))
    for title, rows, table_sizes in tables:
        print_table(title, rows, table_sizes)
    if loads:
        print_loads(loads, args)
    for title, weights in weight_tables:
        page_weight.print_weights(f"first visit, {title}", weights)
    if weight_tables:
        apply = weight_tables[0][1][2]
        print(f"  {WEIGHT_APPLY}: formio.js build {apply.formio}; largest files:")
        for transferred, decoded, url in apply.largest[:4]:
            print(
                f"    {page_weight.kib(transferred):>6} KiB "
                f"({page_weight.kib(decoded)} KiB decoded)  {urlsplit(url).path}"
            )
    ok = check_targets(
        [
            (title.split(":")[0], rows, table_sizes)
            for title, rows, table_sizes in tables
        ],
        loads,
        problems,
        weight_tables[0][1] if weight_tables else None,
        weight_note,
    )
    print_problems(problems)
    print(f"\nlogs in {workdir}")
    return 0 if ok else 1


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.programs < 10 or args.registrants < 1 or args.applications < 1:
        raise SystemExit("--programs >= 10, --registrants >= 1, --applications >= 1")
    if args.requests < 1 or args.entitlements < 0 or args.connections < 1:
        raise SystemExit("--requests >= 1, --entitlements >= 0, --connections >= 1")
    if args.payments < 0:
        raise SystemExit("--payments >= 0")
    return run_in_workdir(run, args, "g2p-bench-portal-")


if __name__ == "__main__":
    sys.exit(main())
