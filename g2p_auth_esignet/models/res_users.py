import hashlib
import logging
import random
import time

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessDenied

from ..oidc import LinkAction, LinkingError, decide_login, holds_other_identity

_logger = logging.getLogger(__name__)

# What two logins of one person racing each other can run into: the same
# registrant row updated by both, or both inserting the same PSUT (the
# partial unique index and auth_oauth's unique (provider, uid) constraint).
# The transaction is rolled back and the sign-in done again on a new
# snapshot, where the other login's work is visible.
CONCURRENCY_ERRORS = (
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
    pg_errors.UniqueViolation,
)
MAX_SIGNIN_ATTEMPTS = 5


class PsutTakenMeanwhile(Exception):
    """Another login stored this PSUT first: sign in again, as a returning login."""


CONCURRENCY_ERRORS += (PsutTakenMeanwhile,)


class ResUsers(models.Model):
    _inherit = "res.users"

    # -- the login, as one call ------------------------------------------

    @api.model
    def _esignet_login(self, provider, transaction, code, *, redirect_uri, locale):
        """Complete an eSignet callback: verify it, then sign the person in.

        Verification (token request, ID token, userinfo) talks to eSignet
        once; the database part is retried on concurrency errors without
        asking eSignet again (its code is single use). Returns the user and
        the one-time key that opens this session (None for a link, which
        keeps the current session). The caller commits.
        """
        result = provider._esignet_verify_callback(
            transaction, code, redirect_uri=redirect_uri, locale=locale
        )
        return self._esignet_signin_retrying(provider, transaction, result)

    @api.model
    def _esignet_signin_retrying(self, provider, transaction, result):
        """``_esignet_signin`` in a transaction of its own, retried on conflicts.

        Rolls back the cursor on a conflict: the callback has nothing else
        pending in it.
        """
        cr = self.env.cr
        provider_id, user_model = provider.id, self.sudo()
        for attempt in range(1, MAX_SIGNIN_ATTEMPTS + 1):
            try:
                provider = self.env["auth.oauth.provider"].sudo().browse(provider_id)
                user, key = user_model._esignet_signin(provider, transaction, result)
                self.env.flush_all()
                return user, key
            except CONCURRENCY_ERRORS as error:
                cr.rollback()
                if attempt == MAX_SIGNIN_ATTEMPTS:
                    raise
                _logger.info(
                    "eSignet sign-in conflicted with another login (%s), "
                    "attempt %s of %s",
                    type(error).__name__,
                    attempt,
                    MAX_SIGNIN_ATTEMPTS,
                )
                time.sleep(random.uniform(0.01, 0.05 * 2**attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @api.model
    def _esignet_signin(self, provider, transaction, result):
        """Find, link or register the registrant of a verified login.

        Runs as superuser; on any error the caller rolls back, so nothing is
        half-written. Writes only what changed, so that two logins of one
        person do not fight over the same rows.
        """
        provider = provider.sudo()
        partners = self.env["res.partner"].sudo()
        psut = result.sub
        identity = provider._esignet_identity(psut)
        owner = self._esignet_psut_owner(provider, psut)
        link_partner_id = transaction.link_partner_id
        decision = decide_login(
            modes=provider._esignet_linking_mode(),
            psut_owner_id=owner.id or None,
            auto_match_ids=self._esignet_automatic_matches(provider, result),
            purpose=transaction.purpose,
            current_partner_id=link_partner_id,
            current_partner_has_other_psut=bool(link_partner_id)
            and self._esignet_holds_other_identity(provider, link_partner_id, psut),
        )
        decision.raise_if_refused()
        if decision.action == LinkAction.LINK_AUTOMATIC and (
            self._esignet_holds_other_identity(provider, decision.partner_id, psut)
        ):
            # The registrant already answers to another national ID: never
            # move it silently, and never register a duplicate of them.
            raise LinkingError("linking.partner_already_linked")
        if result.mapped.ignored:
            _logger.debug("KYC claims not mapped: %s", ", ".join(result.mapped.ignored))
        if decision.action == LinkAction.REGISTER:
            # KYC values are written by _esignet_apply_kyc below, which copes
            # with values the registry refuses (phone numbers).
            name = result.mapped.values.get("name")
            if not (isinstance(name, str) and name):
                name = psut_display_name(psut)
            partner = partners.create(
                {
                    "name": name,
                    "is_registrant": True,
                    "is_group": False,
                }
            )
        else:
            partner = partners.browse(decision.partner_id)
        if decision.action != LinkAction.LOGIN:
            self._esignet_attach_psut(provider, partner, psut)
        kyc_values = {}
        if decision.action != LinkAction.LOGIN or provider.esignet_refresh_kyc_on_login:
            # Unchanged KYC (and unchanged settings of the same provider)
            # since the last refresh: nothing to look up, compare or write.
            # Another provider of the same identity may map or lock other
            # fields: its first login refreshes.
            fingerprint = result.mapped.fingerprint(provider.id, provider.write_date)
            if fingerprint != partner.esignet_kyc_fingerprint:
                kyc_values = partner._esignet_values_from_kyc(
                    result.mapped, provider._esignet_picture_fetcher()
                )
                partner._esignet_apply_kyc(
                    kyc_values, provider._esignet_locked_field_names
                )
                partner.write({"esignet_kyc_fingerprint": fingerprint})
        user = partner.with_context(active_test=False).user_ids[:1]
        if user and not user.share:
            raise LinkingError("linking.internal_user")
        if not user:
            user = self._esignet_create_portal_user(provider, partner, kyc_values, psut)
        if holds_other_identity(user._esignet_held_identities(), identity):
            # The account signs in with another national ID: linking never
            # replaces it. The same identity through another provider (of the
            # same registrant ID type) is no conflict.
            raise LinkingError("linking.partner_already_linked")
        if not user.oauth_uid:
            # The account keeps the provider it was first linked through: a
            # login through another provider of its identity writes nothing.
            user.write({"oauth_provider_id": provider.id, "oauth_uid": psut})
        key = None
        if transaction.purpose == "login":
            key = self.env["g2p.esignet.login.ticket"]._issue(
                user, fields.Datetime.now()
            )
        _logger.info(
            "eSignet %s for user %s (provider %s, decision %s)",
            transaction.purpose,
            user.id,
            provider.id,
            decision.action.name,
        )
        return user, key

    def _check_credentials(self, password, env):
        try:
            return super()._check_credentials(password, env)
        except AccessDenied:
            # A one-time ticket of an eSignet login, in the session that
            # the login's callback opens (interactive), for an active user.
            if (
                env["interactive"]
                and self.env.user.active
                and self.env["g2p.esignet.login.ticket"]
                .sudo()
                ._redeem(self.env.uid, password, fields.Datetime.now())
            ):
                return
            raise

    # -- lookups (each served by an index) ---------------------------------

    @api.model
    def _esignet_psut_owner(self, provider, psut):
        """The registrant holding the identity ``psut`` names through ``provider``.

        By registrant ID type, whichever provider stored it; a provider
        without one finds the accounts linked through itself.
        """
        identity = provider._esignet_identity(psut)
        if identity.id_type_id:
            return (
                self.env["g2p.reg.id"]
                .sudo()
                .search(
                    [("id_type", "=", identity.id_type_id), ("value", "=", psut)],
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
    def _esignet_holds_other_identity(self, provider, partner_id, psut=None):
        """True when the partner's account answers to another national ID
        than the one ``psut`` names through ``provider``.

        Whatever the configuration: a PSUT stored under the provider's
        registrant ID type, or any eSignet/OAuth identity on one of the
        partner's users. Linking must never replace either. The same
        identity through another provider of its ID type is not another.
        Without ``psut``, any national ID counts.
        """
        identity = provider._esignet_identity(psut)
        if identity.id_type_id:
            other_reg_id = (
                self.env["g2p.reg.id"]
                .sudo()
                .search_count(
                    [
                        ("partner_id", "=", partner_id),
                        ("id_type", "=", identity.id_type_id),
                        ("value", "not in", [False, ""] + ([psut] if psut else [])),
                    ],
                    limit=1,
                )
            )
            if other_reg_id:
                return True
        held = (
            self.sudo()
            .with_context(active_test=False)
            .search([("partner_id", "=", partner_id), ("oauth_uid", "!=", False)])
            ._esignet_held_identities()
        )
        if not psut:
            return bool(held)
        return holds_other_identity(held, identity)

    def _esignet_held_identities(self):
        """The national identities these users sign in with (OAuth uid)."""
        return [
            user.oauth_provider_id._esignet_identity(user.oauth_uid)
            for user in self
            if user.oauth_uid
        ]

    @api.model
    def _esignet_automatic_matches(self, provider, result):
        """Registrants holding a verified ID equal to the configured claim.

        The claim is read from signed data only (ID token, signed userinfo):
        a plain-JSON userinfo cannot pick whose account a login opens.
        """
        if not (
            provider.esignet_link_automatic
            and provider.esignet_auto_link_id_type
            and provider.esignet_auto_link_claim
        ):
            return []
        value = result.verified_claims.get(provider.esignet_auto_link_claim)
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
        if existing and existing.value not in (False, "", psut):
            # decide_login and _esignet_holds_other_identity refuse this
            # earlier; the guard stays next to the write.
            raise LinkingError("linking.partner_already_linked")
        if existing:
            existing.write({"value": psut, "status": "valid"})
            return
        # The PSUT's unique index decides between two first logins of one
        # person: the one that loses inserts nothing (or, when the other
        # committed after its snapshot, gets a serialization failure) and
        # signs in again as a returning login. Either outcome is expected
        # here, so it is not logged as a failed query.
        self.env.cr.execute(
            "INSERT INTO g2p_reg_id (partner_id, id_type, value, status, is_psut, "
            " create_uid, create_date, write_uid, write_date) "
            "VALUES (%s, %s, %s, 'valid', true, %s, now() at time zone 'UTC', %s, "
            " now() at time zone 'UTC') "
            "ON CONFLICT DO NOTHING RETURNING id",
            (partner.id, provider.g2p_id_type.id, psut, self.env.uid, self.env.uid),
            log_exceptions=False,
        )
        if not self.env.cr.fetchone():
            raise PsutTakenMeanwhile()
        partner.invalidate_recordset(["reg_ids"])

    @api.model
    def _esignet_create_portal_user(self, provider, partner, kyc_values, psut):
        """A portal user, without password and without any email or SMS sent."""
        login = self._esignet_new_login(provider, kyc_values, psut)
        groups = provider.default_group_user_creation
        if groups not in provider._esignet_portal_type_groups():
            groups = self.env.ref("base.group_portal")
        user = (
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
        if not user.share:
            # Never let a national-ID login create a staff account.
            raise LinkingError("linking.internal_user")
        return user

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
