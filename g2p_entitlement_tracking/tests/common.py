from datetime import date, timedelta

from odoo.tests import HttpCase

from odoo.addons.g2p_portal_forms.tests.common import RegistrantUsers


class BenefitsCase(RegistrantUsers, HttpCase):
    """Two registrants: Ana with benefits in two programs and currencies,
    Ben with none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.usd = env.ref("base.USD")
        cls.kes = env.ref("base.KES")
        cls.kes.active = True
        cls.cash = cls._program("Cash for Families", cls.usd, "BUSD")
        cls.food = cls._program("Food Support", cls.kes, "BKES")
        cls.cash_cycles = cls._cycles(cls.cash, 2)
        cls.food_cycles = cls._cycles(cls.food, 1)
        cls.ana = cls._registrant_user("Ana Lima", "ana.benefits")
        cls.ben = cls._registrant_user("Ben Okafor", "ben.benefits")
        cls.paid = cls._entitlement(cls.ana, cls.cash_cycles[0], 100, "rdpd2ben")
        cls.approved = cls._entitlement(cls.ana, cls.cash_cycles[1], 120, "approved")
        cls.reviewed = cls._entitlement(
            cls.ana, cls.cash_cycles[1], 30, "pending_validation"
        )
        cls.rejected = cls._entitlement(cls.ana, cls.food_cycles[0], 999, "rejected2")
        cls.food_paid = cls._entitlement(
            cls.ana, cls.food_cycles[0], 1500, "trans2FSP", cash=False
        )
        cls.payment = cls._payment(cls.paid, 100, status="paid")
        cls.failed = cls._payment(cls.food_paid, 500, status="failed")
        cls._payment(cls.food_paid, 500, status="paid")

    @classmethod
    def _program(cls, name, currency, code):
        journal = cls.env["account.journal"].create(
            {"name": f"{name} journal", "type": "bank", "code": code}
        )
        journal.currency_id = currency
        return cls.env["g2p.program"].create({"name": name, "journal_id": journal.id})

    @classmethod
    def _cycles(cls, program, count, prefix=None):
        prefix = prefix or f"{program.name} cycle"
        return cls.env["g2p.cycle"].create(
            [
                {
                    "name": f"{prefix} {index + 1}",
                    "program_id": program.id,
                    "sequence": index + 1,
                    "start_date": date(2026, 1, 1) + timedelta(days=30 * index),
                    "end_date": date(2026, 1, 28) + timedelta(days=30 * index),
                }
                for index in range(count)
            ]
        )

    @classmethod
    def _entitlement(cls, partner, cycle, amount, state, cash=True):
        return cls.env["g2p.entitlement"].create(
            {
                "partner_id": partner.id,
                "cycle_id": cycle.id,
                "initial_amount": amount,
                "state": state,
                "is_cash_entitlement": cash,
                "valid_from": date(2026, 1, 1),
                "valid_until": date(2027, 1, 1),
            }
        )

    @classmethod
    def _payment(cls, entitlement, amount, status=None):
        return cls.env["g2p.payment"].create(
            {
                "entitlement_id": entitlement.id,
                "cycle_id": entitlement.cycle_id.id,
                "amount_issued": amount,
                "amount_paid": amount if status == "paid" else 0,
                "state": "reconciled" if status else "issued",
                "status": status,
            }
        )
