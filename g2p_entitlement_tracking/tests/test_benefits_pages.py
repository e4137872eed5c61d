"""My benefits, one benefit, its voucher: content, access, query counts."""

from odoo.tests import TransactionCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.g2p_auth_esignet.tests.test_login_sessions import (
    counting_statements,
)

from .common import BenefitsCase

PAGE_QUERY_LIMIT = 40


@tagged("post_install", "-at_install")
class TestBenefitsPages(BenefitsCase):
    def test_visitor_goes_to_sign_in(self):
        for url in ("/my/benefits", f"/my/benefits/{self.paid.id}"):
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, 303, url)
            self.assertIn("/selfservice/login", response.headers["Location"])

    def test_list_states_totals_payments(self):
        self._sign_in(self.ana)
        response = self.url_open("/my/benefits")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for text in (
            "Cash for Families",
            "Food Support",
            "Paid",
            "Approved",
            "Being reviewed",
            "Not granted",
            "The account to pay it into does not exist.",
            "Sent for payment",
            "(in kind or voucher)",
            "Failed",
            "The payment did not go through",
        ):
            self.assertIn(text, page)
        # Totals per currency: USD approved 100 + 120, paid 100, 120 to come,
        # 30 in review; KES approved 1,500, paid 500, 1,000 to come.
        totals = page[page.index("o_g2p_benefit_totals") :]
        totals = totals[: totals.index("</table>")]
        self.assertIn("USD", totals)
        self.assertIn("KES", totals)
        for amount in ("220.00", "120.00", "30.00", "1,500.00", "1,000.00"):
            self.assertIn(amount, totals)

    def test_household_benefits_are_the_members(self):
        household = self.env["res.partner"].create(
            {"name": "Lima household", "is_registrant": True, "is_group": True}
        )
        self.env["g2p.group.membership"].create(
            {"group": household.id, "individual": self.ana.id}
        )
        shared = self._entitlement(household, self.cash_cycles[0], 40, "approved")
        self._sign_in(self.ana)
        page = self.url_open("/my/benefits").text
        self.assertIn(f'href="/my/benefits/{shared.id}"', page)
        totals = page[page.index("o_g2p_benefit_totals") :]
        self.assertIn("260.00", totals[: totals.index("</table>")])
        self._sign_in(self.ben)
        page = self.url_open("/my/benefits").text
        self.assertNotIn(f'href="/my/benefits/{shared.id}"', page)
        self.assertEqual(self.url_open(f"/my/benefits/{shared.id}").status_code, 404)

    def test_filters(self):
        self._sign_in(self.ana)
        page = self.url_open(f"/my/benefits?program={self.food.id}").text
        self.assertIn("Food Support cycle 1", page)
        self.assertNotIn(f'href="/my/benefits/{self.paid.id}"', page)
        page = self.url_open("/my/benefits?filterby=rejected").text
        self.assertIn(f'href="/my/benefits/{self.rejected.id}"', page)
        self.assertNotIn(f'href="/my/benefits/{self.approved.id}"', page)
        page = self.url_open(f"/my/benefits?cycle={self.cash_cycles[1].id}").text
        self.assertIn(f'href="/my/benefits/{self.approved.id}"', page)
        self.assertNotIn(f'href="/my/benefits/{self.paid.id}"', page)
        page = self.url_open("/my/benefits?filterby=expired").text
        self.assertIn("No benefit matches your filters.", page)

    def test_registrant_without_benefits(self):
        self._sign_in(self.ben)
        response = self.url_open("/my/benefits")
        self.assertEqual(response.status_code, 200)
        self.assertIn("You have no benefits yet.", response.text)
        self.assertNotIn("Cash for Families", response.text)
        dashboard = self.url_open("/my").text
        self.assertIn("You have no benefits yet.", dashboard)

    def test_dashboard_summary(self):
        self._sign_in(self.ana)
        page = self.url_open("/my").text
        self.assertIn("o_g2p_benefit_totals", page)
        self.assertIn('href="/my/benefits"', page)

    def test_detail_with_history_and_payments(self):
        self.env.cr.precommit.clear()
        self.approved.write({"state": "trans2FSP"})
        self.env.flush_all()
        self.env.cr.precommit.run()
        self._sign_in(self.ana)
        response = self.url_open(f"/my/benefits/{self.approved.id}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("Status history", page)
        history = page[page.index("o_g2p_timeline") :]
        self.assertIn("Sent for payment", history)
        self.assertIn("Approved", history)
        self.assertIn("No payment yet.", page)
        page = self.url_open(f"/my/benefits/{self.paid.id}").text
        self.assertIn("100.00", page[page.index("o_g2p_payments") :])

    def test_other_registrants_benefit_answers_404(self):
        self._sign_in(self.ben)
        for url in (
            f"/my/benefits/{self.paid.id}",
            f"/my/benefits/{self.paid.id}/voucher",
            "/my/benefits/999999999",
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn("Cash for Families cycle", response.text)
        page = self.url_open(f"/my/benefits?program={self.cash.id}").text
        self.assertNotIn(f"/my/benefits/{self.paid.id}", page)

    def test_jsonrpc_shows_none_of_the_other_registrants_benefits(self):
        self._sign_in(self.ben)
        for model, records in (
            ("g2p.entitlement", self.paid | self.approved),
            ("g2p.payment", self.payment | self.failed),
        ):
            with self.subTest(model=model):
                found = self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": model,
                        "method": "search_read",
                        "args": [[]],
                        "kwargs": {"fields": ["id"]},
                    },
                )
                self.assertFalse({row["id"] for row in found} & set(records.ids))
                groups = self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": model,
                        "method": "read_group",
                        "args": [[], ["id:count"], []],
                        "kwargs": {},
                    },
                )
                self.assertEqual(groups[0]["__count"], 0)

    def test_portal_cannot_write_benefits(self):
        self._sign_in(self.ana)
        for model, record, values in (
            ("g2p.entitlement", self.approved, {"initial_amount": 1e6}),
            ("g2p.payment", self.payment, {"amount_paid": 1e6}),
        ):
            with self.subTest(model=model), self.assertRaises(JsonRpcException):
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": model,
                        "method": "write",
                        "args": [[record.id], values],
                        "kwargs": {},
                    },
                )
        self.approved.invalidate_recordset()
        self.assertEqual(self.approved.initial_amount, 120)

    def test_voucher_download_owner_only(self):
        if "voucher_document_id" not in self.env["g2p.entitlement"]._fields:
            self.skipTest(
                "g2p_entitlement_voucher is not installed: vouchers are offered "
                "only where it is"
            )
        backend = self.env["storage.backend"].create(
            {"name": "vouchers", "backend_type": "filesystem"}
        )
        voucher = self.env["storage.file"].create(
            {"name": "voucher.pdf", "backend_id": backend.id, "data": "JVBERi0="}
        )
        self.approved.voucher_document_id = voucher
        self._sign_in(self.ana)
        url = f"/my/benefits/{self.approved.id}/voucher"
        self.assertIn(url, self.url_open(f"/my/benefits/{self.approved.id}").text)
        self.assertEqual(self.url_open(url).content, b"%PDF-")
        self._sign_in(self.ben)
        self.assertEqual(self.url_open(url).status_code, 404)

    def test_query_counts_do_not_grow(self):
        self._sign_in(self.ana)
        urls = (
            "/my/benefits",
            "/my/benefits?filterby=paid",
            "/my/benefits/page/2",
            f"/my/benefits?program={self.cash.id}",
            f"/my/benefits/{self.paid.id}",
            "/my/notifications",
            "/my",
        )
        counts = {}
        for size in (3, 30):
            cycles = self._cycles(self.cash, size, f"Size {size} cycle")
            for cycle in cycles:
                entitlement = self._entitlement(self.ana, cycle, 10, "rdpd2ben")
                self._payment(entitlement, 10, status="paid")
                self._payment(entitlement, 10, status="failed")
            for url in urls:
                self.url_open(url)
                self.url_open(url)
                with (
                    self.assertQueryCount(PAGE_QUERY_LIMIT),
                    counting_statements() as statements,
                ):
                    response = self.url_open(url)
                self.assertEqual(response.status_code, 200, url)
                counts.setdefault(url, []).append(len(statements))

        for url, (small, large) in counts.items():
            self.assertEqual(small, large, f"{url}: {small} then {large} queries")


