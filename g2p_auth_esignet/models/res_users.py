import hashlib
import logging
import secrets

from odoo import api, models

from ..oidc import LinkAction, LinkingError, decide_login, refusal_message
from ..user_messages import INTERNAL_USER

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    @api.model
    def _esignet_signin(self, provider, transaction, result, transport=None):
        """Find, link or register the registrant of a verified login.

        Runs as superuser inside the callback's transaction: on any error the
        caller rolls back, so nothing is half-written. Returns the user and
        the one-time key that authenticates this session.
        """
        provider = provider.sudo()
        partners = self.env["res.partner"].sudo()
        psut = result.sub
        owner = self._esignet_psut_owner(provider, psut)
        decision = decide_login(
            modes=provider._esignet_linking_mode(),
            psut_owner_id=owner.id or None,
            auto_match_ids=self._esignet_automatic_matches(provider, result),
            purpose=transaction.purpose,
            current_partner_id=transaction.link_partner_id,
            current_partner_has_other_psut=self._esignet_holds_psut(
                provider, transaction.link_partner_id
            ),
        )
        decision.raise_if_refused()
        if decision.action == LinkAction.LINK_AUTOMATIC and self._esignet_holds_psut(
            provider, decision.partner_id
        ):
            # The registrant already answers to another PSUT: never move it
            # silently, and never register a duplicate of them either.
            check = "linking.partner_already_linked"
            raise LinkingError(check, refusal_message(check))
        kyc_values = partners._esignet_values_from_kyc(result.mapped, transport)
        if result.mapped.ignored:
            _logger.debug("KYC claims not mapped: %s", ", ".join(result.mapped.ignored))
        if decision.action == LinkAction.REGISTER:
            # KYC values are written by _esignet_apply_kyc below, which copes
            # with values the registry refuses (phone numbers).
            partner = partners.create(
                {
                    "name": kyc_values.get("name") or psut_display_name(psut),
                    "is_registrant": True,
                    "is_group": False,
                }
            )
        else:
            partner = partners.browse(decision.partner_id)
        if decision.action != LinkAction.LOGIN:
            self._esignet_attach_psut(provider, partner, psut)
        if decision.action != LinkAction.LOGIN or provider.esignet_refresh_kyc_on_login:
            partner._esignet_apply_kyc(
                kyc_values, provider._esignet_locked_field_names()
            )
        user = partner.with_context(active_test=False).user_ids[:1]
        if user and not user.share:
            raise LinkingError("linking.internal_user", INTERNAL_USER)
        if not user:
            user = self._esignet_create_portal_user(provider, partner, kyc_values, psut)
        values = {"oauth_provider_id": provider.id, "oauth_uid": psut}
        key = None
        if transaction.purpose == "login":
            # The session key is our own random value, not eSignet's access
            # token: no provider token is kept in the database. A link keeps
            # the current session as it is.
            key = values["oauth_access_token"] = secrets.token_urlsafe(32)
        user.sudo().write(values)
        _logger.info(
            "eSignet %s for user %s (provider %s, decision %s)",
            transaction.purpose,
            user.id,
            provider.id,
            decision.action.name,
        )
        return user, key

    @api.model
    def _esignet_psut_owner(self, provider, psut):
        if provider.g2p_use_reg_id and provider.g2p_id_type:
            return (
                self.env["g2p.reg.id"]
                .sudo()
                .search(
                    [("id_type", "=", provider.g2p_id_type.id), ("value", "=", psut)],
                    limit=1,
                )
                .partner_id
            )
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("oauth_provider_id", "=", provider.id), ("oauth_uid", "=", psut)],
                limit=1,
            )
            .partner_id
        )

    @api.model
    def _esignet_holds_psut(self, provider, partner_id):
        if not (partner_id and provider.g2p_use_reg_id and provider.g2p_id_type):
            return False
        return bool(
            self.env["g2p.reg.id"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "=", partner_id),
                    ("id_type", "=", provider.g2p_id_type.id),
                ]
            )
        )

    @api.model
    def _esignet_automatic_matches(self, provider, result):
        """Registrants holding a verified ID equal to the configured claim."""
        if not (
            provider.esignet_link_automatic
            and provider.esignet_auto_link_id_type
            and provider.esignet_auto_link_claim
        ):
            return []
        value = result.claims.get(provider.esignet_auto_link_claim)
        if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
            return []
        reg_ids = (
            self.env["g2p.reg.id"]
            .sudo()
            .search(
                [
                    ("id_type", "=", provider.esignet_auto_link_id_type.id),
                    ("value", "=", str(value)),
                    ("status", "=", "valid"),
                    ("partner_id.is_registrant", "=", True),
                    ("partner_id.is_group", "=", False),
                ]
            )
        )
        return reg_ids.partner_id.ids

    @api.model
    def _esignet_attach_psut(self, provider, partner, psut):
        if not (provider.g2p_use_reg_id and provider.g2p_id_type):
            return
        reg_ids = self.env["g2p.reg.id"].sudo()
        existing = reg_ids.search(
            [
                ("partner_id", "=", partner.id),
                ("id_type", "=", provider.g2p_id_type.id),
            ],
            limit=1,
        )
        if existing:
            existing.write({"value": psut, "status": "valid"})
        else:
            reg_ids.create(
                {
                    "partner_id": partner.id,
                    "id_type": provider.g2p_id_type.id,
                    "value": psut,
                    "status": "valid",
                }
            )

    @api.model
    def _esignet_create_portal_user(self, provider, partner, kyc_values, psut):
        """A user without password and without any email or SMS sent."""
        login = self._esignet_new_login(provider, kyc_values, psut)
        groups = provider.default_group_user_creation or self.env.ref(
            "base.group_portal"
        )
        return (
            self.sudo()
            .with_context(no_reset_password=True, mail_create_nosubscribe=True)
            .create(
                {
                    "login": login,
                    "partner_id": partner.id,
                    "groups_id": [(6, 0, groups.ids)],
                }
            )
        )

    @api.model
    def _esignet_new_login(self, provider, kyc_values, psut):
        attribute = (provider.login_attribute_mapping_on_user_creation or "").strip()
        candidate = kyc_values.get(attribute) if attribute else None
        if isinstance(candidate, str) and candidate:
            taken = (
                self.sudo()
                .with_context(active_test=False)
                .search_count([("login", "=", candidate)])
            )
            if not taken:
                return candidate
        return "esignet-" + hashlib.sha256(psut.encode()).hexdigest()[:24]


def psut_display_name(psut):
    """A name for a registrant whose KYC carried none (never the PSUT itself)."""
    return "Registrant " + hashlib.sha256(psut.encode()).hexdigest()[:8].upper()
