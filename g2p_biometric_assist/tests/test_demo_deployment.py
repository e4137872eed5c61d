"""The demo's Odoo configuration protects the database manager: a real
browser session on /web/database/manager, with the settings ``setup/demo.py``
writes (its own ``admin_passwd``, ``list_db`` off), is not told that the
manager runs with Odoo's default master password."""

import configparser
import tempfile
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase, get_db_name, tagged
from odoo.tools import config

from .test_demo_end_to_end import load_demo_module

UNPROTECTED = "database manager is not protected"


@tagged("post_install", "-at_install")
class TestDemoDeployment(HttpCase):
    def demo_options(self):
        state_folder = load_demo_module("state_folder")
        with tempfile.TemporaryDirectory() as folder:
            state = state_folder.StateFolder(Path(folder))
            state.prepare()
            passwd = state_folder.ensure_secret(
                state.admin_passwd, state_folder.new_admin_passwd
            )
            text = state_folder.demo_config_text(
                {}, [], state, "S2V5", get_db_name(), 8069, admin_passwd=passwd
            )
        parser = configparser.RawConfigParser()
        parser.read_string(text)
        return dict(parser.items("options"))

    def manager_page(self, admin_passwd, list_db):
        with patch.dict(
            config.options, {"admin_passwd": admin_passwd, "list_db": list_db}
        ):
            self.authenticate(None, None)
            return self.url_open("/web/database/manager")

    def test_the_database_manager_is_protected(self):
        # What the issue saw: Odoo's default master password.
        page = self.manager_page("admin", False)
        self.assertIn(UNPROTECTED, page.text)

        options = self.demo_options()
        self.assertEqual(options["list_db"], "False")
        page = self.manager_page(options["admin_passwd"], False)
        self.assertEqual(page.status_code, 200)
        self.assertNotIn(UNPROTECTED, page.text)
        self.assertNotIn(options["admin_passwd"], page.text)
