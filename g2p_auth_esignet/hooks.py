"""Install hooks: what this addon adds to tables that outlive it."""

from odoo.tools import SQL

# Indexes created in g2p.reg.id's init() on OpenG2P's g2p_reg_id table.
REG_ID_INDEXES = (
    "g2p_reg_id_psut_unique",
    "g2p_reg_id_id_type_value_index",
    "g2p_reg_id_partner_id_type_index",
)


def uninstall_hook(env):
    for name in REG_ID_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
