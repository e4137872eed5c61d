import json
import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..clock import now
from ..http_transport import RequestsTransport, check_endpoint_url
from ..oidc import (
    ConfigurationError,
    LinkingMode,
    OidcError,
    ProviderSettings,
    build_authorize_url,
    build_claims_request,
    check_assertion_alg,
    complete_login,
    discovery_url,
    expand_locked_fields,
    load_decryption_key,
    load_private_key,
    national_identity,
    parse_discovery,
    parse_mapping,
    public_jwk,
)
from ..provider_jwks_store import ProviderJwksStore
from ..user_messages import translated

_logger = logging.getLogger(__name__)

DEFAULT_MAPPING = (
    "name:name email:email phone:phone_number birthdate:birthdate "
    "gender:gender address:address"
)
# Partner fields a mapped target fills (address fans out to several).
TARGET_FIELDS = {
    "address": ("street", "street2", "city", "zip", "state_id", "country_id"),
    "name": ("name", "given_name", "family_name", "addl_name"),
    "birthdate": ("birthdate", "birthdate_not_exact"),
    "picture": ("image_1920",),
    "image": ("image_1920",),
}
SECRET_FIELDS = ("client_private_key", "esignet_userinfo_decryption_key")
# The stored private keys are read by the login flow as superuser only. No
# user, not even a settings administrator, reads them over RPC: every user
# is internal, portal or public, so this group expression matches nobody.
# Administrators set keys through the write-only inputs and see the public
# half.
NO_USER = "!base.group_user,!base.group_portal,!base.group_public"
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
# Managed providers' endpoints; http:// only for loopback (local tests).
ENDPOINT_FIELDS = (
    "esignet_issuer",
    "auth_endpoint",
    "token_endpoint",
    "validation_endpoint",
    "jwks_uri",
)


