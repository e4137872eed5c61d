"""Rows written with COPY, and the bench's people (whose rows are written again)."""

import io
import json
import time
from dataclasses import dataclass
from datetime import date, datetime

import psycopg2

from .common import (
    REGISTRANT_PREFIX,
    SMALL_SHARE,
    USER_CYCLE_PREFIX,
)

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
