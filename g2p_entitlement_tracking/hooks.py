"""Install hooks: what this addon adds to tables that outlive it."""

from odoo.tools import SQL

from .models.g2p_entitlement_totals import (
    REFRESH_FUNCTION,
    TOTALS_TABLE,
    TRIGGERS,
    WATCHED,
)

# Indexes created in g2p.entitlement's init() on OpenG2P's tables.
OPENG2P_INDEXES = (
    "g2p_entitlement_partner_id_index",
    "g2p_payment_entitlement_id_index",
)


def uninstall_hook(env):
    for name in OPENG2P_INDEXES:
        env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    # The benefit totals: the triggers on OpenG2P's tables first, then
    # their functions and the table (g2p_entitlement_totals).
    for table, function, _partners in WATCHED:
        for event in TRIGGERS:
            env.cr.execute(
                SQL(
                    "DROP TRIGGER IF EXISTS %s ON %s",
                    SQL.identifier(f"{function}_{event}"),
                    SQL.identifier(table),
                )
            )
        env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))
    env.cr.execute(
        SQL("DROP FUNCTION IF EXISTS %s(integer[])", SQL.identifier(REFRESH_FUNCTION))
    )
    env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(TOTALS_TABLE)))
