"""Each person's benefit totals, kept up to date by PostgreSQL.

The dashboard and the unfiltered benefits page show a person's totals per
currency. Summing every entitlement and payment of the person on each visit
costs as much as their history is long (5,000 entitlements: several
milliseconds of every dashboard). The table ``g2p_portal_benefit_total``
holds the same sums grouped per partner, journal and state, so a visit
reads a few rows whatever the history.

Statement-level triggers on OpenG2P's ``g2p_entitlement`` and
``g2p_payment`` keep it: after any statement that inserts, deletes or
changes the partner, journal, state or amount of rows, the partners
concerned are summed again from the rows themselves. Every writer is seen
(the ORM's writes, the stored journal recomputed when a program changes
journal, a cycle approving thousands at once, SQL), and a refresh counts
the rows rather than adding differences, so it cannot drift. Two
transactions refreshing one person both delete that person's rows: the
second fails to serialize and is run again (Odoo retries requests, queue
jobs retry), never summing a stale view.

Not a model: nothing reaches the table over JSON-RPC; the portal reads it
for the partners the record rule gives the person
(``_portal_partners_sql``). Filled again from the rows whenever the addon
is installed or updated; dropped with its triggers when it is uninstalled
(``hooks.uninstall_hook``).
"""

from odoo import api, models
from odoo.tools import SQL

TOTALS_TABLE = "g2p_portal_benefit_total"
REFRESH_FUNCTION = "g2p_portal_benefit_total_refresh"
TRIGGERS = {
    "insert": (
        "CREATE TRIGGER %s AFTER INSERT ON %s REFERENCING NEW TABLE AS g2p_new "
        "FOR EACH STATEMENT EXECUTE FUNCTION %s()"
    ),
    "update": (
        "CREATE TRIGGER %s AFTER UPDATE ON %s "
        "REFERENCING OLD TABLE AS g2p_old NEW TABLE AS g2p_new "
        "FOR EACH STATEMENT EXECUTE FUNCTION %s()"
    ),
    "delete": (
        "CREATE TRIGGER %s AFTER DELETE ON %s REFERENCING OLD TABLE AS g2p_old "
        "FOR EACH STATEMENT EXECUTE FUNCTION %s()"
    ),
}

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS g2p_portal_benefit_total (
    partner_id integer NOT NULL,
    kind char(1) NOT NULL,  -- 'e': entitlements, 'p': their payments
    journal_id integer,
    state varchar,
    amount numeric NOT NULL,
    count integer NOT NULL
);
CREATE INDEX IF NOT EXISTS g2p_portal_benefit_total_partner_id_index
    ON g2p_portal_benefit_total (partner_id);
"""

# The sums per partner, journal and state: the entitlements' amounts and
# their payments' amounts paid, counted from the rows; %s: which
# entitlements (of which partners).
SUMS = """
INSERT INTO g2p_portal_benefit_total
    (partner_id, kind, journal_id, state, amount, count)
SELECT partner_id, 'e', journal_id, state, COALESCE(SUM(initial_amount), 0),
       COUNT(*)
FROM g2p_entitlement e WHERE %s
GROUP BY partner_id, journal_id, state
UNION ALL
SELECT e.partner_id, 'p', p.journal_id, p.status, COALESCE(SUM(p.amount_paid), 0),
       COUNT(*)
FROM g2p_payment p JOIN g2p_entitlement e ON e.id = p.entitlement_id
WHERE %s
GROUP BY e.partner_id, p.journal_id, p.status
"""
SOME_PARTNERS = "e.partner_id = ANY(partners)"

# The sums of some partners again.
CREATE_REFRESH_FUNCTION = """
CREATE OR REPLACE FUNCTION g2p_portal_benefit_total_refresh(partners integer[])
RETURNS void LANGUAGE sql AS $body$
DELETE FROM g2p_portal_benefit_total WHERE partner_id = ANY(partners);
%s;
$body$
"""

# After a statement on a watched table: the partners whose sums it may
# have changed are summed again. %s: the function; then the queries of the
# partners of the rows inserted, of those deleted, and of those updated
# whose summed columns changed (before and after: a row moved to another
# partner leaves the first one's sums too).
CREATE_TRIGGER_FUNCTION = """
CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE partners integer[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT partner_id) INTO partners FROM (%s) AS inserted;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT partner_id) INTO partners FROM (%s) AS deleted;
    ELSE
        SELECT array_agg(DISTINCT partner_id) INTO partners FROM (%s) AS changed;
    END IF;
    IF partners IS NOT NULL THEN
        PERFORM g2p_portal_benefit_total_refresh(partners);
    END IF;
    RETURN NULL;
