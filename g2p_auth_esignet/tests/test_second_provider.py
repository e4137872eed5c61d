"""One person through two providers of one registrant ID type, over real HTTP.

A deployer moving to a new OIDC client or key configures a second provider
for the same eSignet and the same PSUT ID type. Both clients belong to one
relying party, so eSignet gives a person the same ``sub`` (PSUT) through
either: a login through either opens the same account. A different
identity (another PSUT, or the same value under another ID type) never
takes an account over.
"""

from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CLIENT_ID, KOFI, MARIA, PRIYA, EsignetHttpCase

EC_CLIENT_ID = "g2p-portal-test-ec"
OTHER_TYPE_CLIENT_ID = "g2p-portal-test-other-type"


def _ec_private_key_pem():
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@tagged("post_install", "-at_install")
class TestSecondProvider(EsignetHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The first provider signs its assertions with an RSA key, the
        # second with an EC key; both clients are of one relying party.
        cls.second = cls._esignet_provider(
            "eSignet (new client)",
            EC_CLIENT_ID,
            _ec_private_key_pem(),
            relying_party_id=CLIENT_ID,
        )
        # Same relying party, so the same sub, but stored under another ID
        # type: another identity.
        cls.other_type = cls.env["g2p.id.type"].create({"name": "Other PSUT"})
        cls.other_provider = cls._esignet_provider(
            "eSignet (other ID type)",
            OTHER_TYPE_CLIENT_ID,
            _ec_private_key_pem(),
            relying_party_id=CLIENT_ID,
            g2p_id_type=cls.other_type.id,
        )

    def _signs_in(self, individual_id, provider):
        """The user a login through ``provider``, in a new browser, opens."""
        self.opener.cookies.clear()
        response = self._login(individual_id, provider=provider)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(
            urlsplit(response.headers["Location"]).path,
            "/my",
            f"{provider.name}: not refused",
        )
        uid = self._session_uid()
        self.assertTrue(uid, "signed in")
        return self.env["res.users"].browse(uid)

    def _refused(self, individual_id, provider):
        self.opener.cookies.clear()
        page = self._error_page(self._login(individual_id, provider=provider))
        self.assertFalse(self._session_uid(), "nobody signed in")
        return page

    def _psut_values(self, partner, id_type=None):
        id_type = id_type or self.psut_type
        return partner.reg_ids.filtered(lambda r: r.id_type == id_type).mapped("value")

    def _link_identity(self, user, provider, psut):
        """The account signs in with ``psut`` through ``provider``."""
        user.partner_id.reg_ids = [
            (0, 0, {"id_type": provider.g2p_id_type.id, "value": psut})
        ]
        user.write({"oauth_provider_id": provider.id, "oauth_uid": psut})

    # -- the same identity through both providers ---------------------------

    def test_the_same_person_through_both_providers_is_one_account(self):
        psut = self._psut(MARIA)
        self.assertEqual(self.emulator.psut(MARIA, EC_CLIENT_ID), psut)
        first = self._signs_in(MARIA, self.provider)
        # The new client, then back to the old one, and again.
        self.assertEqual(self._signs_in(MARIA, self.second), first)
        self.assertEqual(self._signs_in(MARIA, self.provider), first)
        self.assertEqual(self._signs_in(MARIA, self.second), first)
        partner = first.partner_id
        self.assertEqual(self._psut_values(partner), [psut])
        self.assertEqual(self.env["g2p.reg.id"].search_count([("value", "=", psut)]), 1)
        self.assertEqual(
            self.env["res.users"].search_count([("partner_id", "=", partner.id)]), 1
        )
        # The account keeps the provider it was first linked through.
        self.assertEqual(
            (first.oauth_provider_id, first.oauth_uid), (self.provider, psut)
        )

    def test_first_linked_through_the_second_provider(self):
        first = self._signs_in(PRIYA, self.second)
        self.assertEqual(self._signs_in(PRIYA, self.provider), first)
        self.assertEqual(self._signs_in(PRIYA, self.second), first)
        self.assertEqual(first.oauth_provider_id, self.second)
        self.assertEqual(self._psut_values(first.partner_id), [self._psut(PRIYA)])

    def test_two_people_through_both_providers_keep_their_own_accounts(self):
        maria = self._signs_in(MARIA, self.provider)
        priya = self._signs_in(PRIYA, self.second)
        self.assertNotEqual(maria, priya)
        self.assertEqual(self._signs_in(PRIYA, self.provider), priya)
        self.assertEqual(self._signs_in(MARIA, self.second), maria)
        self.assertEqual(self._psut_values(maria.partner_id), [self._psut(MARIA)])
        self.assertEqual(self._psut_values(priya.partner_id), [self._psut(PRIYA)])

    def test_automatic_linking_through_the_second_provider_finds_the_account(self):
        # Kofi signed in through the first provider before; the second one
        # links automatically: his own account, not a refusal.
        self._enable_automatic_linking(esignet_link_registration=False)
        self.second.write(
            {
                "esignet_link_automatic": True,
                "esignet_link_registration": False,
                "esignet_auto_link_id_type": self.national_id_type.id,
                "esignet_claims_voluntary": "email phone_number individual_id",
            }
        )
        kofi = self._kofi_registrant()
        user = self._signs_in(KOFI, self.provider)
        self.assertEqual(user.partner_id, kofi)
        self.assertEqual(self._signs_in(KOFI, self.second), user)
        self.assertEqual(self._psut_values(kofi), [self._psut(KOFI)])

    def test_linking_the_same_identity_through_the_second_provider(self):
        # The account is linked (through the first provider, in another tab)
        # while this link through the second provider is at eSignet: the
        # same national ID is no conflict.
        partner = self._registrant("REYES, MARIA")
        user = self._portal_user(partner, "maria.link")
        self.authenticate("maria.link", "maria.link-Pass-123")
        authorize_url = self._start(
            f"/auth_esignet/link/{self.second.id}",
            data={"csrf_token": self._csrf_token()},
        )
        self._link_identity(user, self.provider, self._psut(MARIA))
        response = self._callback(self.emulator.login(authorize_url, MARIA))
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/my")
        self.assertEqual(self._session_uid(), user.id, "still signed in")
        self.assertEqual(self._psut_values(partner), [self._psut(MARIA)])
        self.assertEqual(user.oauth_provider_id, self.provider)

    def test_automatic_linking_through_the_second_provider_restores_the_psut(self):
        # The registrant ID was removed (by an administrator); the account
        # still signs in with Kofi's identity. Automatic linking through the
        # second provider finds it again: the same identity, no conflict.
        self.second.write(
            {
                "esignet_link_automatic": True,
                "esignet_link_registration": False,
                "esignet_auto_link_id_type": self.national_id_type.id,
                "esignet_claims_voluntary": "email phone_number individual_id",
            }
        )
        kofi = self._kofi_registrant()
        user = self._portal_user(kofi, "kofi.restored")
        user.write(
            {"oauth_provider_id": self.provider.id, "oauth_uid": self._psut(KOFI)}
        )
        self.assertEqual(self._signs_in(KOFI, self.second), user)
        self.assertEqual(self._psut_values(kofi), [self._psut(KOFI)])
        self.assertEqual(user.oauth_provider_id, self.provider)

    # -- a different identity never takes an account over -----------------

    def test_another_psut_through_the_second_provider_is_refused(self):
        # Kofi's registrant answers to another national ID (through the
        # first provider); Kofi's own login through the second provider
        # finds the registrant by his national ID and is refused.
        self._enable_automatic_linking()
        self.second.write(
            {
                "esignet_link_automatic": True,
                "esignet_auto_link_id_type": self.national_id_type.id,
                "esignet_claims_voluntary": "email phone_number individual_id",
            }
        )
        kofi = self._kofi_registrant()
        user = self._portal_user(kofi, "kofi.linked")
        self._link_identity(user, self.provider, "psut-of-someone-else")
        page = self._refused(KOFI, self.second)
        self.assertIn("already linked to another national ID", page.text)
        self.assertEqual(self._psut_values(kofi), ["psut-of-someone-else"])
        self.assertEqual(user.oauth_uid, "psut-of-someone-else")
        self.assertFalse(
            self.env["g2p.reg.id"].search([("value", "=", self._psut(KOFI))])
        )

    def test_another_psut_held_by_the_account_only_is_refused(self):
        # No registrant ID, only the account's own identity (a provider
        # without registrant IDs kept it): still another national ID.
        self.second.write(
            {
                "esignet_link_automatic": True,
                "esignet_link_registration": False,
                "esignet_auto_link_id_type": self.national_id_type.id,
                "esignet_claims_voluntary": "email phone_number individual_id",
            }
        )
        kofi = self._kofi_registrant()
        user = self._portal_user(kofi, "kofi.account")
        user.write({"oauth_provider_id": self.provider.id, "oauth_uid": "psut-x"})
        self._refused(KOFI, self.second)
        self.assertEqual(user.oauth_uid, "psut-x")
        self.assertFalse(self._psut_values(kofi))

    def test_manual_link_of_another_identity_through_the_second_provider(self):
        partner = self._registrant("REYES, MARIA")
        user = self._portal_user(partner, "maria.other")
        self.authenticate("maria.other", "maria.other-Pass-123")
        authorize_url = self._start(
            f"/auth_esignet/link/{self.second.id}",
            data={"csrf_token": self._csrf_token()},
        )
        self._link_identity(user, self.provider, self._psut(MARIA))
        page = self._error_page(
            self._callback(self.emulator.login(authorize_url, PRIYA))
        )
        self.assertIn("already linked to another national ID", page.text)
        self.assertEqual(self._psut_values(partner), [self._psut(MARIA)])
        self.assertEqual(user.oauth_uid, self._psut(MARIA))

    def test_the_same_sub_under_another_id_type_is_another_identity(self):
        psut = self._psut(MARIA)
        self.assertEqual(self.emulator.psut(MARIA, OTHER_TYPE_CLIENT_ID), psut)
        maria = self._signs_in(MARIA, self.provider)
        # Registration: a registrant of its own, never Maria's account.
        other = self._signs_in(MARIA, self.other_provider)
        self.assertNotEqual(other, maria)
        self.assertNotEqual(other.partner_id, maria.partner_id)
        self.assertEqual(self._psut_values(maria.partner_id), [psut])
        self.assertEqual(self._psut_values(other.partner_id, self.other_type), [psut])
        self.assertEqual(maria.oauth_provider_id, self.provider)

    def test_the_same_sub_under_another_id_type_never_links_the_account(self):
        self._enable_automatic_linking(esignet_link_registration=False)
        self.other_provider.write(
            {
                "esignet_link_automatic": True,
                "esignet_link_registration": False,
                "esignet_auto_link_id_type": self.national_id_type.id,
                "esignet_claims_voluntary": "email phone_number individual_id",
            }
        )
        kofi = self._kofi_registrant()
        user = self._signs_in(KOFI, self.provider)
        self.assertEqual(user.partner_id, kofi)
        page = self._refused(KOFI, self.other_provider)
        self.assertIn("already linked to another national ID", page.text)
        self.assertFalse(self._psut_values(kofi, self.other_type))
        self.assertEqual(user.oauth_provider_id, self.provider)

    # -- KYC refresh ----------------------------------------------------------

    def test_the_second_provider_applies_its_own_settings_to_unchanged_kyc(self):
        # The first provider locks the email only, the second every mapped
        # field. Both were saved at the same moment (one settings import):
        # the KYC is unchanged, but the second provider's login still
        # applies its own settings instead of skipping the refresh.
        self.provider.esignet_locked_field_ids = self.env["ir.model.fields"]._get(
            "res.partner", "email"
        )
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE auth_oauth_provider SET write_date = '2026-01-01 10:00:00' "
            "WHERE id IN %s",
            ((self.provider.id, self.second.id),),
        )
        self.env.invalidate_all()
        partner = self._signs_in(MARIA, self.provider).partner_id
        self.assertNotIn("name", partner._esignet_locked_field_set())
        self._signs_in(MARIA, self.second)
        self.assertIn("name", partner._esignet_locked_field_set())

    def test_unchanged_kyc_through_the_same_provider_is_still_skipped(self):
        partner = self._signs_in(MARIA, self.second).partner_id
        partner.sudo().esignet_locked_fields = "email"
        self._signs_in(MARIA, self.second)
        self.assertEqual(partner._esignet_locked_field_set(), {"email"}, "skipped")

    # -- the provider an account keeps ------------------------------------

    def test_a_provider_accounts_were_linked_through_is_disabled_not_deleted(self):
        user = self._signs_in(MARIA, self.provider)
        with self.assertRaises(UserError):
            self.provider.unlink()
        self.provider.enabled = False
        self.assertEqual(self._signs_in(MARIA, self.second), user)
        # A provider nobody was linked through can go.
        self.other_provider.unlink()
