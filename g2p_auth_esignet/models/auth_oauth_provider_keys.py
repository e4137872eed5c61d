import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..oidc import (
    ConfigurationError,
    OidcError,
    check_assertion_alg,
    load_decryption_key,
    load_private_key,
    public_jwk,
)
from ..user_messages import translated

_logger = logging.getLogger(__name__)

SECRET_FIELDS = ("client_private_key", "esignet_userinfo_decryption_key")
# The stored private keys are read by the login flow as superuser only. No
# user, not even a settings administrator, reads them over RPC: every user
# is internal, portal or public, so this group expression matches nobody.
# Administrators set keys through the write-only inputs and see the public
# half.
NO_USER = "!base.group_user,!base.group_portal,!base.group_public"


class ProviderJwksStore:
    """The provider's JWKS cached in its database row, shared by all workers.

    The cache is written through its own cursor and committed at once, so a
    login that fails later does not throw away a fresh JWKS, and a
    concurrent refresh by another worker costs at most a skipped write.
    """

    def __init__(self, provider):
        self._provider = provider.sudo()

    def load(self):
        provider = self._provider
        if not provider.esignet_jwks_cache:
            return None, None
        try:
            jwks = json.loads(provider.esignet_jwks_cache)
        except ValueError:
            return None, None
        return jwks, provider.esignet_jwks_fetched_at or None

    def save(self, jwks, fetched_at):
        provider = self._provider
        payload = json.dumps(jwks, separators=(",", ":"), sort_keys=True)
        try:
            with provider.env.registry.cursor() as cr:
                cr.execute(
                    "UPDATE auth_oauth_provider SET esignet_jwks_cache = %s, "
                    "esignet_jwks_fetched_at = %s WHERE id = %s",
                    (payload, fetched_at, provider.id),
                )
        except Exception as error:  # the cache is an optimisation only
            _logger.info(
                "JWKS cache not saved for provider %s: %s",
                provider.id,
                type(error).__name__,
            )
        provider.invalidate_recordset(["esignet_jwks_cache", "esignet_jwks_fetched_at"])


# One model in several files, by concern, on purpose: see auth_oauth_provider.py.
# pylint: disable=consider-merging-classes-inherited
class AuthOauthProvider(models.Model):
    """The provider's keys: this relying party's signing key, the key that
    decrypts userinfo, both write-only; the provider's JWKS cache."""

    _inherit = "auth.oauth.provider"

    client_private_key = fields.Text(
        "Stored Private Key",
        groups=NO_USER,
        copy=False,
        help="Private key of this relying party: a private JWK (RSA or EC P-256) "
        "or an unencrypted PEM. Its public half is registered with eSignet.",
    )
    # The stored keys never reach a page: administrators type a new key into
    # these write-only fields, and see only whether a key is set.
    client_private_key_new = fields.Text(
        "Private Key",
        compute="_compute_key_inputs",
        inverse="_inverse_client_private_key_new",
        groups="base.group_system",
        help="Paste a private JWK (RSA or EC P-256) or an unencrypted PEM to set "
        "or replace the key. The stored key is never shown.",
    )
    client_private_key_status = fields.Char(
        "Private Key Status", compute="_compute_key_status"
    )
    client_public_jwk = fields.Text(
        "Public JWK",
        compute="_compute_client_public_jwk",
        help="Register this public key with eSignet (OIDC client publicKey).",
    )
    esignet_userinfo_decryption_key = fields.Text(
        "Stored Userinfo Decryption Key",
        groups=NO_USER,
        copy=False,
        help="Private JWK or PEM that decrypts an encrypted userinfo response.",
    )
    esignet_userinfo_decryption_key_new = fields.Text(
        "Userinfo Decryption Key",
        compute="_compute_key_inputs",
        inverse="_inverse_esignet_userinfo_decryption_key_new",
        groups="base.group_system",
        help="Paste the private JWK or PEM that decrypts userinfo to set or "
        "replace it. The stored key is never shown.",
    )
    esignet_userinfo_decryption_key_status = fields.Char(
        "Decryption Key Status", compute="_compute_key_status"
    )
    esignet_jwks_cache = fields.Text("Cached JWKS", readonly=True, copy=False)
    esignet_jwks_fetched_at = fields.Float(readonly=True, copy=False)

    @api.depends("client_private_key")
    def _compute_client_public_jwk(self):
        for provider in self:
            text = provider.sudo().client_private_key
            jwk = None
            if text:
                try:
                    jwk = json.dumps(public_jwk(load_private_key(text)), indent=2)
                except OidcError:
                    jwk = None
            provider.client_public_jwk = jwk

    def _compute_key_inputs(self):
        self.client_private_key_new = False
        self.esignet_userinfo_decryption_key_new = False

    def _inverse_client_private_key_new(self):
        for provider in self.filtered("client_private_key_new"):
            # sudo: the stored key is readable and writable by no user; an
            # administrator sets it through this write-only input.
            provider.sudo().client_private_key = provider.client_private_key_new.strip()

    def _inverse_esignet_userinfo_decryption_key_new(self):
        for provider in self.filtered("esignet_userinfo_decryption_key_new"):
            # sudo: as above.
            provider.sudo().esignet_userinfo_decryption_key = (
                provider.esignet_userinfo_decryption_key_new.strip()
            )

    @api.depends("client_private_key", "esignet_userinfo_decryption_key")
    def _compute_key_status(self):
        for provider in self:
            stored = provider.sudo()
            key = None
            if stored.client_private_key:
                try:
                    key = load_private_key(stored.client_private_key)
                except OidcError:
                    key = None
            provider.client_private_key_status = (
                _("Set (%(alg)s, key id %(kid)s)", alg=key.alg, kid=key.kid or "-")
                if key
                else _("Not set")
            )
            provider.esignet_userinfo_decryption_key_status = (
                _("Set") if stored.esignet_userinfo_decryption_key else _("Not set")
            )

    @api.constrains("esignet_userinfo_decryption_key")
    def _check_userinfo_decryption_key(self):
        for provider in self.sudo():
            if provider.esignet_userinfo_decryption_key:
                try:
                    load_decryption_key(provider.esignet_userinfo_decryption_key)
                except ConfigurationError:
                    raise ValidationError(
                        _(
                            "The userinfo decryption key must be a private JWK or "
                            "an unencrypted PEM."
                        )
                    ) from None

    @api.constrains("client_private_key", "esignet_assertion_algs")
    def _check_client_private_key(self):
        for provider in self.sudo():
            if provider.client_private_key:
                try:
                    key = load_private_key(provider.client_private_key)
                    check_assertion_alg(key.alg, provider._esignet_assertion_algs())
                except ConfigurationError as error:
                    raise ValidationError(
                        translated(error.message_key, error.message_params)
                    ) from None

    def _esignet_assertion_algs(self):
        return tuple((self.esignet_assertion_algs or "").split())

    def _esignet_signing_key(self):
        text = self.sudo().client_private_key
        if not text:
            raise ConfigurationError("client_key.missing")
        # load_private_key keeps parsed keys in a small per-process cache.
        return load_private_key(text)

    def _esignet_jwks_store(self):
        return ProviderJwksStore(self)

    def action_esignet_clear_jwks_cache(self):
        self.write({"esignet_jwks_cache": False, "esignet_jwks_fetched_at": 0.0})
        return True
