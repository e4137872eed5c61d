from odoo.http import request

from odoo.addons.g2p_self_service_portal.controllers.profile import ProfilePortal


class BiometricProfilePortal(ProfilePortal):
    def _profile_values(self, partner, posted=None, errors=None):
        values = super()._profile_values(partner, posted=posted, errors=errors)
        # sudo: registrants have no access to captures; they see that one
        # exists and when, for their own partner only, never the data.
        values["biometric_captures"] = (
            request.env["g2p.biometric.capture"]
            .sudo()
            .search_read(
                [("partner_id", "=", partner.id)],
                ["captured_at", "bio_type"],
                order="captured_at desc, id desc",
                limit=20,
            )
        )
        return values
