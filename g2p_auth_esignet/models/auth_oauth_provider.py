from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..oidc import ConfigurationError, parse_mapping
from ..user_messages import translated

DEFAULT_MAPPING = (
    "name:name email:email phone:phone_number birthdate:birthdate "
    "gender:gender address:address"
)


class AuthOauthProvider(models.Model):
    """eSignet settings of an OAuth provider: who may sign in and as what,
    how accounts are linked, which claims are asked and mapped, the limits
    of the calls.

    The same model, by concern, in ``auth_oauth_provider_keys`` (the client
    and decryption keys, the JWKS cache), ``auth_oauth_provider_discovery``
    (issuer, endpoints, Discover) and ``auth_oauth_provider_login`` (what
    the login flow reads).
    """

    _inherit = "auth.oauth.provider"

    token_map = fields.Char(default="sub:user_id")
    client_authentication_method = fields.Selection(
        [("private_key_jwt", "Private Key JWT")],
        default="private_key_jwt",
        help="How Odoo authenticates at the token endpoint. eSignet accepts only "
        "private_key_jwt (RFC 7523 client assertion).",
    )
    client_assertion_type = fields.Selection(
        [("jwt_bearer", "JWT Bearer")], "Assertion Type", default="jwt_bearer"
    )
    client_assertion_audience = fields.Char(
        help="Audience of the client assertion; empty means the token URL."
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
