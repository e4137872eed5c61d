import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..oidc import (
    ConfigurationError,
    OidcError,
    check_assertion_alg,
    discovery_url,
    parse_discovery,
)
from ..oidc_io import check_endpoint_url
from ..user_messages import translated

_logger = logging.getLogger(__name__)

# Managed providers' endpoints; http:// only for loopback (local tests).
ENDPOINT_FIELDS = (
    "esignet_issuer",
    "auth_endpoint",
    "token_endpoint",
    "validation_endpoint",
    "jwks_uri",
)


# One model in several files, by concern, on purpose: see auth_oauth_provider.py.
# pylint: disable=consider-merging-classes-inherited
class AuthOauthProvider(models.Model):
    """The provider's issuer and endpoints, checked, and filled by Discover
    from the issuer's discovery document."""

    _inherit = "auth.oauth.provider"

    esignet_issuer = fields.Char(
        "Issuer",
        help="The provider's issuer identifier; ID tokens must carry it as iss.",
    )
    esignet_assertion_algs = fields.Char(
        "Accepted Assertion Algorithms",
        readonly=True,
        copy=False,
        help="The provider's token_endpoint_auth_signing_alg_values_supported, "
        "read by Discover. The client key's algorithm must be one of them.",
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