END
$body$
"""
# An entitlement's partner is its own; a payment's, its entitlement's.
ENTITLEMENT_PARTNERS = (
    "SELECT partner_id FROM g2p_new",
    "SELECT partner_id FROM g2p_old",
    "SELECT x.partner_id FROM g2p_old o JOIN g2p_new n ON n.id = o.id, "
    "LATERAL (VALUES (o.partner_id), (n.partner_id)) AS x(partner_id) "
    "WHERE (o.partner_id, o.journal_id, o.state, o.initial_amount) "
    "IS DISTINCT FROM (n.partner_id, n.journal_id, n.state, n.initial_amount)",
)
PAYMENT_PARTNERS = (
    "SELECT e.partner_id FROM g2p_new t "
    "JOIN g2p_entitlement e ON e.id = t.entitlement_id",
    "SELECT e.partner_id FROM g2p_old t "
    "JOIN g2p_entitlement e ON e.id = t.entitlement_id",
    "SELECT e.partner_id FROM g2p_old o JOIN g2p_new n ON n.id = o.id, "
    "LATERAL (VALUES (o.entitlement_id), (n.entitlement_id)) AS x(id) "
    "JOIN g2p_entitlement e ON e.id = x.id "
    "WHERE (o.entitlement_id, o.journal_id, o.status, o.amount_paid) "
    "IS DISTINCT FROM (n.entitlement_id, n.journal_id, n.status, n.amount_paid)",
)
# (table, its trigger function, its partner queries): a trigger per event.
WATCHED = (
    ("g2p_entitlement", "g2p_portal_benefit_total_entitlements", ENTITLEMENT_PARTNERS),
    ("g2p_payment", "g2p_portal_benefit_total_payments", PAYMENT_PARTNERS),
)

# Everyone's sums again, from the rows.
REFILL = "DELETE FROM g2p_portal_benefit_total; %s"


class G2PEntitlement(models.Model):
    # One concern of g2p.entitlement per file (g2p_entitlement.py: the
    # pages' reads and the notifications).
    _inherit = "g2p.entitlement"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        result = super().init()
        cr = self.env.cr
        cr.execute(CREATE_TABLE)
        cr.execute(
            SQL(
                CREATE_REFRESH_FUNCTION,
                SQL(SUMS, SQL(SOME_PARTNERS), SQL(SOME_PARTNERS)),
            )
        )
        for table, function, partners in WATCHED:
            cr.execute(
                SQL(
                    CREATE_TRIGGER_FUNCTION,
                    SQL.identifier(function),
                    *(SQL(query) for query in partners),
                )
            )
            for event, create in TRIGGERS.items():
                trigger = SQL.identifier(f"{function}_{event}")
                cr.execute(
                    SQL(
                        "DROP TRIGGER IF EXISTS %s ON %s",
                        trigger,
                        SQL.identifier(table),
                    )
                )
                cr.execute(
                    SQL(
                        create,
                        trigger,
                        SQL.identifier(table),
                        SQL.identifier(function),
                    )
                )
        # Summed again from the rows: whatever happened while the triggers
        # were not there (installing, an older version) is counted.
        cr.execute(SQL(REFILL, SQL(SUMS, SQL("TRUE"), SQL("TRUE"))))
        return result

    @api.model
    def _portal_totals_groups(self, partners):
        """(kind, journal, state, amount, count) rows of ``partners`` (an
        SQL query of partner ids): 'e' the entitlements per journal and
        state, 'p' their payments per journal and status, and 'j' (journal
        or 0 for the company, currency) the currencies of those journals;
        what ``_portal_totals`` groups, without reading the entitlements.
        """
        # The ORM's pending writes reach the tables (and their triggers).
        for model in ("g2p.entitlement", "g2p.payment"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                "WITH t AS (SELECT kind, journal_id, state, SUM(amount) AS amount, "
                "SUM(count)::integer AS count FROM %s "
                "WHERE partner_id = ANY(ARRAY(%s)) GROUP BY 1, 2, 3) "
                "SELECT kind, journal_id, state, amount, count FROM t "
                "UNION ALL %s",
                SQL.identifier(TOTALS_TABLE),
                partners,
                self._portal_journal_currency_rows(SQL("SELECT journal_id FROM t")),
            )
        )
        return self.env.cr.fetchall()
