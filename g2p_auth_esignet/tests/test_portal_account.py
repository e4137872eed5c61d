"""My details in the portal: KYC fields locked, national ID linking offered."""

from odoo.tests import tagged

from .common import MARIA, EsignetHttpCase


@tagged("post_install", "-at_install")
class TestPortalAccount(EsignetHttpCase):
    """Odoo's own "My details" form, as registrants get it without the portal.

    With g2p_self_service_portal installed, registrants get its profile page
    instead, whose tests check the same rules on that page.
    """

    def setUp(self):
        super().setUp()
        portal = self.env["ir.module.module"]._get("g2p_self_service_portal")
        if portal.state == "installed":
            self.skipTest(
                "g2p_self_service_portal replaces this form for registrants; "
                "its profile tests cover locked details and linking"
            )

    def _account_form(self, partner, **changes):
        values = {
            "csrf_token": self._csrf_token(),
            "name": partner.name,
            "email": partner.email or "",
            "phone": partner.phone or "",
            "street": partner.street or "",
            "city": partner.city or "",
            "zipcode": partner.zip or "",
            "country_id": str(partner.country_id.id or ""),
        }
        values.update(changes)
        return values

    def test_kyc_fields_are_read_only_and_refused(self):
        self._login(MARIA)
        partner = self._user_of(MARIA).partner_id
        page = self.url_open("/my/account")
        self.assertEqual(page.status_code, 200)
        self.assertRegex(page.text, r'name="name"[^>]*readonly')
        self.assertIn("come from your national ID", page.text)
        self.assertNotIn("Link your national ID", page.text, "already linked")

        crafted = self.url_open(
            "/my/account", data=self._account_form(partner, name="Someone Else")
        )
        self.assertEqual(crafted.status_code, 200, "the form is shown again")
        self.assertIn("cannot be changed here", crafted.text)
        self.assertEqual(partner.name, "Maria Santos Reyes")

    def test_unlocked_details_can_still_be_saved(self):
        self._login(MARIA)
        partner = self._user_of(MARIA).partner_id
        # The administrator unlocks the street; the registrant may edit it.
        partner.esignet_locked_fields = " ".join(
            name for name in partner.esignet_locked_fields.split() if name != "street"
        )
        response = self.url_open(
            "/my/account",
            data=self._account_form(partner, street="14 Mabini Street"),
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303, response.text[:800])
        self.assertEqual(partner.street, "14 Mabini Street")
        self.assertEqual(partner.name, "Maria Santos Reyes")

    def test_registrant_without_national_id_is_offered_linking(self):
        partner = self._registrant("REYES, PRIYA", email="priya@example.org")
        self._portal_user(partner, "priya.account")
        self.authenticate("priya.account", "priya.account-Pass-123")
        page = self.url_open("/my/account")
        self.assertIn("Link your national ID", page.text)
        self.assertIn(f'action="/auth_esignet/link/{self.provider.id}"', page.text)
        self.assertNotIn("readonly", page.text.split('name="name"')[1].split(">")[0])
