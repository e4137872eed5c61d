from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..sbi import certificate_summaries


class G2PSbiTrustedCertificate(models.Model):
    """A device provider's CA certificate the administrator trusts.

    A capture is accepted only when its device certificate chains up to one
    of the active certificates here (MOSIP partner management issues them to
    device providers).
    """

    _name = "g2p.sbi.trusted.certificate"
    _description = "Trusted biometric device provider certificate"
    _order = "name, id"

    name = fields.Char(required=True, help="The device provider, e.g. its company.")
    active = fields.Boolean(default=True)
    pem = fields.Text(
        "Certificate (PEM)",
        required=True,
        help="The device provider's CA certificate, -----BEGIN CERTIFICATE----- "
        "to -----END CERTIFICATE-----.",
    )
    subject = fields.Char(compute="_compute_certificate", store=True)
    fingerprint = fields.Char(
        "SHA-256 fingerprint", compute="_compute_certificate", store=True
    )
    valid_until = fields.Datetime(compute="_compute_certificate", store=True)

    _sql_constraints = [
        (
            "fingerprint_unique",
            "unique(fingerprint)",
            "This certificate is already trusted.",
        )
    ]

    @api.depends("pem")
    def _compute_certificate(self):
        for record in self:
            try:
                summary = certificate_summaries(record.pem or "")[0]
            except ValueError:
                record.update({"subject": False, "fingerprint": False})
                record.valid_until = False
                continue
            record.subject = summary["subject"]
            record.fingerprint = summary["fingerprint"]
            record.valid_until = summary["not_after"].replace(tzinfo=None)

    @api.constrains("pem")
    def _check_pem(self):
        for record in self:
            try:
                summaries = certificate_summaries(record.pem or "")
            except ValueError:
                raise ValidationError(
                    _(
                        "%(name)s: this is not a PEM certificate. Paste the "
                        "text from -----BEGIN CERTIFICATE----- to "
                        "-----END CERTIFICATE-----.",
                        name=record.name,
                    )
                ) from None
            if len(summaries) != 1:
                raise ValidationError(
                    _("%(name)s: paste one certificate per entry.", name=record.name)
                )
            if not summaries[0]["is_ca"]:
                raise ValidationError(
                    _(
                        "%(name)s: this certificate is not a certificate authority "
                        "(CA). Trust the device provider's CA certificate, not a "
                        "device's own certificate.",
                        name=record.name,
                    )
                )

    @api.model
    def _g2p_trusted_pems(self):
        # sudo: the verification of a capture reads the trusted anchors for
        # any officer; certificates are public material.
        return self.sudo().search([]).mapped("pem")
