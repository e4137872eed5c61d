from odoo import fields, models

from ..sbi import ENVIRONMENTS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    g2p_biometric_retention_days = fields.Integer(
        "Keep biometric captures (days)",
        config_parameter="g2p_biometric_assist.retention_days",
        default=365,
        help="Captures older than this are deleted by a daily job; the audit "
        "log is kept. 0 keeps them forever.",
    )
    g2p_biometric_timestamp_window = fields.Integer(
        "Capture time window (minutes)",
        config_parameter="g2p_biometric_assist.timestamp_window_minutes",
        default=5,
        help="A capture whose device time differs from the server's by more "
        "than this is refused.",
    )
    g2p_biometric_environment = fields.Selection(
        [(env, env) for env in ENVIRONMENTS],
        "Device environment",
        config_parameter="g2p_biometric_assist.environment",
        default="Staging",
        help="MOSIP environment the devices must be registered in.",
    )
