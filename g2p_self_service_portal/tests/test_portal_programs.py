from odoo import fields
from odoo.tests import tagged

from odoo.addons.g2p_auth_esignet.tests.test_login_sessions import (
    counting_statements,
)
from odoo.addons.g2p_portal_forms.tests.common import PortalFormsCase
from odoo.addons.g2p_self_service_portal.controllers.programs import (
    listed_programs_domain,
)

# Issue 8: at most 40 SQL queries per page, whatever the data size.
PAGE_QUERY_LIMIT = 40


class PortalPagesCase(PortalFormsCase):
    @classmethod
    def _application(cls, partner, program, state="active"):
        return (
            cls.env["g2p.program.registrant_info"]
            .sudo()
            .create(
                {
                    "registrant_id": partner.id,
                    "program_id": program.id,
                    "state": state,
                    "program_registrant_info": {"full_name": partner.name},
                    "portal_submitted_at": fields.Datetime.now(),
                }
            )
        )

    @classmethod
    def _national_id_provider(cls, client_id):
        """An enabled eSignet provider with a one-time-code button."""
        provider = cls.env["auth.oauth.provider"].create(
            {
                "name": "National ID",
                "flow": "id_token_code",
                "client_id": client_id,
                "enabled": True,
                "body": "Sign in with your national ID",
                "scope": "openid profile",
                "auth_endpoint": "https://esignet.example.org/authorize",
                "esignet_issuer": "https://esignet.example.org",
            }
        )
        cls.env["g2p.esignet.login.method"].create(
            {
                "provider_id": provider.id,
                "name": "One-time code",
                "icon": "otp",
                "acr_values": "mosip:idp:acr:generated-code",
            }
        )
        return provider

    def _programs(self, count, prefix="Bulk program"):
        return self.env["g2p.program"].create(
            [
                {
                    "name": f"{prefix} {index}",
                    "description": f"Support number {index}",
                    "portal_published": True,
                    "self_service_portal_form": self.builder.id,
                    "portal_open_until": "2999-12-31",
                }
                for index in range(count)
            ]
        )

    def _statements(self, url):
        # Warm the caches (views, rules, menus, session) first.
        self.url_open(url)
        self.url_open(url)
        # Odoo's own count (it includes the test cursor's savepoints) stays
        # within the limit; the statements are compared by the tests.
        with (
            self.assertQueryCount(PAGE_QUERY_LIMIT),
            counting_statements() as statements,
        ):
            response = self.url_open(url)
        self.assertEqual(response.status_code, 200, response.text[:300])
        return statements


@tagged("post_install", "-at_install")
class TestPortalPrograms(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.hidden = cls.env["g2p.program"].create(
            {"name": "Hidden Help", "portal_published": False}
        )
        cls.ended = cls.env["g2p.program"].create(
            {"name": "Ended Help", "portal_published": True}
        )
        cls.ended.sudo().state = "ended"
        cls.closed = cls.env["g2p.program"].create(
            {
                "name": "Winter Fuel",
                "description": "Heating for the winter",
                "portal_published": True,
                "self_service_portal_form": cls.builder.id,
                "portal_open_until": "2000-01-01",
            }
        )

    def test_visitor_is_sent_to_login(self):
        response = self.url_open("/my/programs", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            "/selfservice/login?redirect=%2Fmy%2Fprograms", response.headers["Location"]
        )

    def test_list_shows_published_running_programs(self):
        self._sign_in(self.ana)
        page = self.url_open("/my/programs")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Cash for Families", page.text)
        self.assertIn("Winter Fuel", page.text)
        self.assertNotIn("Hidden Help", page.text)
        self.assertNotIn("Ended Help", page.text)
        self.assertIn(f"/my/programs/{self.program.id}/apply", page.text)
        self.assertNotIn(f"/my/programs/{self.closed.id}/apply", page.text)

    def test_search_and_filters(self):
        application = self._application(self.ana, self.program)
        self._sign_in(self.ana)
        page = self.url_open("/my/programs?search=winter")
        self.assertIn("Winter Fuel", page.text)
        self.assertNotIn("Cash for Families", page.text)
        page = self.url_open("/my/programs?filterby=open")
        self.assertIn("Cash for Families", page.text)
        self.assertNotIn("Winter Fuel", page.text)
        page = self.url_open("/my/programs?filterby=applied")
        self.assertIn("Cash for Families", page.text)
        self.assertIn(f"/my/applications/{application.id}", page.text)
        self.assertNotIn("Winter Fuel", page.text)
        page = self.url_open("/my/programs?filterby=enrolled")
        self.assertNotIn("Cash for Families", page.text)
        self.env["g2p.program_membership"].create(
            {"partner_id": self.ana.id, "program_id": self.program.id}
        ).state = "enrolled"
        page = self.url_open("/my/programs?filterby=enrolled")
        self.assertIn("Cash for Families", page.text)
        self.assertIn("Enrolled", page.text)
        # Ben applied nowhere and is enrolled nowhere.
        self._sign_in(self.ben)
        for filterby in ("applied", "enrolled"):
            page = self.url_open(f"/my/programs?filterby={filterby}")
            self.assertNotIn("Cash for Families", page.text)

    def test_program_page(self):
        self._sign_in(self.ana)
        page = self.url_open(f"/my/programs/{self.program.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Proof of income", page.text)
        self.assertIn("PDF", page.text)
        self.assertIn("Households and groups", page.text)
        self.assertIn(f"/my/programs/{self.program.id}/apply", page.text)
        page = self.url_open(f"/my/programs/{self.closed.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("not open for applications", page.text)

    def test_program_page_after_applying(self):
        application = self._application(self.ana, self.program)
        self._sign_in(self.ana)
        page = self.url_open(f"/my/programs/{self.program.id}")
        self.assertIn("already applied", page.text)
        self.assertIn(f"/my/applications/{application.id}", page.text)
        self.assertNotIn(f"/my/programs/{self.program.id}/apply", page.text)

    def test_hidden_and_ended_programs_answer_404(self):
        self._sign_in(self.ana)
        for program in (self.hidden, self.ended):
            page = self.url_open(f"/my/programs/{program.id}")
            self.assertEqual(page.status_code, 404, program.name)
        self.assertEqual(self.url_open("/my/programs/999999999").status_code, 404)

    def test_home_counter(self):
        self._sign_in(self.ana)
        response = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["program_count", "application_count"]}
        )
        # Every published program the portal user can read (the database
        # may hold others than this test's).
        published = (
            self.env["g2p.program"]
            .with_user(self.ana.user_ids)
            .search_count(listed_programs_domain())
        )
        self.assertEqual(response["program_count"], published)
        self.assertEqual(response["application_count"], 0)

    def test_query_count_does_not_grow(self):
        self._sign_in(self.ana)
        counts = []
        for size in (5, 45):
            programs = self._programs(size, f"Size {size}")
            for program in programs[::2]:
                self._application(self.ana, program)
            for url in ("/my/programs", "/my/programs?filterby=applied"):
                counts.append((url, len(self._statements(url))))
            counts.append(
                ("program", len(self._statements(f"/my/programs/{programs[0].id}")))
            )
        small, large = counts[:3], counts[3:]
        self.assertEqual(small, large)
        for _url, count in large:
            self.assertLessEqual(count, 40)
