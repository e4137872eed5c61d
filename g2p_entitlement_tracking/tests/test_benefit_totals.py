"""The benefit totals PostgreSQL keeps per person (g2p_entitlement_totals)
stay equal to the sums of the rows, whoever writes them and however."""

from odoo.tests import tagged
from odoo.tools import SQL

from ..hooks import uninstall_hook
from ..models.g2p_entitlement_totals import TOTALS_TABLE, TRIGGERS, WATCHED
from .common import BenefitsCase

# The sums as the rows give them, next to the kept ones.
FRESH = """
SELECT partner_id, 'e'::char(1), journal_id, state::varchar,
       COALESCE(SUM(initial_amount), 0), COUNT(*)::integer
FROM g2p_entitlement GROUP BY partner_id, journal_id, state
UNION ALL
SELECT e.partner_id, 'p', p.journal_id, p.status::varchar,
       COALESCE(SUM(p.amount_paid), 0), COUNT(*)::integer
FROM g2p_payment p JOIN g2p_entitlement e ON e.id = p.entitlement_id
GROUP BY e.partner_id, p.journal_id, p.status
"""
KEPT = (
    "SELECT partner_id, kind, journal_id, state, amount, count "
    "FROM g2p_portal_benefit_total"
)


@tagged("post_install", "-at_install")
class TestBenefitTotals(BenefitsCase):
    def assertKept(self):
        """The kept sums are the rows' sums, for everyone."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("(%s) EXCEPT ALL (%s)", SQL(KEPT), SQL(FRESH)))
        stale = cr.fetchall()
        cr.execute(SQL("(%s) EXCEPT ALL (%s)", SQL(FRESH), SQL(KEPT)))
        missing = cr.fetchall()
        self.assertEqual((stale, missing), ([], []))

    def _kept_of(self, partner):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT kind, state, SUM(amount), SUM(count) FROM %s "
                "WHERE partner_id = %s GROUP BY 1, 2 ORDER BY 1, 2",
                SQL.identifier(TOTALS_TABLE),
                partner.id,
            )
        )
        # All journals together.
        return [(k, s, float(a), int(c)) for k, s, a, c in self.env.cr.fetchall()]

    def test_kept_from_the_start(self):
        self.assertKept()
        self.assertIn(("e", "approved", 120.0, 1), self._kept_of(self.ana))
        self.assertIn(("p", "paid", 600.0, 2), self._kept_of(self.ana))
        self.assertEqual(self._kept_of(self.ben), [])

    def test_orm_writes_of_entitlements_and_payments(self):
        self.approved.state = "rdpd2ben"
        self.reviewed.initial_amount = 45
        self.assertKept()
        self.failed.write({"status": "paid", "amount_paid": 500})
        self.assertKept()
        self.assertIn(("p", "paid", 1100.0, 3), self._kept_of(self.ana))
        # To another person, then gone.
        self.rejected.partner_id = self.ben
        self.assertKept()
        self.assertEqual(self._kept_of(self.ben), [("e", "rejected2", 999.0, 1)])
        self.assertNotIn("rejected2", [s for _k, s, _a, _c in self._kept_of(self.ana)])
        # OpenG2P deletes draft entitlements and issued payments only.
        self.rejected.state = "draft"
        self.rejected.unlink()
        self.payment.state = "issued"
        self.payment.unlink()
        self.assertKept()
        self.assertEqual(self._kept_of(self.ben), [])
        # Created in a batch, as a cycle does.
        cycle = self.cash_cycles[0]
        batch = self.env["g2p.entitlement"].create(
            [
                {
                    "partner_id": partner.id,
                    "cycle_id": cycle.id,
                    "initial_amount": 10,
                    "state": "draft",
                }
                for partner in (self.ana, self.ben, self.ben)
            ]
        )
        self.assertKept()
        self.assertEqual(self._kept_of(self.ben), [("e", "draft", 20.0, 2)])
        batch.write({"state": "approved"})
        self.assertKept()

    def test_journals_recomputed_and_sql_writes(self):
        """Writes that never pass through ``write()``: the stored journal
        OpenG2P recomputes when a program changes journal, and SQL."""
        other = self.env["account.journal"].create(
            {"name": "Other journal", "type": "bank", "code": "BOTH"}
        )
        other.currency_id = self.kes
        self.cash.journal_id = other
        self.env.flush_all()
        self.assertEqual(self.paid.journal_id, other)
        self.assertKept()
        self.env.cr.execute(
            "UPDATE g2p_entitlement SET initial_amount = initial_amount * 2"
        )
        self.assertKept()
        self.env.cr.execute("DELETE FROM g2p_payment WHERE status = 'failed'")
        self.assertKept()

    def test_the_pages_read_the_kept_sums(self):
        """The totals of everything (kept) and of a domain that selects
        everything (summed on the visit) are the same."""
        Entitlement = self.env["g2p.entitlement"].with_user(self.ana.user_ids)
        partners = Entitlement._portal_partners_sql()
        kept = Entitlement._portal_totals_groups(partners)
        scanned = Entitlement._portal_totals_scanned([("id", "!=", 0)])

        def normal(rows):
            return sorted(
                (kind, journal or 0, state or "", float(amount or 0), count)
                for kind, journal, state, amount, count in rows
            )

        self.assertEqual(normal(kept), normal(scanned))
        self.assertEqual(
            Entitlement._portal_totals([])[2],
            Entitlement._portal_totals([("id", "!=", 0)])[2],
        )

    def test_uninstall_leaves_nothing_on_openg2p_tables(self):
        cr = self.env.cr
        with self.assertRaises(InterruptedError), cr.savepoint():
            uninstall_hook(self.env)
            for table, function, _partners in WATCHED:
                cr.execute(
                    "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND tgname LIKE %s",
                    (table, f"{function}%"),
                )
                self.assertEqual(cr.fetchall(), [], table)
            cr.execute("SELECT to_regclass(%s)", (TOTALS_TABLE,))
            self.assertEqual(cr.fetchone(), (None,))
            raise InterruptedError  # back to the savepoint: installed again
        cr.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s",
            ("g2p_portal_benefit_total%",),
        )
        self.assertEqual(cr.fetchone()[0], len(WATCHED) * len(TRIGGERS))
