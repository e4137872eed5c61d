import importlib

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_installed_with_formio_and_programs(self):
        names = ("g2p_portal_forms", "formio", "g2p_programs", "g2p_program_documents")
        modules = self.env["ir.module.module"].search([("name", "in", names)])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(len(modules), len(names))

    def test_formio_data_library_importable(self):
        self.assertTrue(importlib.import_module("formiodata.builder"))
