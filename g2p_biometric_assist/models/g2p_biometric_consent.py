import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

_logger = logging.getLogger(__name__)

# How long a recorded consent covers captures of the same visit.
CONSENT_VALID_HOURS = 12


class G2PBiometricConsent(models.Model):
    """A registrant's consent to biometric capture, recorded by an officer.

    Records are written once and never changed or deleted: they are the
    evidence that a capture was agreed to.
    """

    _name = "g2p.biometric.consent"
    _description = "Consent to biometric capture"
    _order = "given_at desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        "Registrant",
        required=True,
        index=True,
        ondelete="restrict",
        domain=[("is_registrant", "=", True), ("is_group", "=", False)],
    )
    officer_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
        ondelete="restrict",
    )
    given_at = fields.Datetime(
        required=True, readonly=True, default=fields.Datetime.now
    )
    method = fields.Selection(
        [
            ("spoken", "Said aloud to the officer"),
            ("signed", "Signed a paper form"),
            ("thumbprint", "Thumbprint on a paper form"),
        ],
        required=True,
        default="spoken",
    )
    statement = fields.Text(
        required=True,
        readonly=True,
        help="The words the registrant agreed to, as shown to the officer.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The officer is whoever records it, never someone named.
            vals["officer_id"] = self.env.user.id
            vals["given_at"] = fields.Datetime.now()
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise AccessError(_("A recorded consent cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise AccessError(_("A recorded consent cannot be deleted."))

    @api.model
    def _g2p_current(self, partner):
        """The registrant's consent of this visit, if any."""
        since = fields.Datetime.now() - timedelta(hours=CONSENT_VALID_HOURS)
        return self.search(
            [("partner_id", "=", partner.id), ("given_at", ">=", since)],
            order="given_at desc, id desc",
            limit=1,
        )

    @api.model
    def _g2p_statement(self):
        """The words the registrant agrees to, in the officer's language."""
        return _(
            "I agree that my fingerprints, irises or face are captured to apply "
            "to social protection programs on my behalf, stored encrypted, seen "
            "only by registration officers, and deleted after the retention "
            "period."
        )

    @api.model
    def _g2p_methods(self):
        """[(method, label)] of the ways a consent is given."""
        return self._fields["method"]._description_selection(self.env)

    @api.model
    def _g2p_record(self, partner, method):
        """The consent ``partner`` gives the current officer by ``method``, to
        ``_g2p_statement``, recorded and audited; empty (nothing written)
        when ``method`` is not one of ``_g2p_methods``."""
        methods = dict(self._g2p_methods())
        if not isinstance(method, str) or method not in methods:
            _logger.info("Consent for partner %s not recorded: no method", partner.id)
            return self.browse()
        consent = self.create(
            {
                "partner_id": partner.id,
                "method": method,
                "statement": self._g2p_statement(),
            }
        )
        self.env["g2p.biometric.audit"]._g2p_log(
            "consent", partner=partner, reason=methods[method]
        )
        _logger.info(
            "Consent %s recorded for partner %s by officer %s",
            consent.id,
            partner.id,
            self.env.uid,
        )
        return consent
