#!/usr/bin/env python3
"""Benchmark: the registrant portal's pages at size, beside Odoo's own pages.

Seeds a database with ``g2p_self_service_portal`` installed (so
``g2p_portal_forms`` and ``g2p_auth_esignet``) with ``--programs`` published
programs (each with a mandatory document), ``--registrants`` registrants (one
in ten with one to three applications) and one registrant with a portal user,
``bench-portal-registrant``, who has ``--applications`` applications over as
many programs, is enrolled in one program in five and has ``--entitlements``
entitlements over cycles of those programs. A plain portal user who is not a
registrant (a customer), ``bench-portal-customer``, gives the baseline.

The few records that need the ORM (the form, one template program,
registrant, application, membership, cycle and entitlement, the two portal
users) are made in ``odoo-bin shell``; every other row is a copy of its
template written with PostgreSQL's COPY (never the ORM), so a million
registrants take minutes. Seeding is incremental: programs and registrants are
topped up to the requested counts (never removed: an earlier, larger run's
registrants stay), the bench registrant's own rows are written again each run.

Then Odoo runs with ``--workers`` on 127.0.0.1 and each page is requested as
the logged-in registrant: warmed up (at least 3 requests, until every worker
served it twice), then ``--requests`` timed sequential requests, each carrying
a ``bench`` query parameter to find its werkzeug line in Odoo's log (SQL
queries, SQL time, other time). Twice: with all programs published, then with
ten times fewer (the others unpublished by SQL), the registrant's own rows
unchanged. The baselines, measured the same way:

* ``/my/security`` as the registrant: an Odoo portal page the addons do not
  touch, in the same portal layout;
* ``/my/home`` as the customer: Odoo's own home URL. In this database the
  addon's dashboard overrides it for every portal user, so it runs the
  dashboard's code with no data; the report says when it does.

Under load (``--connections`` threads, each its own logged-in session,
straight to Odoo on the loopback, ``--load-seconds`` each) it compares the
dashboard's requests a second with the baselines'.

Targets (exit status 1 when one fails): at most 40 queries per page, the
same in every timed request and at both sizes; each page's median server time
at most twice each baseline's; under load the dashboard serves at least half
of each baseline's requests a second, with no error; no error in Odoo's log.

The database is kept and reused (``g2p_self_service_portal`` updated first
unless ``--no-update``); ``--fresh`` recreates it. Logs and work files stay in
a /tmp/g2p-bench-portal-* folder.

    python3 bench/bench_portal_pages.py [--db g2p_bench_portal] [--fresh]
        [--no-update] [--programs 2000] [--registrants 10000]
        [--applications 450] [--entitlements 5000] [--requests 30]
        [--load-seconds 20] [--connections 8] [--workers 2] [--skip-load]
"""

import argparse
import io
import json
import math
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from odoo_bench import (  # noqa: E402
    HTTP_TIMEOUT,
    OdooLog,
    connect,
    free_port,
    handle_signals,
    new_session,
    percentile,
    prepare_database,
    run_shell,
    start_odoo,
    stop_process,
    write_test_config,
)

ADDON = "g2p_self_service_portal"
OUR_ADDONS = ("g2p_portal_forms", "g2p_self_service_portal", "g2p_auth_esignet")
PROGRAM_PREFIX = "Bench program "  # + the program's number, 5 digits
REGISTRANT_PREFIX = "Bench registrant "  # + the registrant's number, 7 digits
USER_LOGIN = "bench-portal-registrant"
USER_NAME = "Bench Portal Registrant"
CUSTOMER_LOGIN = "bench-portal-customer"
CUSTOMER_NAME = "Bench Portal Customer"
PASSWORD = "Bench-Portal-Pass-123"
BUILDER_NAME = "bench_portal_pages"
STORE_NAME = "Bench portal pages documents"
TEMPLATE_CYCLE = "Bench cycle template"
USER_CYCLE_PREFIX = "Bench cycle U-"  # the bench registrant's cycles
USER_APPLICATION_PREFIX = "BENCH-U-"
OTHER_APPLICATION_PREFIX = "BENCH-R-"
ENTITLEMENT_PREFIX = "BENCH-E-"
APPLICATION_STATES = ("active", "inprogress", "completed", "rejected", "closed")
ENTITLEMENT_STATES = ("approved", "trans2FSP", "rdpd2ben")
COPY_BATCH = 50_000
SETUP_TIMEOUT = 900
WARMUP = 3
MAX_WARMUP = 40
MAX_QUERIES = 40
WIDTH = 44  # of the page column
MAX_MEDIAN_RATIO = 2.0
MIN_LOAD_RATIO = 0.5
DASHBOARD_MARKER = "o_g2p_dashboard"
BENEFIT_ROUTES = ("/my/benefits", "/my/entitlements")

