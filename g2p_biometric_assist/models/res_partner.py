from datetime import timedelta

from odoo import api, fields, models

from .g2p_biometric_consent import CONSENT_VALID_HOURS


class ResPartner(models.Model):
    _inherit = "res.partner"

    g2p_assisted_by_me = fields.Boolean(
        "Assisted by Me",
        compute="_compute_g2p_assisted_by_me",
        search="_search_g2p_assisted_by_me",
        help="The registrant gave the current officer their consent during "
        "this visit (within the consent's validity).",
    )

    def _g2p_assisted_partner_ids(self):
        # Read as the superuser: the answer is about the current user's own
        # consents, and is used inside record rules (no recursion on rules).
        since = fields.Datetime.now() - timedelta(hours=CONSENT_VALID_HOURS)
        self.env.cr.execute(
            "SELECT DISTINCT partner_id FROM g2p_biometric_consent"
            " WHERE officer_id = %s AND given_at >= %s",
            (self.env.uid, since),
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _compute_g2p_assisted_by_me(self):
        assisted = set(self._g2p_assisted_partner_ids())
        for partner in self:
            partner.g2p_assisted_by_me = partner.id in assisted

    @api.model
    def _search_g2p_assisted_by_me(self, operator, value):
        # Evaluated whenever a rule using it is applied, so "now" is always
        # the query's (rules' domains themselves are cached).
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        positive = (operator == "=") == value
        return [
            ("id", "in" if positive else "not in", self._g2p_assisted_partner_ids())
        ]

    @api.model
    def _g2p_assist_search_domain(self, query):
        """Registrants an officer finds by ``query``: part of their name, one
        of their IDs, or their number in the registry."""
        domain = [("is_registrant", "=", True), ("is_group", "=", False)]
        if not query:
            return domain
        terms = ["|", ("name", "ilike", query), ("reg_ids.value", "=", query)]
        if query.isdigit() and len(query) <= 9:
            terms = ["|", ("id", "=", int(query))] + terms
        return domain + terms
