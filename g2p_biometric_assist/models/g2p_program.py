import logging

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.g2p_portal_forms.exceptions import SubmissionInvalid

_logger = logging.getLogger(__name__)


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

    def _assist_submit(self, partner, data, documents, token, digest, capture_ids):
        """The application the current officer makes on ``partner``'s behalf.

        The self-service submission (``_portal_submit``: same form, checks
        and rules; the registrant's own draft is left to them), once the
        registrant's consent of this visit is recorded and, when the program
        requires it, with a capture of this visit (``capture_ids``: the
        posted IDs, see ``g2p.biometric.capture._g2p_usable``). The
        application is marked assisted and the captures linked to it.
        Raises SubmissionInvalid or ApplicationRefused, having written
        nothing of its own; the caller commits, or rolls back.
        """
        self.ensure_one()
        if not self.env["g2p.biometric.consent"]._g2p_current(partner):
            raise SubmissionInvalid(
                _("Record the registrant's consent before applying."), {}
            )
        Capture = self.env["g2p.biometric.capture"]
        captures = Capture._g2p_usable(partner, self, capture_ids)
        if self.biometric_capture_required and not captures:
            raise SubmissionInvalid(
                _(
                    "Capture the registrant's biometrics with a registered "
                    "device before submitting."
                ),
                {},
            )
        # sudo: as on the self-service apply page, the rules read the
        # registrant's applications and the form builder.
        application = self.sudo()._portal_submit(
            partner, data, documents, token, digest, own_draft=False
        )
        # sudo: officers cannot write these fields (readonly evidence); the
        # application was just created for this registrant, and the captures
        # are the officer's own, found above.
        application.sudo().write(
            {
                "assisted": True,
                "assisted_by_id": self.env.uid,
                "assisted_device": captures[:1]._g2p_device_label()
                if captures
                else False,
            }
        )
        captures.sudo().write({"application_id": application.id, "program_id": self.id})
        _logger.info(
            "Assisted application %s for partner %s by officer %s (%s captures)",
            application.id,
            partner.id,
            self.env.uid,
            len(captures),
        )
        return application.with_env(self.env)
