from odoo import _, http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

# Inputs of the portal's "My details" form and the partner field each edits.
FORM_FIELDS = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "street": "street",
    "city": "city",
    "zipcode": "zip",
    "country_id": "country_id",
    "state_id": "state_id",
}
SELECT_INPUTS = ("country_id", "state_id")


class EsignetCustomerPortal(CustomerPortal):
    """My details: KYC fields read-only, and linking the national ID."""

    def _esignet_locked_inputs(self):
        locked = request.env.user.partner_id._esignet_locked_field_set()
        return {key for key, field in FORM_FIELDS.items() if field in locked}

    @http.route()
    def account(self, redirect=None, **post):
        locked_inputs = self._esignet_locked_inputs()
        partner = request.env.user.partner_id
        if post and request.httprequest.method == "POST":
            # Locked selects are disabled in the page, so the browser does not
            # post them: keep the current value, like portal does for VAT.
            for key in SELECT_INPUTS:
                if key in locked_inputs:
                    post[key] = str(partner[key].id or "")
        response = super().account(redirect=redirect, **post)
        if getattr(response, "is_qweb", False):
            # A refused change is shown again as the stored value: the input
            # is read-only, so the person could not correct it otherwise.
            for key in locked_inputs:
                response.qcontext.pop(key, None)
            response.qcontext.update(
                esignet_locked_inputs=locked_inputs,
                esignet_link_providers=self._esignet_link_providers(partner),
            )
        return response

    def _esignet_link_providers(self, partner):
        """Providers this registrant may link a national ID with, if not linked."""
        user = request.env.user
        # sudo: provider records are admin-only; we read names and ids of
        # enabled providers for the buttons, no secret.
        providers = (
            request.env["auth.oauth.provider"]
            .sudo()
            .search(
                [
                    ("enabled", "=", True),
                    ("flow", "=", "id_token_code"),
                    ("esignet_link_manual", "=", True),
                ]
            )
        )
        if user.sudo().oauth_provider_id in providers and user.sudo().oauth_uid:
            return providers.browse()
        return providers

    def details_form_validate(self, data, partner_creation=False):
        error, error_message = super().details_form_validate(
            data, partner_creation=partner_creation
        )
        if partner_creation:
            return error, error_message
        partner = request.env.user.partner_id
        changed = []
        for key in self._esignet_locked_inputs():
            if key not in data:
                continue
            field = FORM_FIELDS[key]
            current = partner[field]
            current = str(current.id) if key in SELECT_INPUTS else (current or "")
            if str(data[key] or "").strip() != str(current).strip():
                error[key] = "error"
                changed.append(
                    partner._fields[field].get_description(request.env)["string"]
                )
        if changed:
            error_message.append(
                _(
                    "These details come from your national ID and cannot be "
                    "changed here: %(fields)s",
                    fields=", ".join(changed),
                )
            )
        return error, error_message