SCHEMA = {
    "display": "form",
    "components": [
        {
            "type": "textfield",
            "key": "full_name",
            "label": "Full name",
            "input": True,
            "validate": {"required": True, "maxLength": 100},
        },
        {
            "type": "number",
            "key": "household_size",
            "label": "Household size",
            "input": True,
            "validate": {"required": True, "min": 1, "max": 30},
        },
        {
            "type": "select",
            "key": "bank",
            "label": "Bank",
            "input": True,
            "data": {
                "values": [
                    {"label": "First Bank", "value": "first"},
                    {"label": "Second Bank", "value": "second"},
                ]
            },
        },
        {"type": "email", "key": "email", "label": "Email", "input": True},
        {
            "type": "button",
            "key": "submit",
            "label": "Submit",
            "action": "submit",
            "input": True,
        },
    ],
}
ANSWERS = {
    "full_name": "Bench Registrant",
    "household_size": 4,
    "bank": "first",
    "email": "bench-registrant@example.org",
}


# -- setup (odoo-bin shell, as superuser): the records that need the ORM --------

SETUP_SCRIPT = """
import json
from datetime import timedelta

from odoo import fields

params = json.loads(PARAMS)
today = fields.Date.today()

Store = env["storage.backend"]
store = Store.search([("name", "=", params["store"])], limit=1) or Store.create(
    {"name": params["store"], "backend_type": "filesystem"}
)
version = env["formio.version"].search([], limit=1) or env["formio.version"].create(
    {"name": "4.99.0-bench"}
)
Builder = env["formio.builder"]
named = [("name", "=", params["builder"])]
builder = Builder.search(named + [("state", "=", "CURRENT")], limit=1) or (
    Builder.search(named, order="id desc", limit=1)
)
if not builder:
    builder = Builder.create(
        {
            "name": params["builder"],
            "title": "Bench application",
            "formio_version_id": version.id,
            "schema": json.dumps(params["schema"]),
        }
    )
if builder.state != "CURRENT":
    builder.state = "CURRENT"

# The template program: number 1 of the bench programs.
Program = env["g2p.program"].with_context(active_test=False)
program = Program.search([("name", "=", params["program"])], limit=1)
program_values = {
    "description": "Support number 1",
    "portal_published": True,
    "self_service_portal_form": builder.id,
    "supporting_documents_store": store.id,
    "portal_open_until": "2999-12-31",
    "active": True,
}
if program:
    program.write(program_values)
else:
    program = Program.create(dict(program_values, name=params["program"]))
requirement = program.portal_document_requirement_ids[:1]
if not requirement:
    requirement = env["g2p.program.document.requirement"].create(
        {
            "program_id": program.id,
            "name": "Proof of income",
            "allowed_types": "pdf",
            "max_size_mb": 1,
            "mandatory": True,
        }
    )

Partner = env["res.partner"].with_context(active_test=False)
template = Partner.search(
    [("name", "=", params["registrant"]), ("is_registrant", "=", True)], limit=1
) or Partner.create(
    {"name": params["registrant"], "is_registrant": True, "is_group": False}
)

Users = env["res.users"].with_context(active_test=False, no_reset_password=True)
portal = env.ref("base.group_portal")


def portal_user(login, name, registrant):
    user = Users.search([("login", "=", login)], limit=1)
    if not user:
        partner = Partner.create(
            {
                "name": name,
                "is_registrant": registrant,
                "is_group": False,
                "email": login + "@example.org",
            }
        )
        user = Users.create(
            {
                "login": login,
                "partner_id": partner.id,
                "groups_id": [(6, 0, [portal.id])],
            }
        )
    if not user.active:
        user.active = True
    return user


user = portal_user(params["user_login"], params["user_name"], True)
customer = portal_user(params["customer_login"], params["customer_name"], False)
hashed = Users._crypt_context().hash(params["password"])
for each in user | customer:
    each._set_encrypted_password(each.id, hashed)

# Templates of the rows COPY writes: the template registrant's own.
Application = env["g2p.program.registrant_info"]
application = Application.search(
    [("registrant_id", "=", template.id), ("program_id", "=", program.id)], limit=1
) or Application.create(
    {
        "registrant_id": template.id,
        "program_id": program.id,
        "state": "active",
        "program_registrant_info": params["answers"],
        "portal_form_id": builder.id,
        "portal_form_schema": params["schema"],
        "portal_submitted_at": fields.Datetime.now(),
    }
)
Membership = env["g2p.program_membership"]
membership = Membership.search(
    [("partner_id", "=", template.id), ("program_id", "=", program.id)], limit=1
) or Membership.create(
    {"partner_id": template.id, "program_id": program.id, "state": "enrolled"}
)
Cycle = env["g2p.cycle"]
cycle = Cycle.search(
    [("program_id", "=", program.id), ("name", "=", params["cycle"])], limit=1
) or Cycle.create(
    {
        "program_id": program.id,
        "name": params["cycle"],
        "start_date": today - timedelta(days=30),
        "end_date": today - timedelta(days=1),
        "sequence": 1,
    }
)
Entitlement = env["g2p.entitlement"]
entitlement = Entitlement.search(
    [("partner_id", "=", template.id), ("cycle_id", "=", cycle.id)], limit=1
) or Entitlement.create(
    {
        "partner_id": template.id,
        "cycle_id": cycle.id,
        "initial_amount": 100.0,
        "state": "approved",
        "valid_from": today - timedelta(days=30),
    }
)
env.cr.commit()
print("BENCH_PAGES_SETUP " + json.dumps(
    {
        "builder_id": builder.id,
        "program_id": program.id,
        "requirement_id": requirement.id,
        "registrant_id": template.id,
        "user_id": user.id,
        "user_partner_id": user.partner_id.id,
        "customer_partner_id": customer.partner_id.id,
        "application_id": application.id,
        "membership_id": membership.id,
        "cycle_id": cycle.id,
        "entitlement_id": entitlement.id,
    }
))
"""


