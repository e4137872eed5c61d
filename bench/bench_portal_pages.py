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

    python3 bench/bench_portal_pages.py [--db g2p_bench_portal] [--fresh]
        [--no-update] [--programs 2000] [--registrants 10000]
        [--applications 450] [--entitlements 5000] [--payments 5000]
        [--requests 30] [--load-seconds 20] [--connections 8] [--workers 2]
        [--skip-load] [--skip-weight] [--formiojs-tarball formiojs-4.21.7.tgz]
"""

import argparse
import io
import json
import math
import os
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

import psycopg2
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

import page_weight  # noqa: E402
from odoo_bench import (  # noqa: E402
    HTTP_TIMEOUT,
    REPO_ROOT,
    OdooLog,
    connect,
    free_port,
    new_session,
    percentile,
    prepare_database,
    run_in_workdir,
    run_shell,
    start_nginx,
    start_odoo,
    stop_process,
    write_test_config,
)
from repo import register_bare_addon_packages  # noqa: E402

register_bare_addon_packages()  # g2p_portal_forms.formiojs without Odoo
from g2p_portal_forms.formiojs.npm import NpmPackError, npm_pack  # noqa: E402

ADDON = "g2p_entitlement_tracking"
# Updated first in a reused database: the addons that depend on it
# (g2p_entitlement_tracking) are updated with it.
UPDATE_ADDON = "g2p_self_service_portal"
OUR_ADDONS = (
    "g2p_portal_forms",
    "g2p_self_service_portal",
    "g2p_auth_esignet",
    "g2p_entitlement_tracking",
)
PROGRAM_PREFIX = "Bench program "  # + the program's number, 5 digits
REGISTRANT_PREFIX = "Bench registrant "  # + the registrant's number, 7 digits
USER_LOGIN = "bench-portal-registrant"
USER_NAME = "Bench Portal Registrant"
SMALL_LOGIN = "bench-portal-registrant-small"
SMALL_NAME = "Bench Portal Registrant Small"
CUSTOMER_LOGIN = "bench-portal-customer"
CUSTOMER_NAME = "Bench Portal Customer"
PASSWORD = "Bench-Portal-Pass-123"
BUILDER_NAME = "bench_portal_pages"
STORE_NAME = "Bench portal pages documents"
TEMPLATE_CYCLE = "Bench cycle template"
USER_CYCLE_PREFIX = "Bench cycle U-"  # the bench registrant's cycles
OTHER_APPLICATION_PREFIX = "BENCH-R-"
ENTITLEMENT_PREFIX = "BENCH-E-"  # + the registrant's tag, its number
PAYMENT_PREFIX = "BENCH-P-"  # the same
NOTIFICATION_PREFIX = "bench-"  # the same, of the notifications' keys
APPLICATION_STATES = ("active", "inprogress", "completed", "rejected", "closed")
# The entitlements' states in turn: 14 in 20 paid, one in 20 of each other
# phase (approved, sent for payment, in review, rejected, cancelled, expired).
ENTITLEMENT_STATES = (
    ("rdpd2ben",) * 7
    + ("approved", "rdpd2ben", "trans2FSP", "rdpd2ben", "pending_validation")
    + ("rdpd2ben",) * 4
    + ("rejected2", "rdpd2ben", "cancelled", "expired")
)
# (name, code, currency): the programs' journals; program numbers divisible
# by 4 pay in the second.
JOURNALS = (
    ("Bench benefits USD", "BUSD", "USD"),
    ("Bench benefits KES", "BKES", "KES"),
)
SMALL_SHARE = 10  # the small registrant has a tenth of the benefits
COPY_BATCH = 50_000
SETUP_TIMEOUT = 900
WARMUP = 3
MAX_WARMUP = 40
MAX_QUERIES = 40
WIDTH = 44  # of the page column
MAX_MEDIAN_RATIO = 2.0
# The dashboard's own targets (issue 18): at most DASHBOARD_MAX_QUERIES
# queries, its median at most DASHBOARD_MAX_MEDIAN_RATIO x /my/home's, and
# under load at least MIN_LOAD_RATIO x /my/home's requests a second.
DASHBOARD_LABELS = frozenset(
    {"/my (dashboard)", "/selfservice/home", "/my/counters (dashboard counters)"}
)
DASHBOARD_MAX_QUERIES = 20
DASHBOARD_MAX_MEDIAN_RATIO = 1.5
MIN_LOAD_RATIO = 0.7
# First visit (cold cache) through the README's proxy with compression: the
# sign-in page and the dashboard at most MAX_WEIGHT_RATIO x /my/home's
# transfer, the apply page at most MAX_APPLY_WEIGHT bytes.
MAX_WEIGHT_RATIO = 1.2
MAX_APPLY_WEIGHT = 1.5 * 1024 * 1024
FORMIOJS_SPEC = "4.21.7"
DASHBOARD_MARKER = "o_g2p_dashboard"

# The application form of g2p_portal_forms' tests.
SCHEMA = json.loads(
    (REPO_ROOT / "g2p_portal_forms" / "tests" / "application_form.json").read_text(
        encoding="utf-8"
    )
)
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

# The programs' journals, each in its currency.
Currency = env["res.currency"].with_context(active_test=False)
Journal = env["account.journal"]
journal_ids = []
for name, code, currency_name in params["journals"]:
    currency = Currency.search([("name", "=", currency_name)], limit=1)
    if not currency.active:
        currency.active = True
    journal = Journal.search(
        [("code", "=", code), ("company_id", "=", env.company.id)], limit=1
    ) or Journal.create(
        {
            "name": name,
            "code": code,
            "type": "bank",
            "beneficiary_disb": True,
            "currency_id": currency.id,
        }
    )
    journal_ids.append(journal.id)

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
    "journal_id": journal_ids[0],
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
small = portal_user(params["small_login"], params["small_name"], True)
customer = portal_user(params["customer_login"], params["customer_name"], False)
hashed = Users._crypt_context().hash(params["password"])
for each in user | small | customer:
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
Payment = env["g2p.payment"]
payment = Payment.search([("entitlement_id", "=", entitlement.id)], limit=1) or (
    Payment.create(
        {
            "name": "BENCH-P-TEMPLATE",
            "entitlement_id": entitlement.id,
            "cycle_id": cycle.id,
            "amount_issued": 100.0,
            "state": "issued",
        }
    )
)
Notification = env["g2p.portal.notification"]
notification = Notification.search([("key", "=", "bench-template")], limit=1) or (
    Notification.create(
        {
            "partner_id": template.id,
            "key": "bench-template",
            "kind": "entitlement",
            "event": "entitlement_approved",
            "res_model": "g2p.entitlement",
            "res_id": entitlement.id,
            "state_reached": "approved",
            "status": "sent",
            "channels": "email",
            "subject": "Your benefit was approved",
            "body": "Your benefit was approved.",
            "sent_at": fields.Datetime.now(),
        }
    )
)
english = env(context=dict(env.context, lang="en_US"))
state_labels = dict(
    english["g2p.entitlement"]._fields["state"]._description_selection(english)
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
        "small_id": small.id,
        "small_partner_id": small.partner_id.id,
        "customer_partner_id": customer.partner_id.id,
        "application_id": application.id,
        "membership_id": membership.id,
        "cycle_id": cycle.id,
        "entitlement_id": entitlement.id,
        "payment_id": payment.id,
        "notification_id": notification.id,
        "journal_ids": journal_ids,
        "state_field_id": env["ir.model.fields"]._get("g2p.entitlement", "state").id,
        "note_subtype_id": env.ref("mail.mt_note").id,
        "author_id": env.ref("base.partner_root").id,
        "state_labels": state_labels,
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
        with timed("programs' journals (one in four in KES)"):
            cr.execute(
                """
                UPDATE g2p_program
                   SET journal_id = CASE
                       WHEN substring(name FROM %s)::int %% 4 = 0 THEN %s ELSE %s
                   END
                 WHERE name ~ %s
                """,
                (
                    f"^{PROGRAM_PREFIX}([0-9]+)$",
                    journal_of(setup, 4),
                    journal_of(setup, 1),
                    f"^{PROGRAM_PREFIX}[0-9]+$",
                ),
            )
            conn.commit()

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

        with timed(
            "the bench registrants' applications, memberships, entitlements, "
            "payments, notifications"
        ):
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
                "g2p_payment",
                "g2p_portal_notification",
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


def fast_delete(cr, table, where, params):
    """DELETE the rows of ``table`` that ``where`` finds.

    PostgreSQL checks each deleted row against every foreign key pointing
    at the table, a scan of the referencing table when its column has no
    index (``g2p_program_registrant_info.entitlement_id``: minutes for 5,000
    entitlements beside a million registrants' applications). So: one
    query per foreign key first; if nothing points at the rows, they are
    deleted with the foreign-key triggers off (PostgreSQL superuser only),
    else, or without the right, by a plain DELETE.
    """
    cr.execute(f'SELECT id FROM "{table}" WHERE {where}', params)
    ids = [row[0] for row in cr.fetchall()]
    if not ids:
        return
    cr.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname
          FROM pg_constraint c
          JOIN pg_attribute a
            ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
         WHERE c.contype = 'f' AND c.confrelid = %s::regclass
        """,
        (table,),
    )
    referenced = False
    for other, column in cr.fetchall():
        cr.execute(f'SELECT 1 FROM {other} WHERE "{column}" = ANY (%s) LIMIT 1', (ids,))
        referenced = referenced or bool(cr.fetchone())
    statement = f'DELETE FROM "{table}" WHERE id = ANY (%s)'
    if not referenced:
        cr.execute("SAVEPOINT bench_fast_delete")
        try:
            cr.execute("SET LOCAL session_replication_role = replica")
        except psycopg2.Error:
            cr.execute("ROLLBACK TO SAVEPOINT bench_fast_delete")
        else:
            cr.execute(statement, (ids,))
            cr.execute("SET LOCAL session_replication_role = origin")
            cr.execute("RELEASE SAVEPOINT bench_fast_delete")
            return
    cr.execute(statement, (ids,))


