"""What each role may do, model by model: compared with a committed list.

For the portal group, the registration officer group and a plain internal
user, every model of the registry is asked, as Odoo asks it, whether the
role may read, write, create and unlink it (access lines of the role's
groups, implied groups included, and lines without a group as this suite
allows them). The answer must equal ``access_allowlist.csv``: a grant that
a dependency adds tomorrow fails here, naming the role, model and operation.

To review and accept a change, write the list again with
``G2P_WRITE_ACCESS_ALLOWLIST=1`` and read its diff.
"""

import csv
import os
from pathlib import Path

from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file

ALLOWLIST = Path(__file__).with_name("access_allowlist.csv")
MODES = ("read", "write", "create", "unlink")
LETTERS = dict(zip(MODES, "rwcu", strict=True))
ROLES = {
    "portal": "base.group_portal",
    "officer": "g2p_biometric_assist.group_registration_officer",
    "internal": "base.group_user",
}
# The platform's access files an upgrade of its modules loads again.
PLATFORM_ACCESS_FILES = (
    ("g2p_registry_base", "security/ir.model.access.csv"),
    ("g2p_programs", "security/ir.model.access.csv"),
    ("storage_file", "security/ir.model.access.csv"),
    ("g2p_registry_individual", "security/ir.model.access.csv"),
)


def read_allowlist():
    with ALLOWLIST.open(newline="", encoding="utf-8") as handle:
        return {
            (row["role"], row["model"]): frozenset(
                mode for mode in MODES if LETTERS[mode] in row["operations"]
            )
            for row in csv.DictReader(handle)
        }


def write_allowlist(matrix):
    with ALLOWLIST.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["role", "model", "operations"])
        for (role, model), modes in sorted(matrix.items()):
            writer.writerow(
                [role, model, "".join(LETTERS[m] for m in MODES if m in modes)]
            )


class AccessMatrixCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.role_users = {}
        for role, xmlid in ROLES.items():
            group = cls.env.ref(xmlid, raise_if_not_found=False)
            if group is None:
                continue
            cls.role_users[role] = (
                cls.env["res.users"]
                .with_context(no_reset_password=True)
                .create(
                    {
                        "name": f"Matrix {role}",
                        "login": f"matrix.{role}",
                        "groups_id": [(6, 0, group.ids)],
                    }
                )
            )

    def matrix(self):
        """{(role, model): operations} for every model a role reaches."""
        self.env.registry.clear_cache()
        found = {}
        for role, user in self.role_users.items():
            Access = self.env["ir.model.access"].with_user(user)
            for model in sorted(self.env.registry.models):
                if self.env[model]._abstract:
                    continue
                modes = frozenset(
                    mode
                    for mode in MODES
                    if Access.check(model, mode, raise_exception=False)
                )
                if modes:
                    found[(role, model)] = modes
        return found

    def assert_matrix_allowed(self):
        found = self.matrix()
        if os.environ.get("G2P_WRITE_ACCESS_ALLOWLIST"):
            write_allowlist(found)
        allowed = read_allowlist()
        problems = []
        for (role, model), modes in sorted(found.items()):
            for mode in sorted(modes - allowed.get((role, model), frozenset())):
                problems.append(f"{role} may {mode} {model}: not in the allow-list")
        for (role, model), modes in sorted(allowed.items()):
            if role not in self.role_users or model not in self.env.registry:
                continue  # that role or model is not installed here
            for mode in sorted(modes - found.get((role, model), frozenset())):
                problems.append(
                    f"{role} may no longer {mode} {model}: remove it from the "
                    "allow-list"
                )
        self.assertFalse(problems, "\n".join(problems))
        return found


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessMatrixCase):
    def test_every_role_matches_the_allowlist(self):
        found = self.assert_matrix_allowed()
        # The critical lines: whatever the list says, never these.
        for role in self.role_users:
            for model in ("ir.config_parameter", "portal.wizard", "portal.wizard.user"):
                self.assertNotIn((role, model), found, role)
        self.assertFalse(
            {"write", "create", "unlink"} & found.get(("portal", "g2p.program"), set())
        )

    def test_unchanged_after_the_platform_modules_are_upgraded(self):
        # What `-u <module>` does to the access lines: its CSV loaded again
        # in update mode, every line written back as the module declares it.
        for module, path in PLATFORM_ACCESS_FILES:
            convert_file(self.env, module, path, {}, mode="update", noupdate=False)
        self.assertTrue(
            self.env.ref("g2p_registry_base.access_ir_config_parameter_system").active
        )
        self.assert_matrix_allowed()

    def test_a_new_grant_without_a_group_reaches_no_portal_user(self):
        # A dependency adding tomorrow a line for "everyone" on a model.
        model = self.env["ir.model"]._get("res.partner.bank")
        self.env["ir.model.access"].create(
            {
                "name": "a future grant to everyone",
                "model_id": model.id,
                "perm_read": True,
                "perm_write": True,
            }
        )
        found = self.matrix()
        self.assertNotIn("write", found.get(("portal", "res.partner.bank"), set()))
        # ...but it reaches internal users, and the allow-list says so.
        self.assertIn("write", found.get(("internal", "res.partner.bank"), set()))
        with self.assertRaises(AssertionError) as caught:
            self.assert_matrix_allowed()
        self.assertIn("internal may write res.partner.bank", str(caught.exception))
