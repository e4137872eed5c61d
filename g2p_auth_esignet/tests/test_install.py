import importlib

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    def test_installed_on_oauth_and_registry(self):
        names = (
            "g2p_auth_esignet",
            "auth_oauth",
            "auth_oidc",
            "g2p_registry_individual",
        )
        modules = self.env["ir.module.module"].search([("name", "in", names)])
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        self.assertEqual(len(modules), len(names))

    def test_jose_libraries_importable(self):
        for name in ("jwt", "jwcrypto.jwe", "cryptography", "requests"):
            self.assertTrue(importlib.import_module(name))