@dataclass
class Person:
    """A bench registrant with a portal user, and the size of their rows."""

    tag: str  # in their rows' references: U (full size), S (a tenth)
    partner_id: int
    user_id: int
    entitlements: int
    payments: int


def bench_people(args, setup):
    return [
        Person(
            "U",
            setup["user_partner_id"],
            setup["user_id"],
            args.entitlements,
            args.payments,
        ),
        Person(
            "S",
            setup["small_partner_id"],
            setup["small_id"],
            args.entitlements // SMALL_SHARE,
            args.payments // SMALL_SHARE,
        ),
    ]


def journal_of(setup, number):
    """The journal of bench program ``number``: one in four pays in KES."""
    journals = setup["journal_ids"]
    return journals[1] if number % 4 == 0 and len(journals) > 1 else journals[0]


def clear_people(cr, partners):
    """Delete the bench registrants' own rows (written again each run)."""
    mine = "partner_id = ANY (%s)"
    entitlements = f"SELECT id FROM g2p_entitlement WHERE {mine}"
    # Status histories (their tracking values go with them, ON DELETE CASCADE).
    cr.execute(
        "DELETE FROM mail_message WHERE model = 'g2p.entitlement' "
        f"AND res_id IN ({entitlements})",
        (partners,),
    )
    fast_delete(cr, "g2p_payment", f"entitlement_id IN ({entitlements})", (partners,))
    fast_delete(cr, "g2p_portal_notification", mine, (partners,))
    fast_delete(cr, "g2p_entitlement", mine, (partners,))
    fast_delete(
        cr, "g2p_program_registrant_info", "registrant_id = ANY (%s)", (partners,)
    )
    fast_delete(cr, "g2p_program_membership", mine, (partners,))
    fast_delete(cr, "g2p_cycle", "name LIKE %s", (USER_CYCLE_PREFIX + "%",))


