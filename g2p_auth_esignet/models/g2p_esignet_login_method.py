from odoo import api, fields, models
from odoo.tools.translate import _lt

# eSignet's authentication context references and what a person calls them.
KNOWN_ACR_LABELS = {
    "mosip:idp:acr:generated-code": _lt("National ID: one-time code (OTP)"),
    "mosip:idp:acr:biometrics": _lt("National ID: fingerprint or face"),
    "mosip:idp:acr:linked-wallet": _lt("National ID: wallet app (QR code)"),
}


class G2PEsignetLoginMethod(models.Model):
    """One login button of a provider: a label and the ACR values it asks."""

    _name = "g2p.esignet.login.method"
    _description = "eSignet Login Button"
    _order = "sequence, id"

    provider_id = fields.Many2one(
        "auth.oauth.provider", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char("Label", required=True, translate=True)
    acr_values = fields.Char(
        "ACR Values",
        required=True,
        help="Space-separated authentication context references sent as "
        "acr_values, for example mosip:idp:acr:generated-code.",
    )
    icon = fields.Selection(
        [("otp", "OTP"), ("biometrics", "Biometrics"), ("wallet", "Wallet")],
        help="Picture shown on the button.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "acr_values_unique_per_provider",
            "unique(provider_id, acr_values)",
            "Each login button of a provider asks for different ACR values.",
        )
    ]

    @api.model
    def _create_defaults(self, provider, supported_acr_values):
        icons = {
            "mosip:idp:acr:generated-code": "otp",
            "mosip:idp:acr:biometrics": "biometrics",
            "mosip:idp:acr:linked-wallet": "wallet",
        }
        vals_list = [
            {
                "provider_id": provider.id,
                "sequence": index,
                "name": str(label),
                "acr_values": acr,
                "icon": icons[acr],
            }
            for index, (acr, label) in enumerate(KNOWN_ACR_LABELS.items())
            if acr in supported_acr_values
        ]
        return self.create(vals_list)
