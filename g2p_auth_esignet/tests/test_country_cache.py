from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCountryCache(TransactionCase):
    """The KYC address's country and state are cached in every worker of
    every server: a change of the reference data clears them all, so that
    servers never map one address differently."""

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"]
        self.env.registry.clear_cache()

    def test_a_country_added_or_renamed_is_seen(self):
        self.assertIsNone(self.Partner._esignet_country_id("Atlantis"))
        country = self.env["res.country"].create({"name": "Atlantis", "code": "QZ"})
        self.assertEqual(self.Partner._esignet_country_id("Atlantis"), country.id)
        country.name = "Lemuria"
        self.assertIsNone(self.Partner._esignet_country_id("Atlantis"))
        self.assertEqual(self.Partner._esignet_country_id("Lemuria"), country.id)
        country.unlink()
        self.assertIsNone(self.Partner._esignet_country_id("Lemuria"))

    def test_a_state_added_or_renamed_is_seen(self):
        country = self.env.ref("base.gh")
        self.assertIsNone(self.Partner._esignet_state_id("Atlantis", country.id))
        state = self.env["res.country.state"].create(
            {"name": "Atlantis", "code": "ATL", "country_id": country.id}
        )
        self.assertEqual(
            self.Partner._esignet_state_id("Atlantis", country.id), state.id
        )
        state.name = "Lemuria"
        self.assertIsNone(self.Partner._esignet_state_id("Atlantis", country.id))
        state.unlink()
        self.assertIsNone(self.Partner._esignet_state_id("Lemuria", country.id))

    def test_a_country_name_is_never_read_as_a_code(self):
        germany = self.env.ref("base.de")
        self.assertEqual(self.Partner._esignet_country_id("Germany"), germany.id)
        self.assertEqual(self.Partner._esignet_country_id("de"), germany.id)