def seed_user(conn, args, setup, program_ids, now, today):
    """The bench registrants' own rows, written again on each run."""
    cr = conn.cursor()
    people = bench_people(args, setup)
    clear_people(cr, [person.partner_id for person in people])

    count = args.applications
    programs = [
        program_index(k, args.programs, count) for k in range(count)
    ]  # program numbers
    enrolled = {k for k in range(count) if k % 5 == 2}
    if not enrolled and args.entitlements:
        enrolled = {0}
    enrolled_programs = list(dict.fromkeys(programs[k] for k in sorted(enrolled)))

    # Cycles of the enrolled programs, as many as the registrant with the
    # most entitlements needs (one entitlement each); the small registrant's
    # entitlements are in the first of them.
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
            cycle_of[m, n] = (cycle_id, start, number)
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

    tables = {
        "memberships": TableCopy(cr, "g2p_program_membership", setup["membership_id"]),
        "applications": TableCopy(
            cr, "g2p_program_registrant_info", setup["application_id"]
        ),
        "entitlements": TableCopy(cr, "g2p_entitlement", setup["entitlement_id"]),
        "payments": TableCopy(cr, "g2p_payment", setup["payment_id"]),
        "notifications": TableCopy(
            cr, "g2p_portal_notification", setup["notification_id"]
        ),
    }
    figures = {
        "applications": count,
        "memberships": len(enrolled_programs),
        "cycles": len(cycle_rows),
        "people": {},
    }
    for person in people:
        figures["people"][person.tag] = seed_person(
            cr,
            tables,
            person,
            setup,
            (programs, enrolled, enrolled_programs, program_ids, cycle_of),
            now,
        )

    # Stored counters OpenG2P keeps on partners and programs.
    cr.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'res_partner' AND column_name IN "
        "('program_membership_count', 'entitlements_count')"
    )
    counters = {row[0] for row in cr.fetchall()}
    if counters == {"program_membership_count", "entitlements_count"}:
        for person in people:
            cr.execute(
                "UPDATE res_partner SET program_membership_count = %s, "
                "entitlements_count = %s WHERE id = %s",
                (len(enrolled_programs), person.entitlements, person.partner_id),
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
    return figures


def seed_person(cr, tables, person, setup, plan, now):
    """One bench registrant's memberships, applications, entitlements,
    payments, notifications and one status history; what was written."""
    programs, enrolled, enrolled_programs, program_ids, cycle_of = plan
    partner = person.partner_id
    count = len(programs)

    memberships = tables["memberships"]
    first = memberships.reserve_ids(len(enrolled_programs)) if enrolled_programs else 0
    membership_of = {n: first + i for i, n in enumerate(enrolled_programs)}
    memberships.copy(
        {
            "id": membership_id,
            "partner_id": partner,
            "program_id": program_ids[number],
            "state": "enrolled",
            "enrollment_date": now - timedelta(days=400),
            "create_date": now,
            "write_date": now,
        }
        for number, membership_id in membership_of.items()
    )

    applications = tables["applications"]
    first = applications.reserve_ids(count)
    rows = []
    for k in range(count):
        created = now - timedelta(days=count - k, hours=k % 24)
        enrolled_here = k in enrolled
        rows.append(
            {
                "id": first + k,
                "registrant_id": partner,
                "program_id": program_ids[programs[k]],
                "application_id": f"BENCH-{person.tag}-{k + 1:06d}",
                # Enrolled: an approved application.
                "state": "completed" if enrolled_here else APPLICATION_STATES[k % 5],
                "program_registrant_info": dict(ANSWERS, household_size=1 + k % 9),
                "program_membership_id": (
                    membership_of[programs[k]] if enrolled_here else None
                ),
                "entitlement_id": None,
                "portal_submitted_by": person.user_id,
                "portal_submission_token": None,
                "portal_submitted_at": created,
                "create_date": created,
                "write_date": created,
            }
        )
    applications.copy(rows)

    # Entitlements: the e-th in the cycle e // programs + 1 of enrolled
    # program e % programs, in the states of ENTITLEMENT_STATES in turn.
    total = person.entitlements
    entitlements = tables["entitlements"]
    first = entitlements.reserve_ids(total) if total else 0
    facts = []  # (id, cycle id, program number, cycle start, amount, state)
    rows = []
    for e in range(total):
        cycle_id, start, number = cycle_of[
            e % len(enrolled_programs), e // len(enrolled_programs) + 1
        ]
        state = ENTITLEMENT_STATES[e % len(ENTITLEMENT_STATES)]
        amount = 50 + (e % 20) * 5
        created = datetime.combine(start, datetime.min.time()) + timedelta(hours=9)
        facts.append((first + e, cycle_id, number, start, amount, state))
        code = f"{ENTITLEMENT_PREFIX}{person.tag}-{e + 1:07d}"
        rows.append(
            {
                "id": first + e,
                "code": code,
                "ern": code,
                "partner_id": partner,
                "cycle_id": cycle_id,
                "journal_id": journal_of(setup, number),
                "initial_amount": amount,
                "is_cash_entitlement": e % 10 != 9,
                "state": state,
                "valid_from": start,
                "valid_until": start + timedelta(days=365),
                "date_approved": start,
                "disbursement_id": None,
                "service_fee_disbursement_id": None,
                # Created with its cycle: the list's newest first follows
                # the cycles.
                "create_date": created,
                "write_date": created,
            }
        )
    entitlements.copy(rows)

    # Payments: the p-th of entitlement p % entitlements; paid for a paid
    # entitlement, otherwise failed or pending in turn.
    paid = failed = 0
    rows = []
    payments_total = person.payments if total else 0
    first = tables["payments"].reserve_ids(payments_total) if payments_total else 0
    paid_with_payment = []
    for p in range(payments_total):
        entitlement_id, cycle_id, number, start, amount, state = facts[p % total]
        issued = datetime.combine(start, datetime.min.time()) + timedelta(days=5)
        if state == "rdpd2ben":
            status, payment_state, amount_paid, paid = (
                "paid",
                "reconciled",
                amount,
                paid + 1,
            )
            paid_with_payment.append(entitlement_id)
        elif p % 2:
            status, payment_state, amount_paid = "failed", "reconciled", 0
            failed += 1
        else:
            status, payment_state, amount_paid = (
                None,
                ("issued", "sent")[p % 4 // 2],
                None,
            )
        rows.append(
            {
                "id": first + p,
                "name": f"{PAYMENT_PREFIX}{person.tag}-{p + 1:07d}",
                "entitlement_id": entitlement_id,
                "cycle_id": cycle_id,
                "batch_id": None,
                "journal_id": journal_of(setup, number),
                "state": payment_state,
                "status": status,
                "status_is_final": status == "paid",
                "status_datetime": issued + timedelta(days=2) if status else None,
                "amount_issued": amount,
                "amount_paid": amount_paid,
                "payment_fee": 0,
                "issuance_date": issued,
                "payment_datetime": issued + timedelta(days=2) if amount_paid else None,
                "create_date": now,
                "write_date": now,
            }
        )
    for batch in batched(rows, COPY_BATCH):
        tables["payments"].copy(batch)

    # Notifications: one per entitlement, sent.
    notifications = tables["notifications"]
    first = notifications.reserve_ids(total) if total else 0
    rows = []
    for e, (entitlement_id, _cycle, number, start, amount, state) in enumerate(facts):
        program = f"{PROGRAM_PREFIX}{number:05d}"
        event = "entitlement_paid" if state == "rdpd2ben" else "entitlement_approved"
        done = "paid" if state == "rdpd2ben" else "approved"
        rows.append(
            {
                "id": first + e,
                "partner_id": partner,
                "key": f"{NOTIFICATION_PREFIX}{person.tag}-{e + 1:07d}",
                "kind": "entitlement",
                "event": event,
                "res_model": "g2p.entitlement",
                "res_id": entitlement_id,
                "state_reached": state,
                "program_id": program_ids[number],
                "status": "sent",
                "channels": "email",
                "subject": f"Your benefit from {program} was {done}",
                "body": (
                    f"Your benefit of {amount} from {program} was {done}.\n"
                    f"See it on the portal: /my/benefits/{entitlement_id}"
                ),
                "sent_at": datetime.combine(start, datetime.min.time()),
                "error": None,
                "create_date": now,
                "write_date": now,
            }
        )
    notifications.copy(rows)

    # The newest paid entitlement with a payment (the one the bench opens):
    # a status history of two tracked changes, as Odoo writes them.
    detail = max(paid_with_payment) if paid_with_payment else None
    if detail:
        labels = setup["state_labels"]
        start = next(fact[3] for fact in facts if fact[0] == detail)
        for step, (old, new) in enumerate(
            (("approved", "trans2FSP"), ("trans2FSP", "rdpd2ben"))
        ):
            # Sent for payment 5 days after its cycle's start, paid 7 days
            # after (the day of its payment).
            at = datetime.combine(start, datetime.min.time()) + timedelta(
                days=5 + 2 * step, hours=10
            )
            cr.execute(
                """
                INSERT INTO mail_message (model, res_id, message_type, subtype_id,
                    author_id, date, body, create_date, write_date)
                VALUES ('g2p.entitlement', %s, 'notification', %s, %s, %s, '',
                    %s, %s)
                RETURNING id
                """,
                (detail, setup["note_subtype_id"], setup["author_id"], at, at, at),
            )
            message_id = cr.fetchone()[0]
            cr.execute(
                """
                INSERT INTO mail_tracking_value (field_id, old_value_char,
                    new_value_char, mail_message_id, create_date, write_date)
                VALUES (%s, %s, %s, %s, %s, %s)
                """,
                (
                    setup["state_field_id"],
                    labels[old],
                    labels[new],
                    message_id,
                    at,
                    at,
                ),
            )
    return {
        "entitlements": total,
        "payments": payments_total,
        "paid": paid,
        "failed": failed,
        "pending": payments_total - paid - failed,
        "notifications": len(facts),
        "detail_id": detail,
        "cycles": len({fact[1] for fact in facts}),
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


# -- report ------------------------------------------------------------------------


def fmt_ms(seconds):
    return "-" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.1f}"


@dataclass
class Row:
    """A page of a report table: its measures at the two sizes."""

    label: str
    one: Measure
    two: Measure
    kind: str = "page"  # or "baseline" (of the targets), "reference"

    @property
    def statuses(self):
        return sorted(set(self.one.statuses) | set(self.two.statuses), key=str)

    @property
    def shown(self):
        return (f"[{self.kind}] " if self.kind != "page" else "") + self.label


def ratio(measure, base):
    if not base.median:
        return math.inf
    return measure.median / base.median


def kilobytes(measure):
    return f"{statistics.mean(measure.sizes) / 1024:.1f}" if measure.sizes else "-"


def print_table(title, rows, sizes):
    big, small = sizes
    header = (
        f"{'page':<{WIDTH}} {'queries':>8} {'queries':>8} {'median':>8} {'p95':>8} "
        f"{'median':>8} {'p95':>8} {'KB':>7} {'KB':>7} {'HTTP':>5}"
    )
    sub = (
        f"{'':<{WIDTH}} {f'@{big}':>8} {f'@{small}':>8} {f'ms@{big}':>8} "
        f"{f'ms@{big}':>8} {f'ms@{small}':>8} {f'ms@{small}':>8} "
        f"{f'@{big}':>7} {f'@{small}':>7} {'':>5}"
    )
    print(f"\n{title}\n" + header + "\n" + sub + "\n" + "-" * len(header))
    for row in rows:
        one, two = row.one, row.two
        print(
            f"{row.shown:<{WIDTH}} {one.query_text:>8} {two.query_text:>8} "
            f"{fmt_ms(one.median):>8} {fmt_ms(one.p95):>8} "
            f"{fmt_ms(two.median):>8} {fmt_ms(two.p95):>8} "
            f"{kilobytes(one):>7} {kilobytes(two):>7} "
            f"{','.join(str(s) for s in row.statuses):>5}"
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
    for result, kind in loads:
        lat = result.latencies
        label = (f"[{kind}] " if kind != "page" else "") + result.label
        print(
            f"{label:<{WIDTH}} {result.rps:>7.1f} {result.done:>9} "
            f"{sum(result.errors.values()):>7} "
            f"{fmt_ms(statistics.median(lat) if lat else None):>8} "
            f"{fmt_ms(percentile(lat, 0.95) if lat else None):>8}"
        )
        for error, count in result.errors.most_common(3):
            print(f"    {count} x {error}")


def table_verdicts(verdict, title, rows, sizes):
    """The targets of one table's pages against its baseline row."""
    big, small = sizes
    bad = [
        f"{row.label} (HTTP {row.statuses}, "
        f"{len(row.one.queries)}+{len(row.two.queries)} logged)"
        for row in rows
        if not (row.one.ok and row.two.ok)
        or len(row.one.queries) != len(row.one.client)
        or len(row.two.queries) != len(row.two.client)
    ]
    verdict(
        not bad,
        f"{title}: HTTP 200 for every timed request of every page, each found in "
        "the log" + (": " + "; ".join(bad) if bad else ""),
    )
    (base,) = [row for row in rows if row.kind == "baseline"]
    for row in rows:
        if row.kind != "page":
            continue
        one, two = row.one, row.two
        counts = set(one.queries) | set(two.queries)
        name = f"{title}: {row.label}"
        dashboard = row.label in DASHBOARD_LABELS
        most = DASHBOARD_MAX_QUERIES if dashboard else MAX_QUERIES
        most_ratio = DASHBOARD_MAX_MEDIAN_RATIO if dashboard else MAX_MEDIAN_RATIO
        verdict(
            bool(counts) and max(counts) <= most,
            f"{name}: at most {most} queries "
            f"(@{big} {one.query_text} / @{small} {two.query_text})",
        )
        verdict(
            len(counts) == 1,
            f"{name}: the same query count in every request and at both sizes "
            f"(@{big} {one.query_text} / @{small} {two.query_text})",
        )
        ratios = [ratio(one, base.one), ratio(two, base.two)]
        verdict(
            all(r <= most_ratio for r in ratios),
            f"{name}: median at most {most_ratio:g} x {base.label}'s "
            f"(@{big} {fmt_ms(one.median)} / {fmt_ms(base.one.median)} ms = "
            f"{ratios[0]:.2f}; @{small} {fmt_ms(two.median)} / "
            f"{fmt_ms(base.two.median)} ms = {ratios[1]:.2f})",
        )


def weight_verdicts(verdict, weights, weight_note):
    """The first-visit targets, on the weights through the compressing proxy."""
    if weights is None:
        verdict(False, f"first visit: not measured ({weight_note})")
        return
    by_label = {weight.label: weight for weight in weights}
    base = by_label[WEIGHT_HOME]
    for label in (WEIGHT_SIGN_IN, WEIGHT_DASHBOARD):
        weight = by_label[label]
        share = weight.total_transferred / base.total_transferred
        verdict(
            share <= MAX_WEIGHT_RATIO and not weight.failed,
            f"first visit: {label} at most {MAX_WEIGHT_RATIO:g} x {WEIGHT_HOME}'s "
            f"transfer ({page_weight.kib(weight.total_transferred)} / "
            f"{page_weight.kib(base.total_transferred)} KiB = {share:.2f}; "
            f"{weight.failed} failed requests)",
        )
    apply = by_label[WEIGHT_APPLY]
    verdict(
        apply.total_transferred <= MAX_APPLY_WEIGHT
        and not apply.failed
        and apply.formio == "renderer",
        f"first visit: {WEIGHT_APPLY} at most "
        f"{page_weight.kib(MAX_APPLY_WEIGHT)} KiB with formio.js's renderer "
        f"({page_weight.kib(apply.total_transferred)} KiB, formio.js: "
        f"{apply.formio}; {apply.failed} failed requests)",
    )


def check_targets(tables, loads, problems, weights=None, weight_note=""):
    """PASS/FAIL lines; True when all pass. ``tables``: (title, rows, sizes)."""
    lines = []

    def verdict(ok, text):
        lines.append(("PASS" if ok else "FAIL", text))

    for title, rows, sizes in tables:
        table_verdicts(verdict, title, rows, sizes)
    if loads:
        dashboard = next(result for result, kind in loads if kind == "page")
        for other, kind in loads:
            if kind != "baseline":
                continue
            share = dashboard.rps / other.rps if other.rps else math.inf
            verdict(
                share >= MIN_LOAD_RATIO,
                f"load: {dashboard.label} at least {MIN_LOAD_RATIO:g} x "
                f"{other.label}'s requests/s ({dashboard.rps:.1f} / "
                f"{other.rps:.1f} = {share:.2f})",
            )
        errors = sum(sum(result.errors.values()) for result, _kind in loads)
        verdict(errors == 0, f"load: no error ({errors})")
    if weights is not None or weight_note != SKIPPED:
        weight_verdicts(verdict, weights, weight_note)
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


WEIGHT_SIGN_IN = "/selfservice/login (sign in)"
WEIGHT_DASHBOARD = "/my (dashboard)"
WEIGHT_APPLY = "/my/programs/<id>/apply"
WEIGHT_HOME = "/my/home (customer)"
SKIPPED = "--skip-weight"

FORMIO_SCRIPT = """
import json

params = json.loads(PARAMS)
Version = env["formio.version"]
version = Version.search([("name", "=", params["version"])], limit=1)
if not version or not version._g2p_renderer_attachments():
    version = Version._g2p_install_from_npm_tarball(
        params["tarball"], make_default=False
    )
builder = env["formio.builder"].search([("name", "=", params["builder"])])
builder.write({"formio_version_id": version.id})
env.cr.commit()
print("BENCH_FORMIO " + json.dumps({"version": version.name}))
"""


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
    result = run_shell(
        config,
        args.db,
        FORMIO_SCRIPT,
        {
            "tarball": str(tarball),
            "builder": BUILDER_NAME,
            "version": version[1] if version else "",
        },
        "BENCH_FORMIO",
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


SECURITY = "/my/security (Odoo's own)"
CUSTOMER_HOME = "/my/home (customer)"
CUSTOMER_ACCOUNT = "/my/account (customer)"


def print_round(measures, pages):
    for page in pages:
        result = measures[page.label]
        sql_median = statistics.median(result.sql) if result.sql else None
        print(
            f"  {page.label:<{WIDTH}} queries {result.query_text:>6}  median "
            f"{fmt_ms(result.median):>7} ms  p95 {fmt_ms(result.p95):>7} ms"
            f"  (SQL median {fmt_ms(sql_median):>6} ms; warm-up "
            f"{result.warmup}, workers {result.pids}, HTTP "
            f"{dict(result.statuses)})",
            flush=True,
        )


def describe_people(people):
    return "; ".join(
        f"{login}: {f['entitlements']} entitlements over {f['cycles']} cycles, "
        f"{f['payments']} payments ({f['paid']} paid, {f['failed']} failed, "
        f"{f['pending']} pending), {f['notifications']} notifications"
        for login, f in ((USER_LOGIN, people["U"]), (SMALL_LOGIN, people["S"]))
    )


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
    setup = run_shell(
        config,
        args.db,
        SETUP_SCRIPT,
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
        "BENCH_PAGES_SETUP",
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