# -- seeding with COPY ------------------------------------------------------------


def copy_text(value):
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    elif isinstance(value, datetime):
        value = value.isoformat(sep=" ")
    elif isinstance(value, date):
        value = value.isoformat()
    return escape_copy(str(value))


def escape_copy(text):
    if text is None:
        return r"\N"
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def batched(items, size):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class TableCopy:
    """Rows of ``table`` written with COPY: copies of a template row (every
    column, as PostgreSQL writes it as text), with some columns changed.

    Columns the table lacks are left out of the changes, so a database
    with fewer modules installed still takes the rows.
    """

    def __init__(self, cr, table, template_id):
        self.cr, self.table = cr, table
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = %s "
            "ORDER BY ordinal_position",
            (table,),
        )
        self.columns = [row[0] for row in cr.fetchall()]
        select = ", ".join(f'"{column}"::text' for column in self.columns)
        cr.execute(f'SELECT {select} FROM "{table}" WHERE id = %s', (template_id,))
        row = cr.fetchone()
        if row is None:
            raise RuntimeError(f"{table}: template row {template_id} not found")
        self.template = [escape_copy(value) for value in row]

    def reserve_ids(self, count):
        """The first of ``count`` new ids, taken from the table's sequence."""
        cr = self.cr
        cr.execute("SELECT pg_get_serial_sequence(%s, 'id')", (self.table,))
        sequence = cr.fetchone()[0]
        cr.execute("SELECT nextval(%s)", (sequence,))
        first = cr.fetchone()[0]
        if count > 1:
            cr.execute("SELECT setval(%s, %s)", (sequence, first + count - 1))
        return first

    def copy(self, rows):
        """COPY ``rows`` (dicts of changed columns, ``id`` included)."""
        buffer = io.StringIO()
        count = 0
        for changes in rows:
            values = [
                copy_text(changes[column]) if column in changes else template
                for column, template in zip(self.columns, self.template, strict=True)
            ]
            buffer.write("\t".join(values))
            buffer.write("\n")
            count += 1
        if count:
            buffer.seek(0)
            columns = ", ".join(f'"{column}"' for column in self.columns)
            self.cr.copy_expert(
                f'COPY "{self.table}" ({columns}) FROM STDIN', buffer, size=1 << 20
            )
        return count


def timed(what):
    """Print ``what``, then its duration when the block ends."""

    class Timer:
        def __enter__(self):
            print(f"  {what} ...", end="", flush=True)
            self.started = time.monotonic()
            return self

        def __exit__(self, kind, *_):
            if kind is None:
                print(f" {time.monotonic() - self.started:.1f}s", flush=True)

    return Timer()


def program_index(k, programs, applications):
    """The program (1-based number) of the bench registrant's application k."""
    if applications <= programs:
        return k * programs // applications + 1
    return k % programs + 1


