"""Access lines without a group, as this suite allows them.

OpenG2P's modules (and their community dependencies) declare access lines
with no group: such a line grants its model to every user, portal and public
users included, and access lines add up, so no record rule of ours can take
it back. The platform's own lines are reloaded from its CSV files whenever
its modules are upgraded, so editing or deactivating them as data would not
last. The decision is therefore made here, in code, where Odoo answers "which
models may this user read / write / create / unlink":

- a line without a group never reaches portal or public users (``share``):
  what they may do is granted to ``base.group_portal`` / ``base.group_public``
  by name, in the addons that need it;
- for internal users, the lines listed in ``WITHDRAWN_GLOBAL_GRANTS`` are
  withdrawn for the listed operations, except for the members of the listed
  groups (the platform's roles the line was meant for).

A model also granted through one of the user's groups is unaffected. The
access matrix test (tests/test_access_matrix.py) pins the outcome per role.
"""

from odoo import api, models, tools

ALL_MODES = frozenset(("read", "write", "create", "unlink"))
WRITE_MODES = frozenset(("write", "create", "unlink"))
PLATFORM_MANAGERS = (
    "g2p_registry_base.group_g2p_admin",
    "g2p_programs.g2p_program_manager",
)

# model: (operations withdrawn from internal users, groups that keep them)
WITHDRAWN_GLOBAL_GRANTS = {
    # System parameters hold database.secret and the suite's security
    # settings: Odoo gives them to Settings administrators only.
    "ir.config_parameter": (ALL_MODES, ()),
    # Granting or revoking portal access is user management.
    "portal.wizard": (ALL_MODES, ()),
    "portal.wizard.user": (ALL_MODES, ()),
    # Program rules (eligibility, portal and biometric settings) are changed
    # by program managers only; every internal user keeps reading programs.
    "g2p.program": (WRITE_MODES, ("g2p_programs.g2p_program_manager",)),
    # Applications' documents are personal data: storage_file reads them to
    # everyone. Readers are granted by group (documents, officers, portal).
    "storage.file": (ALL_MODES, ()),
    # Household membership kinds (head, spouse...) are registry settings.
    "g2p.group.membership.kind": (WRITE_MODES, ("g2p_registry_base.group_g2p_admin",)),
    # Wizards that enrol people, create applications (as the superuser) or
    # assess memberships belong to the platform's managers.
    "g2p.program.registrantinfo.wizard": (ALL_MODES, PLATFORM_MANAGERS),
    "g2p.assign.program.wizard": (ALL_MODES, PLATFORM_MANAGERS),
    "g2p.program_membership.assessment.wizard": (
        ALL_MODES,
        (*PLATFORM_MANAGERS, "g2p_programs.g2p_program_validator"),
    ),
}


class IrModelAccess(models.Model):
    _inherit = "ir.model.access"

    @api.model
    def _g2p_withdrawn_global_grants(self):
        """{model: (operations, group xml ids keeping them)}; addons extend it."""
        return dict(WITHDRAWN_GLOBAL_GRANTS)

    @tools.ormcache("self.env.uid", "mode")
    def _get_allowed_models(self, mode="read"):
        allowed = super()._get_allowed_models(mode)
        # Models this user reaches only through a line without a group.
        self.env.cr.execute(
            f"""
            SELECT DISTINCT m.model
              FROM ir_model_access a
              JOIN ir_model m ON m.id = a.model_id
             WHERE a.perm_{mode} AND a.active AND a.group_id IS NULL
               AND NOT EXISTS (
                    SELECT 1
                      FROM ir_model_access b
                     WHERE b.model_id = a.model_id
                       AND b.perm_{mode} AND b.active
                       AND b.group_id IN (
                            SELECT gu.gid FROM res_groups_users_rel gu
                             WHERE gu.uid = %s
                       )
               )
            """,
            (self.env.uid,),
        )
        global_only = {model for (model,) in self.env.cr.fetchall()} & allowed
        if not global_only:
            return allowed
        user = self.env.user
        if user.share:
            return allowed - global_only
        withdrawn = set()
        policy = self._g2p_withdrawn_global_grants()
        for model in global_only:
            modes, keepers = policy.get(model, ((), ()))
            if mode in modes and not any(
                user.has_group(xmlid)
                for xmlid in keepers
                if self.env.ref(xmlid, raise_if_not_found=False)
            ):
                withdrawn.add(model)
        return allowed - withdrawn
