from odoo import api, fields, models


class G2PGroupMembership(models.Model):
    _inherit = "g2p.group.membership"

    g2p_current = fields.Boolean(
        "Current",
        compute="_compute_g2p_current",
        search="_search_g2p_current",
        help="Not ended: no end date, or one still to come.",
    )

    # OpenG2P's stored ``is_ended`` is computed only when ``ended_date`` is
    # written (compared with that moment), so a membership ended with a date
    # in the future never becomes ended. Whether a member still belongs to
    # the household is decided here against the time of the question.

    @api.depends("ended_date")
    def _compute_g2p_current(self):
        now = fields.Datetime.now()
        for membership in self:
            membership.g2p_current = (
                not membership.ended_date or membership.ended_date > now
            )

    @api.model
    def _search_g2p_current(self, operator, value):
        # Evaluated each time a domain using it is turned into SQL, record
        # rules included (their domains are cached, this answer is not).
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        now = fields.Datetime.now()
        current = ["|", ("ended_date", "=", False), ("ended_date", ">", now)]
        if (operator == "=") == value:
            return current
        return [("ended_date", "!=", False), ("ended_date", "<=", now)]