def seed(config, args, setup):
    """Top up programs and registrants, write the bench registrant's rows."""
    conn = connect(config, args.db)
    now = datetime.now().replace(microsecond=0)
    today = date.today()
    figures = {}
    try:
        cr = conn.cursor()
        # -- programs, each with its required document
        cr.execute(
            "SELECT name, id FROM g2p_program WHERE name LIKE %s",
            (PROGRAM_PREFIX + "%",),
        )
        program_ids = {}
        for name, program_id in cr.fetchall():
            number = name[len(PROGRAM_PREFIX) :]
            if number.isdigit():
                program_ids[int(number)] = program_id
        missing = [n for n in range(1, args.programs + 1) if n not in program_ids]
        with timed(f"programs: {len(missing)} new by COPY"):
            programs = TableCopy(cr, "g2p_program", setup["program_id"])
            requirements = TableCopy(
                cr, "g2p_program_document_requirement", setup["requirement_id"]
            )
            first = programs.reserve_ids(len(missing)) if missing else 0
            rows = []
            for offset, number in enumerate(missing):
                program_ids[number] = first + offset
                rows.append(
                    {
                        "id": first + offset,
                        "name": f"{PROGRAM_PREFIX}{number:05d}",
                        "description": f"Support number {number}",
                        "create_date": now,
                        "write_date": now,
                        "cycles_count": 0,
                    }
                )
            programs.copy(rows)
            if missing:
                first_requirement = requirements.reserve_ids(len(missing))
                requirements.copy(
                    {
                        "id": first_requirement + offset,
                        "program_id": program_ids[number],
                        "create_date": now,
                        "write_date": now,
                    }
                    for offset, number in enumerate(missing)
                )
            conn.commit()
        figures["programs"] = len(program_ids)

        # -- registrants, one in ten with applications
        cr.execute(
            "SELECT max(name) FROM res_partner WHERE name LIKE %s",
            (REGISTRANT_PREFIX + "%",),
        )
        highest = cr.fetchone()[0]
        have = int(highest[len(REGISTRANT_PREFIX) :]) if highest else 0
        new = max(0, args.registrants - have)
        with timed(f"registrants: {new} new by COPY (and their applications)"):
            partners = TableCopy(cr, "res_partner", setup["registrant_id"])
            applications = TableCopy(
                cr, "g2p_program_registrant_info", setup["application_id"]
            )
            known = len(program_ids)
            first = partners.reserve_ids(new) if new else 0
            numbers = range(have + 1, args.registrants + 1)
            for batch in batched(numbers, COPY_BATCH):
                partners.copy(
                    registrant_row(number, first + number - have - 1, now)
                    for number in batch
                )
                applied = [
                    (number, j)
                    for number in batch
                    if number % 10 == 0
                    for j in range(1 + (number // 10) % 3)
                ]
                if applied:
                    first_app = applications.reserve_ids(len(applied))
                    applications.copy(
                        {
                            "id": first_app + offset,
                            "registrant_id": first + number - have - 1,
                            "program_id": program_ids[
                                (number * 7 + j * 131) % known + 1
                            ],
                            "application_id": (
                                f"{OTHER_APPLICATION_PREFIX}{number:07d}-{j}"
                            ),
                            "state": APPLICATION_STATES[(number + j) % 5],
                            "program_registrant_info": {
                                "full_name": f"{REGISTRANT_PREFIX}{number:07d}",
                                "household_size": 1 + number % 7,
                            },
                            "program_membership_id": None,
                            "entitlement_id": None,
                            "portal_submitted_by": None,
                            "portal_submission_token": None,
                            "portal_submitted_at": now,
                            "create_date": now,
                            "write_date": now,
                        }
                        for offset, (number, j) in enumerate(applied)
                    )
                conn.commit()
                if new > COPY_BATCH:
                    print(f" {batch[-1]}", end="", flush=True)
        figures["registrants_new"] = new

        with timed("the bench registrant's applications, memberships, entitlements"):
            figures.update(seed_user(conn, args, setup, program_ids, now, today))
        with timed("ANALYZE"):
            conn.autocommit = True
            for table in (
                "res_partner",
                "g2p_program",
                "g2p_program_document_requirement",
                "g2p_program_registrant_info",
                "g2p_program_membership",
                "g2p_cycle",
                "g2p_entitlement",
            ):
                cr.execute(f'ANALYZE "{table}"')
            conn.autocommit = False
        cr.execute(
            "SELECT count(*) FROM res_partner WHERE is_registrant AND NOT is_group"
        )
        figures["registrants"] = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM g2p_program_registrant_info")
        figures["applications_all"] = cr.fetchone()[0]
    finally:
        conn.close()
    return figures


def registrant_row(number, partner_id, now):
    name = f"{REGISTRANT_PREFIX}{number:07d}"
    return {
        "id": partner_id,
        "name": name,
        "complete_name": name,
        "commercial_partner_id": partner_id,
        "given_name": None,
        "family_name": None,
        "create_date": now,
        "write_date": now,
        "program_membership_count": 0,
        "entitlements_count": 0,
        "cycles_count": 0,
    }


def seed_user(conn, args, setup, program_ids, now, today):
    """The bench registrant's own rows, written again on each run."""
    cr = conn.cursor()
    user = setup["user_partner_id"]
    cr.execute("DELETE FROM g2p_entitlement WHERE partner_id = %s", (user,))
    cr.execute(
        "DELETE FROM g2p_program_registrant_info WHERE registrant_id = %s", (user,)
    )
    cr.execute("DELETE FROM g2p_program_membership WHERE partner_id = %s", (user,))
    cr.execute("DELETE FROM g2p_cycle WHERE name LIKE %s", (USER_CYCLE_PREFIX + "%",))

    count = args.applications
    programs = [
        program_index(k, args.programs, count) for k in range(count)
    ]  # program numbers
    enrolled = {k for k in range(count) if k % 5 == 2}
    if not enrolled and args.entitlements:
        enrolled = {0}
    enrolled_programs = list(dict.fromkeys(programs[k] for k in sorted(enrolled)))

    memberships = TableCopy(cr, "g2p_program_membership", setup["membership_id"])
    first = memberships.reserve_ids(len(enrolled_programs)) if enrolled_programs else 0
    membership_of = {n: first + i for i, n in enumerate(enrolled_programs)}
    memberships.copy(
        {
            "id": membership_id,
            "partner_id": user,
            "program_id": program_ids[number],
            "state": "enrolled",
            "enrollment_date": now - timedelta(days=400),
            "create_date": now,
            "write_date": now,
        }
        for number, membership_id in membership_of.items()
    )

    applications = TableCopy(cr, "g2p_program_registrant_info", setup["application_id"])
    first = applications.reserve_ids(count)
    rows = []
    for k in range(count):
        created = now - timedelta(days=count - k, hours=k % 24)
        enrolled_here = k in enrolled
        rows.append(
            {
                "id": first + k,
                "registrant_id": user,
                "program_id": program_ids[programs[k]],
                "application_id": f"{USER_APPLICATION_PREFIX}{k + 1:06d}",
                # Enrolled: an approved application.
                "state": "completed" if enrolled_here else APPLICATION_STATES[k % 5],
                "program_registrant_info": dict(ANSWERS, household_size=1 + k % 9),
                "program_membership_id": (
                    membership_of[programs[k]] if enrolled_here else None
                ),
                "entitlement_id": None,
                "portal_submitted_by": setup["user_id"],
                "portal_submission_token": None,
                "portal_submitted_at": created,
                "create_date": created,
                "write_date": created,
            }
        )
    applications.copy(rows)

    # Cycles of the enrolled programs, one entitlement each.
    cycles = TableCopy(cr, "g2p_cycle", setup["cycle_id"])
    per_program = (
        math.ceil(args.entitlements / len(enrolled_programs))
        if (enrolled_programs and args.entitlements)
        else 0
    )
    cycle_rows = []
    first = (
        cycles.reserve_ids(per_program * len(enrolled_programs)) if per_program else 0
    )
    cycle_of = {}
    for m, number in enumerate(enrolled_programs):
        for n in range(1, per_program + 1):
            cycle_id = first + m * per_program + n - 1
            start = today - timedelta(days=30 * (per_program - n + 1))
            cycle_of[m, n] = (cycle_id, start)
            cycle_rows.append(
                {
                    "id": cycle_id,
                    "program_id": program_ids[number],
                    "name": f"{USER_CYCLE_PREFIX}{n:04d}",
                    "sequence": n,
                    "start_date": start,
                    "end_date": start + timedelta(days=29),
                    "state": "approved",
                    "create_date": now,
                    "write_date": now,
                }
            )
    cycles.copy(cycle_rows)
    entitlements = TableCopy(cr, "g2p_entitlement", setup["entitlement_id"])
    first = entitlements.reserve_ids(args.entitlements) if args.entitlements else 0
    rows = []
    for e in range(args.entitlements):
        cycle_id, start = cycle_of[
            e % len(enrolled_programs), e // len(enrolled_programs) + 1
        ]
        code = f"{ENTITLEMENT_PREFIX}{e + 1:07d}"
        rows.append(
            {
                "id": first + e,
                "code": code,
                "ern": code,
                "partner_id": user,
                "cycle_id": cycle_id,
                "initial_amount": 50 + (e % 20) * 5,
                "state": ENTITLEMENT_STATES[e % len(ENTITLEMENT_STATES)],
                "valid_from": start,
                "valid_until": start + timedelta(days=365),
                "date_approved": start,
                "disbursement_id": None,
                "service_fee_disbursement_id": None,
                "create_date": now,
                "write_date": now,
            }
        )
    entitlements.copy(rows)

    # Stored counters OpenG2P keeps on partners and programs.
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'res_partner' AND column_name IN "
        "('program_membership_count', 'entitlements_count')"
    )
    counters = {row[0] for row in cr.fetchall()}
    if counters == {"program_membership_count", "entitlements_count"}:
        cr.execute(
            "UPDATE res_partner SET program_membership_count = %s, "
            "entitlements_count = %s WHERE id = %s",
            (len(enrolled_programs), args.entitlements, user),
        )
    cr.execute(
        """
        UPDATE g2p_program p SET cycles_count = (
            SELECT count(*) FROM g2p_cycle c WHERE c.program_id = p.id)
        WHERE p.name LIKE %s
        """,
        (PROGRAM_PREFIX + "%",),
    )
    conn.commit()
    return {
        "applications": count,
        "memberships": len(enrolled_programs),
        "cycles": len(cycle_rows),
        "entitlements": args.entitlements,
    }


def publish(config, database, published):
    """Publish bench programs 1..``published`` (the others not), with their
    application windows: one in ten closed (numbers 10, 20 ...), one in ten
    closing in 3 days (3, 13 ...), so both sizes have some of each."""
    conn = connect(config, database)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """
                WITH bench AS (
                    SELECT id, row_number() OVER (ORDER BY name) AS n
                      FROM g2p_program
                     WHERE name LIKE %(prefix)s
                )
                UPDATE g2p_program p
                   SET portal_published = bench.n <= %(published)s,
                       active = true,
                       state = 'active',
                       portal_open_from = NULL,
                       portal_open_until = CASE
                           WHEN bench.n %% 10 = 0 THEN DATE '2000-01-01'
                           WHEN bench.n %% 10 = 3 THEN current_date + 3
                           ELSE DATE '2999-12-31'
                       END
                  FROM bench
                 WHERE p.id = bench.id
                """,
                {"prefix": PROGRAM_PREFIX + "%", "published": published},
            )
            cr.execute(
                "SELECT count(*) FROM g2p_program WHERE portal_published AND active"
            )
            total = cr.fetchone()[0]
        conn.commit()
    finally:
        conn.close()
    return total


