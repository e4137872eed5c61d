"""Profile (/my/account) and what I have submitted (/my/submissions)."""

from urllib.parse import parse_qs, urlsplit

from odoo.tests import tagged

from odoo.addons.g2p_portal_forms.tests.common import SCHEMA

from .test_portal_programs import PortalPagesCase

# Queries of one request of each page (signed in, caches warm): the same
# whatever the number of programs and applications; issue 8 allows 40.
PROFILE_QUERIES = 20
# g2p_biometric_assist, when installed, tells the person whether an officer
# captured their biometrics: one query more.
BIOMETRIC_NOTICE_QUERIES = 1
SUBMISSIONS_QUERIES = 15


@tagged("post_install", "-at_install")
class TestPortalProfile(PortalPagesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.ghana = env.ref("base.gh")
        cls.kenya = env.ref("base.ke")
        cls.greater_accra = env["res.country.state"].create(
            {"name": "Greater Accra", "code": "GAX", "country_id": cls.ghana.id}
        )
        cls.nairobi = env["res.country.state"].create(
            {"name": "Nairobi County", "code": "NBX", "country_id": cls.kenya.id}
        )
        if not env["gender.type"].search([("value", "=", "Female")]):
            env["gender.type"].create({"code": "Female", "value": "Female"})
        cls.ana.write(
            {
                "given_name": "Ana",
                "family_name": "Lima",
                "birthdate": "1990-05-01",
                "gender": "Female",
                "email": "ana@example.org",
                "phone": "+233244123456",
                "street": "1 Ring Road",
                "city": "Accra",
                "country_id": cls.ghana.id,
                "state_id": cls.greater_accra.id,
                # As g2p_auth_esignet leaves it after a national-ID login.
                "esignet_locked_fields": "addl_name birthdate family_name given_name",
            }
        )
        national_id = env["g2p.id.type"].create({"name": "National ID card"})
        env["g2p.reg.id"].create(
            {"partner_id": cls.ana.id, "id_type": national_id.id, "value": "NID-4411"}
        )
        env["g2p.reg.id"].create(
            {"partner_id": cls.ben.id, "id_type": national_id.id, "value": "NID-9922"}
        )
        cls.application = cls._application(cls.ana, cls.program)
        cls.application.write(
            {
                "portal_form_schema": SCHEMA,
                "program_registrant_info": {"full_name": "Ana Lima", "bank": "first"},
            }
        )
        cls.ben_application = cls._application(cls.ben, cls.program)
        cls.ben_application.write(
            {"program_registrant_info": {"full_name": "Ben's secret answer"}}
        )

    def _form(self, **changes):
        """The profile form as the browser posts it (locked fields disabled)."""
        values = {
            "csrf_token": self._csrf(),
            "addl_name": "",
            "birth_place": "",
            "gender": "Female",
            "email": "ana@example.org",
            "phone": "+233244123456",
            "street": "1 Ring Road",
            "street2": "",
            "city": "Accra",
            "zip": "",
            "country_id": str(self.ghana.id),
            "state_id": str(self.greater_accra.id),
            "lang": "en_US",
        }
        values.update(changes)
        return values

    def _csrf(self):
        page = self.url_open("/my/account").text
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        return page[start : page.index('"', start)]

    def _post(self, **changes):
        return self.url_open(
            "/my/account", data=self._form(**changes), allow_redirects=False
        )

    # -- the page ----------------------------------------------------------------

    def test_visitor_goes_to_portal_sign_in(self):
        response = self.url_open("/my/account", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/selfservice/login")
        self.assertEqual(parse_qs(location.query)["redirect"], ["/my/account"])
        response = self.url_open("/my/submissions", allow_redirects=False)
        location = urlsplit(response.headers["Location"])
        self.assertEqual(location.path, "/selfservice/login")
        # Staff pages keep Odoo's own sign-in page.
        response = self.url_open("/web", allow_redirects=False)
        self.assertIn("/web/login", response.headers["Location"])

    def test_profile_shows_details_verified_and_editable(self):
        self._sign_in(self.ana)
        response = self.url_open("/my/account")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("My details", page)
        self.assertIn('value="ana@example.org"', page)
        self.assertIn('value="1990-05-01"', page)
        self.assertIn("Verified through your national ID", page)
        # Verified fields are shown but not editable; others are.
        self.assertRegex(page, r'<input[^>]*id="g2p_profile_birthdate"[^>]*disabled')
        self.assertNotRegex(page, r'<input[^>]*id="g2p_profile_email"[^>]*disabled')
        self.assertIn('<label class="form-label" for="g2p_profile_email"', page)
        self.assertIn("NID-4411", page)
        self.assertNotIn("NID-9922", page)
        self.assertIn('href="/my/submissions"', page)

    def test_registrant_without_verified_details(self):
        self._sign_in(self.ben)
        page = self.url_open("/my/account").text
        self.assertNotIn("Verified through your national ID", page)
        given_name = r'<input[^>]*id="g2p_profile_given_name"[^>]*disabled'
        self.assertNotRegex(page, given_name)
        self.assertIn("NID-9922", page)
        self.assertNotIn("NID-4411", page)

    def test_linking_offered_until_linked(self):
        provider = self.env["auth.oauth.provider"].create(
            {
                "name": "National ID",
                "flow": "id_token_code",
                "client_id": "g2p-profile-link-test",
                "enabled": True,
                "body": "Sign in with your national ID",
                "auth_endpoint": "https://esignet.example.org/authorize",
                "esignet_issuer": "https://esignet.example.org",
                "esignet_link_manual": True,
            }
        )
        self._sign_in(self.ben)
        page = self.url_open("/my/account").text
        self.assertIn("Link your national ID", page)
        self.assertIn(f'action="/auth_esignet/link/{provider.id}"', page)
        self.ben.user_ids.sudo().write(
            {"oauth_provider_id": provider.id, "oauth_uid": "psut-ben"}
        )
        page = self.url_open("/my/account").text
        self.assertNotIn("Link your national ID", page)

    def test_other_portal_users_keep_odoo_form(self):
        partner = self.env["res.partner"].create({"name": "A Customer"})
        self.env["res.users"].with_context(no_reset_password=True).create(
            {
                "login": "customer.profile",
                "password": "customer.profile-Pass-123",
                "partner_id": partner.id,
                "groups_id": [(6, 0, [self.env.ref("base.group_portal").id])],
            }
        )
        self.authenticate("customer.profile", "customer.profile-Pass-123")
        page = self.url_open("/my/account").text
        self.assertIn('name="company_name"', page)
        self.assertNotIn("g2p_profile_", page)

    # -- edits -------------------------------------------------------------------

    def test_edit_is_saved_cleaned(self):
        self._sign_in(self.ana)
        response = self._post(
            email="  Ana.Lima@Example.ORG ",
            phone="024 412 9999",
            city="  Kumasi ",
            country_id=str(self.kenya.id),
            state_id=str(self.nairobi.id),
            lang="en_US",
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertTrue(response.headers["Location"].endswith("/my/account?saved=1"))
        self.ana.invalidate_recordset()
        self.assertEqual(self.ana.email, "Ana.Lima@example.org")
        self.assertEqual(self.ana.phone, "+233244129999")
        self.assertEqual(self.ana.city, "Kumasi")
        self.assertEqual(self.ana.country_id, self.kenya)
        self.assertEqual(self.ana.state_id, self.nairobi)
        self.assertIn("+233244129999", self.ana.phone_number_ids.mapped("phone_no"))
        page = self.url_open("/my/account?saved=1").text
        self.assertIn("Your details were saved.", page)

    def test_bad_values_refused_nothing_written(self):
        self._sign_in(self.ana)
        response = self._post(
            email="ana@", phone="12", city="Tamale", state_id=str(self.nairobi.id)
        )
        self.assertEqual(response.status_code, 400)
        page = response.text
        self.assertIn("Enter a valid email address", page)
        self.assertIn("Enter a valid phone number", page)
        self.assertIn("Select a region of the country you chose.", page)
        self.assertIn("3 fields need your attention", page)
        self.assertIn('aria-invalid="true"', page)
        # What the person typed is shown back to be corrected.
        self.assertIn('value="Tamale"', page)
        self.ana.invalidate_recordset()
        self.assertEqual(self.ana.city, "Accra")
        self.assertEqual(self.ana.email, "ana@example.org")

    def test_locked_field_edit_refused(self):
        self._sign_in(self.ana)
        response = self._post(birthdate="1991-02-02", given_name="Anna", city="Tema")
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "verified through your national ID and cannot be changed", response.text
        )
        self.ana.invalidate_recordset()
        self.assertEqual(str(self.ana.birthdate), "1990-05-01")
        self.assertEqual(self.ana.given_name, "Ana")
        self.assertEqual(self.ana.city, "Accra")

    def test_unlocked_name_edit_recomputes_name(self):
        self.ben.write({"given_name": "Ben", "family_name": "Okafor"})
        self._sign_in(self.ben)
        response = self.url_open(
            "/my/account",
            data={
                "csrf_token": self._csrf(),
                "given_name": "Benjamin",
                "family_name": "Okafor",
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.ben.invalidate_recordset()
        self.assertEqual(self.ben.given_name, "Benjamin")
        self.assertEqual(self.ben.name, "OKAFOR, BENJAMIN ")

    def test_post_without_csrf_token_refused(self):
        self._sign_in(self.ana)
        data = self._form(city="Tema")
        data.pop("csrf_token")
        response = self.url_open("/my/account", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 400)
        self.ana.invalidate_recordset()
        self.assertEqual(self.ana.city, "Accra")

    def test_cannot_edit_someone_else(self):
        self._sign_in(self.ben)
        response = self.url_open(
            "/my/account",
            data={
                "csrf_token": self._csrf(),
                "partner_id": str(self.ana.id),
                "id": str(self.ana.id),
                "city": "Nowhere",
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.ana.invalidate_recordset()
        self.ben.invalidate_recordset()
        self.assertEqual(self.ana.city, "Accra")
        self.assertEqual(self.ben.city, "Nowhere")

    def test_foreign_redirect_ignored(self):
        self._sign_in(self.ana)
        response = self.url_open(
            "/my/account?redirect=https://evil.example/",
            data=self._form(city="Tema"),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("evil.example", response.headers["Location"])

    # -- what I have submitted ----------------------------------------------------

    def test_submissions_grouped_by_program(self):
        other = self._programs(1, "Other support")
        self._application(self.ana, other)
        self._sign_in(self.ana)
        response = self.url_open("/my/submissions")
        self.assertEqual(response.status_code, 200)
        page = response.text
        self.assertIn("What I have submitted", page)
        self.assertIn("Cash for Families", page)
        self.assertIn("Other support 0", page)
        self.assertIn("Full name", page)  # the form's label, not the key
        self.assertIn("First Bank", page)
        self.assertIn(self.application.application_id, page)
        self.assertNotIn("secret answer", page)
        self.assertNotIn(self.ben_application.application_id, page)
        filtered = self.url_open(f"/my/submissions?program={other.id}").text
        self.assertNotIn(self.application.application_id, filtered)

    def test_submissions_empty(self):
        ben = self.ben_application
        ben.unlink()
        self._sign_in(self.ben)
        page = self.url_open("/my/submissions").text
        self.assertIn("You have not submitted anything yet.", page)

    def test_query_counts_do_not_grow(self):
        self._sign_in(self.ana)
        profile_queries = PROFILE_QUERIES + (
            BIOMETRIC_NOTICE_QUERIES if "g2p.biometric.capture" in self.env else 0
        )
        for size in (3, 40):
            for program in self._programs(size, f"Size {size}"):
                self._application(self.ana, program)
            for url, expected in (
                ("/my/account", profile_queries),
                ("/my/submissions", SUBMISSIONS_QUERIES),
                ("/my/submissions/page/2", SUBMISSIONS_QUERIES),
            ):
                self.url_open(url)
                self.url_open(url)
                with self.assertQueryCount(expected):
                    self.assertEqual(self.url_open(url).status_code, 200, url)
