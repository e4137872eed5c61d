from odoo import api, models

from ..oidc import (
    ConfigurationError,
    LinkingMode,
    ProviderSettings,
    build_authorize_url,
    build_claims_request,
    complete_login,
    expand_locked_fields,
    national_identity,
    parse_mapping,
)
from ..oidc_io import RequestsTransport, now

# Partner fields a mapped target fills (address fans out to several).
TARGET_FIELDS = {
    "address": ("street", "street2", "city", "zip", "state_id", "country_id"),
    "name": ("name", "given_name", "family_name", "addl_name"),
    "birthdate": ("birthdate", "birthdate_not_exact"),
    "picture": ("image_1920",),
    "image": ("image_1920",),
}
# Everything an eSignet callback reads of its provider.
CALLBACK_FIELDS = [
    "client_id",
    "client_private_key",
    "client_assertion_audience",
    "esignet_issuer",
    "token_endpoint",
    "jwks_uri",
    "validation_endpoint",
    "partner_creation_call_validate_url",
    "partner_creation_validate_response",
    "esignet_userinfo_format",
    "esignet_userinfo_decryption_key",
    "esignet_clock_skew",
    "esignet_jwks_ttl",
    "esignet_jwks_cache",
    "esignet_jwks_fetched_at",
    "esignet_timeout",
    "esignet_link_automatic",
    "esignet_link_manual",
    "esignet_link_registration",
    "esignet_refresh_kyc_on_login",
    "esignet_picture_hosts",
    "g2p_use_reg_id",
    "g2p_id_type",
    "esignet_auto_link_id_type",
    "esignet_auto_link_claim",
    "default_group_user_creation",
    "login_attribute_mapping_on_user_creation",
    "write_date",
]


# One model in several files, by concern, on purpose: see auth_oauth_provider.py.
# pylint: disable=consider-merging-classes-inherited
class AuthOauthProvider(models.Model):
    """What the login flow reads of its provider, and the calls it makes
    through it."""

    _inherit = "auth.oauth.provider"

    @api.model
    def _esignet_for_callback(self, provider_id):
        """The enabled managed provider of a callback, read in one query.

        Fetches every field the callback reads (the stored keys included,
        which are never prefetched), so that the login costs no further
        query on the provider.
        """
        return self.sudo().search_fetch(
            [
                ("id", "=", provider_id),
                ("enabled", "=", True),
                ("flow", "=", "id_token_code"),
            ],
            CALLBACK_FIELDS,
        )

    def _esignet_is_managed(self):
        """Providers of the OIDC code flow go through this addon's flow."""
        self.ensure_one()
        return self.flow == "id_token_code"

    def _esignet_identity(self, sub):
        """The national identity ``sub`` names through this provider.

        The registrant ID type its PSUTs are kept under, when it keeps them
        as registrant IDs: then every provider of that type names the same
        person by the same ``sub``. Otherwise this provider. Called on no
        provider (deleted), an identity equal to no other.
        """
        provider = self[:1]
        keeps_reg_id = provider.g2p_use_reg_id and provider.g2p_id_type
        return national_identity(
            sub,
            id_type_id=provider.g2p_id_type.id if keeps_reg_id else None,
            provider_id=provider.id,
        )

    def _esignet_linking_mode(self):
        self.ensure_one()
        mode = LinkingMode(0)
        if self.esignet_link_automatic:
            mode |= LinkingMode.AUTOMATIC
        if self.esignet_link_manual:
            mode |= LinkingMode.MANUAL
        if self.esignet_link_registration:
            mode |= LinkingMode.REGISTRATION
        return mode

    def _esignet_mapping(self):
        self.ensure_one()
        return tuple(parse_mapping(self.partner_creation_validate_response or ""))

    def _esignet_locked_field_names(self):
        """Partner fields filled from KYC that the registrant may not change."""
        self.ensure_one()
        if self.esignet_locked_field_ids:
            names = set(self.esignet_locked_field_ids.mapped("name"))
        else:
            names = set()
            for target, _claim in self._esignet_mapping():
                names.update(TARGET_FIELDS.get(target, (target,)))
        # A locked name locks its parts: the registry recomputes the name
        # from them.
        return expand_locked_fields(names)

    def _esignet_settings(self, redirect_uri, locale="en"):
        """ProviderSettings for the core; reads the secrets as superuser."""
        self.ensure_one()
        provider = self.sudo()
        if not (
            provider.esignet_issuer and provider.token_endpoint and provider.jwks_uri
        ):
            raise ConfigurationError("provider.incomplete")
        decryption_keys = ()
        if provider.esignet_userinfo_format == "jwe":
            if not provider.esignet_userinfo_decryption_key:
                raise ConfigurationError("userinfo.decryption_key_missing")
            decryption_keys = (provider.esignet_userinfo_decryption_key,)
        return ProviderSettings(
            client_id=provider.client_id,
            issuer=provider.esignet_issuer,
            token_endpoint=provider.token_endpoint,
            jwks_uri=provider.jwks_uri,
            redirect_uri=redirect_uri,
            signing_key=provider._esignet_signing_key(),
            userinfo_endpoint=provider.validation_endpoint or None,
            fetch_userinfo=provider.partner_creation_call_validate_url,
            userinfo_format=provider.esignet_userinfo_format or "jws",
            decryption_keys=decryption_keys,
            assertion_audience=provider.client_assertion_audience or None,
            mapping=provider._esignet_mapping(),
            locale=locale,
            leeway=provider.esignet_clock_skew,
            jwks_ttl=provider.esignet_jwks_ttl,
        )

    def _esignet_transport(self):
        return RequestsTransport(timeout=self.esignet_timeout or 10)

    def _esignet_verify_callback(self, transaction, code, *, redirect_uri, locale):
        """The verified LoginResult of a callback (talks to eSignet).

        Writes nothing but the JWKS cache (through its own cursor).
        """
        self.ensure_one()
        settings = self._esignet_settings(redirect_uri, locale=locale)
        with self._esignet_transport() as transport:
            return complete_login(
                settings,
                transaction,
                code,
                transport=transport,
                jwks_store=self._esignet_jwks_store(),
                now=now(),
            )

    def _esignet_picture_fetcher(self):
        """``fetch(url) -> bytes`` for KYC pictures given by URL.

        Only public addresses (checked again on the connected socket), or
        only the hosts listed in the provider's picture hosts.
        """
        self.ensure_one()
        transport = self._esignet_transport()
        allowed_hosts = tuple((self.sudo().esignet_picture_hosts or "").split())

        def fetch(url):
            return transport.get_public(url, allowed_hosts=allowed_hosts)

        return fetch

    def _esignet_authorize_url(self, transaction, redirect_uri, acr=None, lang=None):
        self.ensure_one()
        claims = build_claims_request(
            (self.esignet_claims_essential or "").split(),
            (self.esignet_claims_voluntary or "").split(),
        )
        return build_authorize_url(
            self.auth_endpoint,
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            transaction=transaction,
            scope=self.scope or "openid profile",
            acr_values=acr,
            claims=claims if claims["userinfo"] else None,
            ui_locales=lang if self.esignet_send_ui_locales else None,
        )