def user_targets(config, args, setup):
    """The bench registrant's application (and its program) to open: on a
    program published at both sizes and open, the newest such."""
    conn = connect(config, args.db)
    try:
        with conn.cursor() as cr:
            cr.execute(
                """
                WITH bench AS (
                    SELECT id, row_number() OVER (ORDER BY name) AS n
                      FROM g2p_program WHERE name LIKE %s
                )
                SELECT a.id, a.program_id
                  FROM g2p_program_registrant_info a
                  JOIN bench ON bench.id = a.program_id
                 WHERE a.registrant_id = %s AND bench.n <= %s
                 ORDER BY (bench.n %% 10 NOT IN (0, 3)) DESC,
                          (a.state = 'active') DESC, a.id DESC
                 LIMIT 1
                """,
                (PROGRAM_PREFIX + "%", setup["user_partner_id"], small_size(args)),
            )
            row = cr.fetchone()
    finally:
        conn.close()
    if not row:
        raise RuntimeError("the bench registrant has no application to open")
    return row


def small_size(args):
    return max(1, args.programs // 10)


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

    def measure(self, session, page, requests_count):
        result = Measure()
        # Warm up until every worker served the page twice (caches, templates).
        served = Counter()
        for n in range(MAX_WARMUP):
            tag = self.tag(page.label)
            send(session, self.base, page, tag)
            perf = self.log.perf([tag], allow_missing=True)[0]
            if perf is not None:
                served[perf.pid] += 1
            result.warmup = n + 1
            if (
                n + 1 >= WARMUP
                and len(served) >= self.workers
                and min(served.values()) >= 2
            ):
                break
        tags = []
        for _ in range(requests_count):
            tag = self.tag(page.label)
            started = time.perf_counter()
            try:
                status, size = send(session, self.base, page, tag)
            except requests.RequestException as error:
                status, size = type(error).__name__, 0
            result.client.append(time.perf_counter() - started)
            result.statuses[status] += 1
            if status == 200:
                result.sizes.append(size)
            tags.append(tag)
        perfs = [p for p in self.log.perf(tags, allow_missing=True) if p is not None]
        result.queries = [p.queries for p in perfs]
        result.server = [p.server_s for p in perfs]
        result.sql = [p.sql_s for p in perfs]
        result.pids = len({p.pid for p in perfs})
        return result


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


# -- report ------------------------------------------------------------------------


def fmt_ms(seconds):
    return "-" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.1f}"