@tagged("post_install", "-at_install")
class TestAmountsAndDates(TransactionCase):
    """The list writes amounts and dates itself (faster than Odoo's helpers
    and widgets, called for every row): exactly as they would."""

    def test_amounts_as_format_amount_in_several_languages(self):
        from odoo.tools.misc import format_amount

        from ..benefit_format import Money

        for code in ("en_US", "fr_FR", "en_IN", "de_DE"):
            self.env["res.lang"]._activate_lang(code)
            env = self.env(context=dict(self.env.context, lang=code))
            money = Money(env)
            for currency in (
                env.ref("base.USD"),
                env.ref("base.KES"),
                env.ref("base.JPY"),
                env.ref("base.EUR"),
            ):
                for amount in (0, 0.004, 1, 999.995, 1234.5, -98765.432, 12345678.9):
                    with self.subTest(lang=code, currency=currency.name, amount=amount):
                        self.assertEqual(
                            money(amount, currency),
                            format_amount(env, amount, currency),
                        )

    def test_dates_as_the_qweb_date_widget(self):
        import datetime

        from odoo.tools.misc import format_date

        from ..benefit_format import Dates

        for code in ("en_US", "fr_FR", "de_DE"):
            self.env["res.lang"]._activate_lang(code)
            env = self.env(
                context=dict(self.env.context, lang=code, tz="Africa/Nairobi")
            )
            dates = Dates(env)
            for value in (
                datetime.date(2026, 1, 31),
                datetime.datetime(2026, 12, 31, 22, 30),
                False,
            ):
                with self.subTest(lang=code, value=value):
                    self.assertEqual(dates(value), format_date(env, value))
