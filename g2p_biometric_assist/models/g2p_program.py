from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class G2PProgram(models.Model):
    _inherit = "g2p.program"

    biometric_capture_required = fields.Boolean(
        "Biometric capture for assisted applications",
        default=True,
        help="An officer applying on a registrant's behalf must capture and "
        "verify their biometrics through a registered device first.",
    )
    biometric_min_quality = fields.Integer(
        "Minimum biometric quality",
        default=40,
        help="Captures whose quality score (0-100) is below this are refused.",
    )

    @api.constrains("biometric_min_quality")
    def _check_biometric_min_quality(self):
        for program in self:
            if not 0 <= program.biometric_min_quality <= 100:
                raise ValidationError(
                    _("The minimum biometric quality is between 0 and 100.")
                )
