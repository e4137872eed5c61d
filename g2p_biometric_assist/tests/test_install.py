from odoo.tests import TransactionCase, tagged

from odoo.addons.g2p_self_service_portal.tests.common import assert_access_as_declared


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_registration_officer_group(self):
        group = self.env.ref("g2p_biometric_assist.group_registration_officer")
        self.assertEqual(group.name, "Registration officer")
        self.assertEqual(
            group.category_id,
            self.env.ref("g2p_self_service_portal.module_category_self_service_portal"),
        )
        # No OpenG2P role: the Registrar's would let officers enrol people,
        # add beneficiaries to cycles and change verified data.
        self.assertEqual(group.implied_ids, self.env.ref("base.group_user"))
        for platform_group in (
            "g2p_registry_base.group_g2p_registrar",
            "g2p_registry_base.group_g2p_admin",
            "g2p_programs.g2p_program_manager",
            "base.group_partner_manager",
        ):
            self.assertNotIn(self.env.ref(platform_group), group.trans_implied_ids)

    def test_access_rights_as_declared(self):
        assert_access_as_declared(self, "g2p_biometric_assist")

    def test_officer_reads_programs_and_memberships_only(self):
        officer = self.env["res.users"].create(
            {
                "name": "Officer",
                "login": "officer.test",
                "groups_id": [
                    (
                        6,
                        0,
                        [
                            self.env.ref(
                                "g2p_biometric_assist.group_registration_officer"
                            ).id
                        ],
                    )
                ],
            }
        )
        Program = self.env["g2p.program"].with_user(officer)
        self.assertTrue(Program.check_access_rights("read", raise_exception=False))
        self.assertFalse(Program.check_access_rights("write", raise_exception=False))
        # Applications are made through the assisted flow (as the self-service
        # page makes them), never by writing memberships.
        Membership = self.env["g2p.program_membership"].with_user(officer)
        self.assertTrue(Membership.check_access_rights("read", raise_exception=False))
        for mode in ("write", "create", "unlink"):
            self.assertFalse(
                Membership.check_access_rights(mode, raise_exception=False), mode
            )
