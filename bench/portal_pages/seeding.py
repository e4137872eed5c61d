"""Seeding at size: programs, registrants, applications, the bench users' benefits."""

import math
from datetime import date, datetime, timedelta

from odoo_bench import connect

from .common import (
    ANSWERS,
    APPLICATION_STATES,
    COPY_BATCH,
    ENTITLEMENT_PREFIX,
    ENTITLEMENT_STATES,
    NOTIFICATION_PREFIX,
    OTHER_APPLICATION_PREFIX,
    PAYMENT_PREFIX,
    PROGRAM_PREFIX,
    REGISTRANT_PREFIX,
    USER_CYCLE_PREFIX,
)
from .copying import (
    TableCopy,
    batched,
    bench_people,
    clear_people,
    journal_of,
    program_index,
    registrant_row,
    timed,
)


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
