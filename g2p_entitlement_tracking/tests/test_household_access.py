"""A person who left a household stops seeing its benefits, whatever the date.

OpenG2P's stored ``is_ended`` is computed when ``ended_date`` is written:
a membership ended with a date still to come stays "not ended" for good.
Here Ben's membership ends after it was written (its end date is set in the
future, then time passes): from then on he reads none of the household's
entitlements, payments or memberships, by page or over JSON-RPC.
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import JsonRpcException, tagged

from .common import BenefitsCase


@tagged("post_install", "-at_install")
class TestHouseholdAccess(BenefitsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.household = env["res.partner"].create(
            {
                "name": "Okafor household",
                "is_registrant": True,
                "is_group": True,
                "phone": "+254700000999",
            }
        )
        cls.membership = env["g2p.group.membership"].create(
            {"group": cls.household.id, "individual": cls.ben.id}
        )
        cls.shared = cls._entitlement(cls.household, cls.cash_cycles[0], 40, "approved")
        cls.shared_payment = cls._payment(cls.shared, 40, status="paid")
        cls.household_membership = env["g2p.program_membership"].create(
            {"partner_id": cls.household.id, "program_id": cls.cash.id}
        )
        cls.own_membership = env["g2p.program_membership"].create(
            {"partner_id": cls.ben.id, "program_id": cls.food.id}
        )

    def call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def visible(self):
        return {
            "entitlements": self.call("g2p.entitlement", "search", []),
            "payments": self.call("g2p.payment", "search", []),
            "memberships": self.call("g2p.program_membership", "search", []),
        }

    def test_member_sees_the_household_until_the_membership_ends(self):
        self._sign_in(self.ben)
        seen = self.visible()
        self.assertIn(self.shared.id, seen["entitlements"])
        self.assertIn(self.shared_payment.id, seen["payments"])
        # Program memberships: his own; the household's record stays behind
        # res.partner's rules (Odoo applies them through _inherits).
        self.assertEqual(seen["memberships"], self.own_membership.ids)
        link = f'href="/my/benefits/{self.shared.id}"'
        self.assertIn(link, self.url_open("/my/benefits").text)

        # Ended in a week: written now, so OpenG2P's is_ended stays False.
        end = fields.Datetime.now() + timedelta(days=7)
        self.membership.ended_date = end
        self.assertFalse(self.membership.is_ended)
        self.assertIn(self.shared.id, self.visible()["entitlements"])

        # Two weeks later, nothing was written again.
        later = fields.Datetime.now() + timedelta(days=14)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.assertFalse(self.membership.is_ended)
            seen = self.visible()
            self.assertNotIn(self.shared.id, seen["entitlements"])
            self.assertNotIn(self.shared_payment.id, seen["payments"])
            self.assertNotIn(self.household_membership.id, seen["memberships"])
            self.assertNotIn(link, self.url_open("/my/benefits").text)
            page = self.url_open(f"/my/benefits/{self.shared.id}")
            self.assertEqual(page.status_code, 404)

    def test_the_pages_read_the_partners_of_the_record_rule(self):
        """``_portal_partner_ids`` (the list, the filters) and the totals'
        query find exactly the entitlements the record rule gives."""
        Entitlement = self.env["g2p.entitlement"]

        def check():
            for partner in (self.ana, self.ben):
                as_person = Entitlement.with_user(partner.user_ids)
                by_rule = set(as_person.search([]).ids)
                partner_ids = as_person._portal_partner_ids()
                found = Entitlement.search([("partner_id", "in", partner_ids)])
                self.assertEqual(set(found.ids), by_rule, partner.name)
                _totals, _currencies, counts = as_person._portal_totals([])
                self.assertEqual(sum(counts.values()), len(by_rule), partner.name)

        check()
        self.assertIn(
            self.household.id,
            Entitlement.with_user(self.ben.user_ids)._portal_partner_ids(),
        )
        self.membership.ended_date = fields.Datetime.now() + timedelta(days=7)
        check()
        later = fields.Datetime.now() + timedelta(days=14)
        with patch.object(fields.Datetime, "now", return_value=later):
            check()
            self.assertNotIn(
                self.household.id,
                Entitlement.with_user(self.ben.user_ids)._portal_partner_ids(),
            )

    def test_partner_fields_of_memberships_are_not_readable(self):
        self._sign_in(self.ben)
        self.ben.phone = "+254700000999"
        ids = self.own_membership.ids
        for method, args, kwargs in (
            ("read", [ids, ["phone"]], {}),
            ("search_read", [[("id", "in", ids)]], {"fields": ["phone", "name"]}),
            (
                "read_group",
                [],
                {
                    "domain": [],
                    "fields": ["phone"],
                    "groupby": ["phone"],
                    "lazy": False,
                },
            ),
            ("web_read", [ids], {"specification": {"phone": {}}}),
        ):
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self.call("g2p.program_membership", method, *args, **kwargs)
        # The membership's own fields stay readable.
        rows = self.call("g2p.program_membership", "read", ids, ["state", "program_id"])
        self.assertEqual(rows[0]["program_id"][0], self.food.id)
        self.assertNotIn("+254700000999", str(rows))

    def test_staff_without_a_role_read_no_notifications(self):
        notification = self.env["g2p.portal.notification"].create(
            {
                "partner_id": self.ana.id,
                "key": "test-household-access",
                "kind": "entitlement",
                "event": "entitlement_paid",
                "subject": "Your benefit was paid",
            }
        )
        self.assertTrue(notification)
        clerk = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Cleo Clerk",
                    "login": "cleo.benefits",
                    "password": "cleo.benefits-Pass-123",
                    "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
                }
            )
        )
        self.assertTrue(clerk)
        self.authenticate("cleo.benefits", "cleo.benefits-Pass-123")
        with self.assertRaises(JsonRpcException):
            self.call("g2p.portal.notification", "search_read", [], fields=["subject"])