def print_pages(pages, rounds, sizes):
    big, small = sizes
    header = (
        f"{'page':<{WIDTH}} {'queries':>8} {'queries':>8} {'median':>8} {'p95':>8} "
        f"{'median':>8} {'p95':>8} {'KB':>6} {'HTTP':>5}"
    )
    sub = (
        f"{'':<{WIDTH}} {f'@{big}':>8} {f'@{small}':>8} {f'ms@{big}':>8} "
        f"{f'ms@{big}':>8} {f'ms@{small}':>8} {f'ms@{small}':>8} {'':>6} {'':>5}"
    )
    print("\n" + header + "\n" + sub + "\n" + "-" * len(header))
    for page in pages:
        one, two = rounds[0][page.label], rounds[1][page.label]
        statuses = set(one.statuses) | set(two.statuses)
        label = (f"[{page.kind}] " if page.baseline else "") + page.label
        print(
            f"{label:<{WIDTH}} {one.query_text:>8} {two.query_text:>8} "
            f"{fmt_ms(one.median):>8} {fmt_ms(one.p95):>8} "
            f"{fmt_ms(two.median):>8} {fmt_ms(two.p95):>8} "
            f"{statistics.mean(one.sizes) / 1024 if one.sizes else 0:>6.1f} "
            f"{','.join(str(s) for s in sorted(statuses, key=str)):>5}"
        )


def print_loads(loads, args):
    print(
        f"\nunder load: {args.connections} connections, {args.workers} workers, "
        f"{args.load_seconds}s each, straight to Odoo on 127.0.0.1"
    )
    header = (
        f"{'page':<{WIDTH}} {'req/s':>7} {'requests':>9} {'errors':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8}"
    )
    print(header + "\n" + "-" * len(header))
    for result in loads:
        lat = result.latencies
        print(
            f"{result.label:<{WIDTH}} {result.rps:>7.1f} {result.done:>9} "
            f"{sum(result.errors.values()):>7} "
            f"{fmt_ms(statistics.median(lat) if lat else None):>8} "
            f"{fmt_ms(percentile(lat, 0.95) if lat else None):>8}"
        )
        for error, count in result.errors.most_common(3):
            print(f"    {count} x {error}")