class AuthOauthProvider(models.Model):
    _inherit = "auth.oauth.provider"

    token_map = fields.Char(default="sub:user_id")
    client_authentication_method = fields.Selection(
        [("private_key_jwt", "Private Key JWT")],
        default="private_key_jwt",
        help="How Odoo authenticates at the token endpoint. eSignet accepts only "
        "private_key_jwt (RFC 7523 client assertion).",
    )
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
    client_assertion_type = fields.Selection(
        [("jwt_bearer", "JWT Bearer")], "Assertion Type", default="jwt_bearer"
    )
    client_assertion_audience = fields.Char(
        help="Audience of the client assertion; empty means the token URL."
    )
    esignet_issuer = fields.Char(
        "Issuer",
        help="The provider's issuer identifier; ID tokens must carry it as iss.",
    )
    g2p_use_reg_id = fields.Boolean(
        "Use G2P Reg ID",
        default=True,
        help="Keep the partner-specific user token (PSUT) as a registrant ID.",
    )
    g2p_id_type = fields.Many2one(
        "g2p.id.type",
        "G2P Registrant ID Type",
        help="The MOSIP PSUT ID type under which the PSUT is stored.",
    )
    partner_creation_call_validate_url = fields.Boolean(
        "Partner Creation Call Validate URL",
        default=True,
        help="Fetch the KYC claims from the userinfo URL to create or update the "
        "registrant.",
    )
    partner_creation_validate_response = fields.Char(
        default=DEFAULT_MAPPING,
        help="Claim mapping, space separated registrant_field:claim pairs.",
    )
    default_group_user_creation = fields.Many2one(
        "res.groups",
        default=lambda self: self.env.ref("base.group_portal", False),
        domain=lambda self: [
            ("id", "in", self._esignet_portal_type_groups().ids),
        ],
        help="Group of the users created at first login: Portal, or a group "
        "that implies Portal and not Internal User. A national-ID login never "
        "creates an internal user.",
    )
    login_attribute_mapping_on_user_creation = fields.Char(
        default="email",
        help="Mapped field used as login of a new user; when empty or taken, a "
        "login derived from the PSUT is used.",
    )
    esignet_login_method_ids = fields.One2many(
        "g2p.esignet.login.method",
        "provider_id",
        "Login Buttons",
        help="One login button per authentication method (ACR values).",
    )
    esignet_claims_essential = fields.Char(
        "Essential Claims", default="name birthdate gender"
    )
    esignet_claims_voluntary = fields.Char(
        "Voluntary Claims", default="email phone_number address picture"
    )
    esignet_send_ui_locales = fields.Boolean(
        "Send UI Locales", default=True, help="Ask eSignet for the website language."
    )
    esignet_userinfo_format = fields.Selection(
        [
            ("json", "JSON"),
            ("jws", "Signed JWT"),
            ("jwe", "Signed then encrypted JWT"),
        ],
        "Userinfo Format",
        default="jws",
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
    esignet_link_automatic = fields.Boolean(
        "Automatic Linking",
        help="Link an existing registrant holding a verified ID equal to a claim.",
    )
    esignet_link_manual = fields.Boolean(
        "Manual Linking",
        default=True,
        help="Logged-in registrants may link their national ID from their profile.",
    )
    esignet_link_registration = fields.Boolean(
        "New Registration",
        default=True,
        help="Create a registrant and a portal user at a first login that matches "
        "no one.",
    )
    esignet_auto_link_id_type = fields.Many2one(
        "g2p.id.type", "Automatic Linking ID Type"
    )
    esignet_auto_link_claim = fields.Char(
        "Automatic Linking Claim",
        default="individual_id",
        help="Claim compared with the registrant's verified ID of that type.",
    )
    esignet_locked_field_ids = fields.Many2many(
        "ir.model.fields",
        "g2p_esignet_provider_locked_field_rel",
        "provider_id",
        "field_id",
        "Locked Fields",
        domain=[("model", "=", "res.partner")],
        help="Fields filled from KYC that registrants cannot change. Empty: every "
        "field the claim mapping fills is locked.",
    )
    esignet_refresh_kyc_on_login = fields.Boolean("Refresh KYC On Login", default=True)
    esignet_picture_hosts = fields.Char(
        "Picture Hosts",
        help="Space-separated host names the KYC picture may be downloaded from. "
        "Empty: any host with a public address (never this server's network).",
    )
    scope = fields.Char(
        help="Scopes asked at login. eSignet releases KYC by the claims request "
        "below; generic OpenID providers often ignore it and release email, "
        "phone and address only for the scopes email, phone and address: add "
        "them here for such a provider."
    )
    esignet_clock_skew = fields.Integer("Clock Skew (s)", default=60)
    esignet_timeout = fields.Integer("HTTP Timeout (s)", default=10)
    esignet_jwks_ttl = fields.Integer("JWKS Cache Lifetime (s)", default=3600)
    esignet_assertion_algs = fields.Char(
        "Accepted Assertion Algorithms",
        readonly=True,
        copy=False,
        help="The provider's token_endpoint_auth_signing_alg_values_supported, "
        "read by Discover. The client key's algorithm must be one of them.",
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

    @api.constrains("default_group_user_creation")
    def _check_default_group_user_creation(self):
        for provider in self:
            group = provider.default_group_user_creation
            if group and group not in self._esignet_portal_type_groups():
                raise ValidationError(
                    _(
                        "Users created at a national-ID login must be portal users: "
                        "choose a portal-type group (such as Portal), not %(group)s.",
                        group=group.display_name,
                    )
                )

    @api.model
    def _esignet_portal_type_groups(self):
        """Groups whose users are portal users: Portal, and groups implying it
        without implying Internal User."""
        portal = self.env.ref("base.group_portal")
        internal = self.env.ref("base.group_user")
        return (
            self.env["res.groups"]
            .sudo()
            .search([])
            .filtered(
                lambda group: (
                    portal in group | group.trans_implied_ids
                    and internal not in group | group.trans_implied_ids
                )
            )
        )

    @api.constrains("flow", *ENDPOINT_FIELDS)
    def _check_endpoints(self):
        for provider in self.filtered(lambda p: p.flow == "id_token_code"):
            for name in ENDPOINT_FIELDS:
                if not provider[name]:
                    continue
                try:
                    check_endpoint_url(provider[name])
                except ConfigurationError:
                    raise ValidationError(
                        _(
                            "%(field)s must be an https:// address (http:// is "
                            "accepted for this machine only: localhost, 127.0.0.1, "
                            "::1).",
                            field=self._fields[name].get_description(self.env)[
                                "string"
                            ],
                        )
                    ) from None

    @api.constrains("partner_creation_validate_response")
    def _check_mapping(self):
        for provider in self:
            try:
                parse_mapping(provider.partner_creation_validate_response or "")
            except ConfigurationError as error:
                raise ValidationError(
                    translated(error.message_key, error.message_params)
                ) from None

    @api.constrains("esignet_clock_skew", "esignet_timeout", "esignet_jwks_ttl")
    def _check_durations(self):
        for provider in self:
            if not 0 <= provider.esignet_clock_skew <= 300:
                raise ValidationError(_("The clock skew must be 0 to 300 seconds."))
            if not 1 <= provider.esignet_timeout <= 60:
                raise ValidationError(_("The HTTP timeout must be 1 to 60 seconds."))
            if not 60 <= provider.esignet_jwks_ttl <= 86400:
                raise ValidationError(
                    _("The JWKS cache lifetime must be 60 to 86400 seconds.")
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_linked_accounts(self):
        """Accounts keep the provider they were first linked through.

        Deleting it would leave them an identity no provider names (see
        ``_esignet_identity``): refused by every other provider of their ID
        type. A provider no longer used is disabled instead.
        """
        managed = self.filtered(lambda p: p.flow == "id_token_code")
        if not managed:
            return
        linked = (
            self.env["res.users"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("oauth_provider_id", "in", managed.ids)])
        )
        if linked:
            raise UserError(
                _(
                    "%(count)s accounts were linked to a national ID through "
                    "%(providers)s. Disable the provider instead of deleting it: "
                    "they can then still sign in through another provider of "
                    "the same registrant ID type.",
                    count=linked,
                    providers=", ".join(managed.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        providers._mark_psut_id_types()
        return providers

    def write(self, vals):
        result = super().write(vals)
        if "g2p_id_type" in vals:
            self._mark_psut_id_types()
        return result

    def _mark_psut_id_types(self):
        self.mapped("g2p_id_type").filtered(lambda t: not t.is_psut).write(
            {"is_psut": True}
        )

    # -- what the login flow reads --------------------------------------

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

    def _esignet_assertion_algs(self):
        return tuple((self.esignet_assertion_algs or "").split())

    def _esignet_signing_key(self):
        text = self.sudo().client_private_key
        if not text:
            raise ConfigurationError("client_key.missing")
        # load_private_key keeps parsed keys in a small per-process cache.
        return load_private_key(text)

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
                jwks_store=ProviderJwksStore(self),
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

    # -- administrator actions --------------------------------------------

    def action_esignet_discover(self):
        """Fill the endpoints from the issuer's discovery document."""
        self.ensure_one()
        if not self.esignet_issuer:
            raise UserError(
                _("Set the issuer first, for example https://esignet.example.org")
            )
        try:
            with self._esignet_transport() as transport:
                response = transport.get(discovery_url(self.esignet_issuer), headers={})
            if response.status_code != 200:
                raise ConfigurationError("discovery.http_error")
            discovery = parse_discovery(response.body, self.esignet_issuer)
        except OidcError as error:
            _logger.warning(
                "eSignet discovery failed for provider %s: %s", self.id, error
            )
            raise UserError(
                _(
                    "Discovery failed (%(check)s). Check the issuer URL and that "
                    "the provider is reachable from this server.",
                    check=error.check,
                )
            ) from None
        endpoints = dict(discovery.endpoints)
        if not endpoints.get("validation_endpoint"):
            if self.partner_creation_call_validate_url:
                raise UserError(
                    _(
                        "The provider publishes no userinfo endpoint, and this "
                        "provider is set to fetch the registrant's details from "
                        'it. Turn off "Partner Creation Call Validate URL" to '
                        "take the details from the ID token only, then discover "
                        "again."
                    )
                )
            endpoints["validation_endpoint"] = False
        algs = discovery.token_endpoint_auth_signing_alg_values_supported
        if algs is not None and self.sudo().client_private_key:
            try:
                check_assertion_alg(self._esignet_signing_key().alg, algs)
            except ConfigurationError as error:
                raise UserError(
                    translated(error.message_key, error.message_params)
                ) from None
        self.write(
            dict(
                endpoints,
                flow="id_token_code",
                esignet_assertion_algs=" ".join(algs) if algs else False,
            )
        )
        supported = discovery.acr_values_supported
        if not self.esignet_login_method_ids and supported:
            self.env["g2p.esignet.login.method"]._create_defaults(self, supported)
        return True

    def action_esignet_clear_jwks_cache(self):
        self.write({"esignet_jwks_cache": False, "esignet_jwks_fetched_at": 0.0})
        return True
