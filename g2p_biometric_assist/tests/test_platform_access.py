"""What the platform underneath grants, probed with real sessions.

OpenG2P's modules grant some models to every user (system parameters, the
portal wizards, programs, documents) and its Registrar role lets a holder
enrol people, add beneficiaries to cycles and change verified data. Here the
officer, an internal user without a G2P role and a registrant each sign in
and try, over JSON-RPC, what the holes allowed.
"""

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import JsonRpcException, tagged

from .common import AssistCase

CLERK_PASSWORD = "cleo.clerk-Pass-123"


@tagged("post_install", "-at_install")
class TestPlatformAccess(AssistCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.membership = env["g2p.program_membership"].create(
            {
                "partner_id": cls.ben.id,
                "program_id": cls.program.id,
                "state": "enrolled",
            }
        )
        cls.cycle = env["g2p.cycle"].create(
            {
                "name": "Cycle 1",
                "program_id": cls.program.id,
                "sequence": 1,
                "start_date": fields.Date.today(),
                "end_date": fields.Date.today(),
                "state": "to_approve",
            }
        )
        # Ana applied with a document; Ben applied too.
        cls.ana_application = cls._application_with_document(cls.ana, "ana.pdf")
        cls.ben_application = cls._application_with_document(cls.ben, "ben.pdf")
        cls.ana.esignet_locked_fields = "name birthdate"
        cls.psut_type = env["g2p.id.type"].create(
            {"name": "Test PSUT", "is_psut": True}
        )
        cls.ana_psut = env["g2p.reg.id"].create(
            {"partner_id": cls.ana.id, "id_type": cls.psut_type.id, "value": "psut-ana"}
        )
        cls.bank = env["res.partner.bank"].create(
            {"partner_id": cls.ana.id, "acc_number": "FR7630006000011234567890189"}
        )

    @classmethod
    def _application_with_document(cls, partner, filename):
        application = cls.env["g2p.program.registrant_info"].create(
            {
                "registrant_id": partner.id,
                "program_id": cls.program.id,
                "state": "active",
                "program_registrant_info": {"full_name": partner.name},
            }
        )
        document = cls.store.add_file(b"%PDF-1.4\n%%EOF\n", name=filename)
        document.program_registrant_info_id = application
        return application

    def call(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def assert_refused(self, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException, msg=f"{model}.{method}") as caught:
            self.call(model, method, *args, **kwargs)
        return caught.exception

    def sessions(self):
        """(who, sign-in) for every role that must not reach the platform's holes."""
        return (
            ("officer", self.sign_in_officer),
            ("clerk", lambda: self.authenticate("cleo.clerk", CLERK_PASSWORD)),
            ("registrant", lambda: self._sign_in(self.ben)),
        )

    # -- system parameters and portal wizards -----------------------------------

    def test_nobody_without_settings_reads_or_writes_system_parameters(self):
        for who, sign_in in self.sessions():
            with self.subTest(who=who):
                sign_in()
                self.assert_refused(
                    "ir.config_parameter",
                    "search_read",
                    [("key", "=", "database.secret")],
                    fields=["value"],
                )
                self.assert_refused(
                    "ir.config_parameter", "set_param", "web.base.url", "https://evil"
                )
                self.assert_refused(
                    "ir.config_parameter",
                    "create",
                    [{"key": "g2p_biometric_assist.retention_days", "value": "1"}],
                )
                self.assert_refused("portal.wizard", "create", [{}])
                self.assert_refused("portal.wizard.user", "search_read", [])
        Param = self.env["ir.config_parameter"].sudo()
        self.assertNotEqual(Param.get_param("web.base.url"), "https://evil")
        self.assertFalse(Param.get_param("g2p_biometric_assist.retention_days") == "1")

    def test_nobody_creates_applications_through_the_platform_wizard(self):
        for who, sign_in in self.sessions():
            with self.subTest(who=who):
                sign_in()
                self.assert_refused("g2p.program.registrantinfo.wizard", "create", [{}])

    # -- programs ------------------------------------------------------------------

    def test_officer_and_clerk_cannot_change_programs(self):
        for who, sign_in in self.sessions():
            with self.subTest(who=who):
                sign_in()
                for values in (
                    {"biometric_min_quality": 0},
                    {"biometric_capture_required": False},
                    {"is_multiple_form_submission": True},
                    {"portal_max_open_applications": 99},
                    {"portal_published": False},
                    {"self_service_portal_form": self.builder.id},
                ):
                    self.assert_refused(
                        "g2p.program", "write", [self.program.id], values
                    )
                self.assert_refused("g2p.program", "create", [{"name": "Mine"}])
        self.program.invalidate_recordset()
        self.assertEqual(self.program.biometric_min_quality, 60)
        self.assertTrue(self.program.portal_published)

    def test_a_program_manager_changes_programs_but_maps_forms_only_by_wizard(self):
        manager = self._user(
            "Pat Manager", "pat.manager", "pat.manager-Pass-123", "base.group_user"
        )
        manager.groups_id += self.env.ref("g2p_programs.g2p_program_manager")
        self.authenticate("pat.manager", "pat.manager-Pass-123")
        self.call(
            "g2p.program", "write", [self.program.id], {"biometric_min_quality": 70}
        )
        self.program.invalidate_recordset()
        self.assertEqual(self.program.biometric_min_quality, 70)
        other = self.env["formio.builder"].create(
            {
                "name": "other_form",
                "title": "Other",
                "schema": self.builder.schema,
                "formio_version_id": self.builder.formio_version_id.id,
            }
        )
        self.assert_refused(
            "g2p.program",
            "write",
            [self.program.id],
            {"self_service_portal_form": other.id},
        )
        self.assertEqual(self.program.self_service_portal_form, self.builder)
        self.assertTrue(manager)

    # -- who is enrolled and paid ----------------------------------------------------

    def test_officer_cannot_enrol_or_add_beneficiaries_to_cycles(self):
        self.sign_in_officer()
        self.assert_refused(
            "g2p.program_membership",
            "create",
            [
                {
                    "partner_id": self.ana.id,
                    "program_id": self.program.id,
                    "state": "enrolled",
                }
            ],
        )
        self.assert_refused(
            "g2p.program_membership", "write", [self.membership.id], {"state": "exited"}
        )
        self.assert_refused(
            "g2p.cycle.membership",
            "create",
            [
                {
                    "partner_id": self.ana.id,
                    "cycle_id": self.cycle.id,
                    "state": "enrolled",
                }
            ],
        )
        for model in ("g2p.entitlement", "g2p.payment"):
            self.assert_refused(model, "create", [{}])
        Membership = self.env["g2p.program_membership"]
        self.assertFalse(
            Membership.search(
                [("partner_id", "=", self.ana.id), ("program_id", "=", self.program.id)]
            )
        )
        self.assertEqual(self.membership.state, "enrolled")
        self.assertFalse(
            self.env["g2p.cycle.membership"].search([("cycle_id", "=", self.cycle.id)])
        )

    # -- verified data, registrant IDs and bank accounts ------------------------------

    def test_officer_cannot_change_verified_data_ids_or_bank_accounts(self):
        self.sign_in_officer()
        self.assert_refused(
            "res.partner", "write", [self.ana.id], {"esignet_locked_fields": ""}
        )
        self.assert_refused(
            "res.partner", "write", [self.ana.id], {"name": "Someone Else"}
        )
        self.assert_refused(
            "g2p.reg.id", "write", [self.ana_psut.id], {"value": self.ana_psut.value}
        )
        self.assert_refused(
            "g2p.reg.id",
            "create",
            [
                {
                    "partner_id": self.ben.id,
                    "id_type": self.psut_type.id,
                    "value": "psut-x",
                }
            ],
        )
        self.assert_refused(
            "res.partner.bank",
            "write",
            [self.bank.id],
            {"acc_number": self.bank.acc_number},
        )
        self.assert_refused(
            "res.partner.bank",
            "create",
            [{"partner_id": self.ana.id, "acc_number": "1"}],
        )
        self.ana.invalidate_recordset()
        self.assertEqual(self.ana.esignet_locked_fields, "name birthdate")
        self.assertEqual(self.ana.name, "Ana Lima")

    def test_verified_data_changes_only_by_login_or_settings_administrator(self):
        Partner = self.env["res.partner"]
        registrar = self._user(
            "Rex Registrar", "rex.registrar", "rex-Pass-123", "base.group_user"
        )
        registrar.groups_id += self.env.ref("g2p_registry_base.group_g2p_registrar")
        # A registrar (OpenG2P's role) may edit registrants, not verified data.
        with self.assertRaises(AccessError):
            Partner.with_user(registrar).browse(self.ana.id).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.ana_psut.with_user(registrar).write({"value": "psut-other"})
        # A Settings administrator may correct them.
        admin = self.env.ref("base.user_admin")
        Partner.with_user(admin).browse(self.ana.id).write({"name": "Ana Lima Souza"})
        self.assertEqual(self.ana.name, "Ana Lima Souza")

    # -- documents, drafts and notifications ------------------------------------------

    def test_documents_read_only_for_registrants_being_assisted(self):
        Files = "storage.file"
        self.authenticate("cleo.clerk", CLERK_PASSWORD)
        self.assert_refused(Files, "search_read", [], fields=["name"])
        self.sign_in_officer()
        self.assertEqual(self.call(Files, "search_read", [], fields=["name"]), [])
        self.record_consent(self.ana)
        names = [
            row["name"] for row in self.call(Files, "search_read", [], fields=["name"])
        ]
        self.assertEqual(names, ["ana.pdf"])
        self.assertEqual(
            self.call(Files, "search_count", [("name", "=", "ben.pdf")]), 0
        )

    def test_another_officers_consent_opens_nothing(self):
        other = self._user(
            "Oma Officer",
            "oma.officer",
            "oma.officer-Pass-123",
            "g2p_biometric_assist.group_registration_officer",
        )
        self.env["g2p.biometric.consent"].with_user(other).create(
            {"partner_id": self.ana.id, "method": "spoken", "statement": "Agreed."}
        )
        self.sign_in_officer()
        self.assertEqual(self.call("storage.file", "search_count", []), 0)

    def test_drafts_read_only_for_registrants_being_assisted(self):
        Draft = self.env["g2p.portal.application.draft"].sudo()
        Draft._g2p_save(self.ana, self.program, {"full_name": "Ana draft"})
        Draft._g2p_save(self.ben, self.program, {"full_name": "Ben draft"})
        self.authenticate("cleo.clerk", CLERK_PASSWORD)
        self.assert_refused("g2p.portal.application.draft", "search_read", [])
        self.sign_in_officer()
        self.assertEqual(
            self.call("g2p.portal.application.draft", "search_count", []), 0
        )
        self.record_consent(self.ana)
        rows = self.call(
            "g2p.portal.application.draft", "search_read", [], fields=["partner_id"]
        )
        self.assertEqual([row["partner_id"][0] for row in rows], [self.ana.id])