def check_targets(pages, rounds, loads, baselines, problems):
    """PASS/FAIL lines; True when all pass."""
    lines = []

    def verdict(ok, text):
        lines.append(("PASS" if ok else "FAIL", text))

    bad = [
        f"{page.label} (HTTP {sorted(set(one.statuses) | set(two.statuses), key=str)}, "
        f"{len(one.queries)}+{len(two.queries)} logged)"
        for page in pages
        for one, two in [(rounds[0][page.label], rounds[1][page.label])]
        if not (one.ok and two.ok and len(one.queries) == len(one.client))
        or len(two.queries) != len(two.client)
    ]
    verdict(
        not bad,
        "HTTP 200 for every timed request of every page, each found in the log"
        + (": " + "; ".join(bad) if bad else ""),
    )
    for page in pages:
        one, two = rounds[0][page.label], rounds[1][page.label]
        if page.baseline:
            continue
        counts = set(one.queries) | set(two.queries)
        verdict(
            bool(counts) and max(counts) <= MAX_QUERIES,
            f"{page.label}: at most {MAX_QUERIES} queries "
            f"({one.query_text} / {two.query_text})",
        )
        verdict(
            len(counts) == 1,
            f"{page.label}: the same query count in every request and at both "
            f"sizes ({one.query_text} / {two.query_text})",
        )
        for baseline in baselines:
            base_one, base_two = rounds[0][baseline], rounds[1][baseline]
            ratios = [
                measure.median / base.median
                for measure, base in ((one, base_one), (two, base_two))
            ]
            verdict(
                all(r <= MAX_MEDIAN_RATIO for r in ratios),
                f"{page.label}: median at most {MAX_MEDIAN_RATIO:g} x {baseline}'s "
                f"({fmt_ms(one.median)} / {fmt_ms(base_one.median)} ms = "
                f"{ratios[0]:.2f}; {fmt_ms(two.median)} / "
                f"{fmt_ms(base_two.median)} ms = {ratios[1]:.2f})",
            )
    if loads:
        dashboard, *others = loads
        for other in others:
            ratio = dashboard.rps / other.rps if other.rps else math.inf
            verdict(
                ratio >= MIN_LOAD_RATIO,
                f"load: {dashboard.label} at least {MIN_LOAD_RATIO:g} x "
                f"{other.label}'s requests/s ({dashboard.rps:.1f} / "
                f"{other.rps:.1f} = {ratio:.2f})",
            )
        errors = sum(sum(r.errors.values()) for r in loads)
        verdict(errors == 0, f"load: no error ({errors})")
    verdict(not problems, f"no error record in Odoo's log ({len(problems)})")
    print("\ntargets")
    for status, text in lines:
        print(f"  {status}  {text}")
    return all(status == "PASS" for status, _ in lines)


def print_problems(problems):
    if not problems:
        return
    print(f"\n{len(problems)} error/warning record(s) in the Odoo log, last ones:")
    print("\n".join(problems[-3:]))


# -- main ----------------------------------------------------------------------------


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="g2p_bench_portal")
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument(
        "--no-update",
        action="store_true",
        help=f"reuse the database without updating {ADDON} first",
    )
    parser.add_argument("--programs", type=int, default=2000)
    parser.add_argument("--registrants", type=int, default=10000)
    parser.add_argument(
        "--applications",
        type=int,
        default=450,
        help="applications of the bench registrant, over as many programs",
    )
    parser.add_argument(
        "--entitlements", type=int, default=5000, help="of the bench registrant"
    )
    parser.add_argument(
        "--requests", type=int, default=30, help="timed requests per page and size"
    )
    parser.add_argument("--load-seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-load", action="store_true")
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


SECURITY = "/my/security (Odoo's own)"
CUSTOMER_HOME = "/my/home (customer)"
CUSTOMER_ACCOUNT = "/my/account (customer)"


