"""Install hooks: what this addon adds to tables that outlive it."""

from odoo.tools import SQL

# Indexes created in g2p.entitlement's init() on OpenG2P's tables.
OPENG2P_INDEXES = (
    "g2p_entitlement_partner_id_index",
    "g2p_payment_entitlement_id_index",
)


def uninstall_hook(env):
    for name in OPENG2P_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