def run(args, workdir):
    config, _source = write_test_config(workdir)
    prepare_database(config, args.db, args.fresh, not args.no_update, workdir, ADDON)
    print("setting up the portal users and template records ...", flush=True)
    started = time.monotonic()
    setup = run_shell(
        config,
        args.db,
        SETUP_SCRIPT,
        {
            "store": STORE_NAME,
            "builder": BUILDER_NAME,
            "schema": SCHEMA,
            "answers": ANSWERS,
            "program": f"{PROGRAM_PREFIX}{1:05d}",
            "registrant": f"{REGISTRANT_PREFIX}{1:07d}",
            "cycle": TEMPLATE_CYCLE,
            "user_login": USER_LOGIN,
            "user_name": USER_NAME,
            "customer_login": CUSTOMER_LOGIN,
            "customer_name": CUSTOMER_NAME,
            "password": PASSWORD,
        },
        "BENCH_PAGES_SETUP",
        timeout=SETUP_TIMEOUT,
    )
    print(f"  done ({time.monotonic() - started:.0f}s)")
    print("seeding with COPY ...", flush=True)
    started = time.monotonic()
    figures = seed(config, args, setup)
    print(
        f"  seeded in {time.monotonic() - started:.0f}s: {figures['programs']} bench "
        f"programs; {figures['registrants']} registrants in the database "
        f"({figures['registrants_new']} new); {figures['applications_all']} "
        f"applications in all; the bench registrant: {figures['applications']} "
        f"applications, {figures['memberships']} enrolments, {figures['cycles']} "
        f"cycles, {figures['entitlements']} entitlements"
    )
    application_id, program_id = user_targets(config, args, setup)
    sizes = (args.programs, small_size(args))
    pages = build_pages(program_id, application_id)
    baselines = [
        Page(SECURITY, "/my/security", kind="baseline"),
        Page(CUSTOMER_HOME, "/my/home", who="customer", kind="baseline"),
        Page(CUSTOMER_ACCOUNT, "/my/account", who="customer", kind="reference"),
    ]
    odoo = None
    log = workdir / "odoo.log"
    rounds, loads, notes = [], [], []
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
            "customer": login(base, CUSTOMER_LOGIN, PASSWORD),
        }
        home = sessions["registrant"].get(base + "/my", timeout=HTTP_TIMEOUT)
        counters = sorted(
            set(re.findall(r'data-placeholder_count="([^"]+)"', home.text))
        )
        pages[2].counters = counters
        notes.append(f"/my/counters: the counters the dashboard asks for: {counters}")
        for path in BENEFIT_ROUTES:
            status = (
                sessions["registrant"]
                .get(base + path, allow_redirects=False, timeout=HTTP_TIMEOUT)
                .status_code
            )
            if status == 200:
                pages.append(Page(path, path))
            else:
                notes.append(
                    f"{path}: HTTP {status}, not measured (no such page: the "
                    "entitlements are read by no portal page)"
                )
        customer_home = sessions["customer"].get(
            base + "/my/home", timeout=HTTP_TIMEOUT
        )
        through = DASHBOARD_MARKER in customer_home.text
        notes.append(
            "/my/home (customer): "
            + (
                "goes through the addon's dashboard code (home() is overridden "
                "for every portal user; a customer gets the dashboard without "
                "data), so it is Odoo's /my/home URL, not Odoo's own code"
                if through
                else "Odoo's own /my/home (no dashboard for a customer)"
            )
        )
        notes.append(
            f"{SECURITY}: Odoo's portal security page as the registrant, "
            "untouched by the addons, in the same portal layout"
        )
        notes.append(
            f"{CUSTOMER_ACCOUNT}: Odoo's own 'My details' page (the addon's "
            "profile page serves registrants only), beside the registrant's "
            "/my/account; for reference, no target"
        )
        every = pages + baselines
        runner = Runner(base, log, args.workers)
        for number, size in enumerate(sizes):
            total = publish(config, args.db, size)
            print(
                f"round {number + 1}: {size} bench programs published "
                f"({total} published in all); {args.requests} timed requests "
                "per page ...",
                flush=True,
            )
            measures = {}
            for page in every:
                measures[page.label] = result = runner.measure(
                    sessions[page.who], page, args.requests
                )
                sql_median = statistics.median(result.sql) if result.sql else None
                print(
                    f"  {page.label:<{WIDTH}} queries {result.query_text:>6}  median "
                    f"{fmt_ms(result.median):>7} ms  p95 {fmt_ms(result.p95):>7} ms"
                    f"  (SQL median {fmt_ms(sql_median):>6} ms; warm-up "
                    f"{result.warmup}, workers {result.pids}, HTTP "
                    f"{dict(result.statuses)})",
                    flush=True,
                )
            rounds.append(measures)
        publish(config, args.db, sizes[0])
        if not args.skip_load:
            print(f"load: logging in {args.connections} sessions per user ...")
            pools = {
                who: [login(base, user, PASSWORD) for _ in range(args.connections)]
                for who, user in (
                    ("registrant", USER_LOGIN),
                    ("customer", CUSTOMER_LOGIN),
                )
            }
            for page in (pages[0], *baselines[:2]):
                print(f"  {page.label} for {args.load_seconds:g}s ...", flush=True)
                loads.append(load(base, pools[page.who], page, args.load_seconds))
    finally:
        stop_process(odoo, "Odoo")
    problems = OdooLog(log).problems(OUR_ADDONS)
    print(
        f"\nresults: {figures['programs']} programs / {sizes[1]} published in the "
        f"second round; {figures['registrants']} registrants; the bench "
        f"registrant has {figures['applications']} applications, "
        f"{figures['memberships']} enrolments, {figures['entitlements']} "
        f"entitlements; server times from Odoo's log, {args.requests} timed "
        "requests per page and size"
    )
    for note in notes:
        print(f"  note: {note}")
    print_pages(every, rounds, sizes)
    if loads:
        print_loads(loads, args)
    ok = check_targets(every, rounds, loads, [SECURITY, CUSTOMER_HOME], problems)
    print_problems(problems)
    print(f"\nlogs in {workdir}")
    return 0 if ok else 1


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.programs < 10 or args.registrants < 1 or args.applications < 1:
        raise SystemExit("--programs >= 10, --registrants >= 1, --applications >= 1")
    if args.requests < 1 or args.entitlements < 0 or args.connections < 1:
        raise SystemExit("--requests >= 1, --entitlements >= 0, --connections >= 1")
    handle_signals()
    workdir = Path(tempfile.mkdtemp(prefix="g2p-bench-portal-"))
    print(f"work files in {workdir}")
    try:
        return run(args, workdir)
    except KeyboardInterrupt:
        print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
