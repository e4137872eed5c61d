import base64
import logging

from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..oidc import LockedFieldError, check_locked_write, is_supported_image

_logger = logging.getLogger(__name__)

GENDER_SYNONYMS = {
    "male": {"male", "m", "mle"},
    "female": {"female", "f", "fle"},
    "other": {"other", "o", "oth"},
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    esignet_locked_fields = fields.Char(
        "Fields From National ID",
        readonly=True,
        copy=False,
        help="Fields filled from the national ID (eSignet KYC). Registrants "
        "cannot change them.",
    )

    def _esignet_locked_field_set(self):
        self.ensure_one()
        return set((self.esignet_locked_fields or "").split())

    def write(self, vals):
        # Portal and public users (also through sudo() in portal controllers:
        # env.user stays the registrant) never change KYC-filled fields.
        # The login flow refreshes them as the superuser.
        if self.env.user.share and vals:
            if "esignet_locked_fields" in vals:
                raise AccessError(_("You cannot change which details are locked."))
            for partner in self:
                locked = partner._esignet_locked_field_set()
                if not locked or not locked.intersection(vals):
                    continue
                current = partner._esignet_current_values(locked.intersection(vals))
                try:
                    check_locked_write(vals, locked, current_values=current)
                except LockedFieldError as error:
                    _logger.warning(
                        "Refused a write of KYC-locked fields on partner %s: %s",
                        partner.id,
                        ", ".join(error.fields),
                    )
                    raise AccessError(
                        _(
                            "These details come from your national ID and cannot "
                            "be changed here: %(fields)s",
                            fields=", ".join(
                                self._fields[name].get_description(self.env)["string"]
                                for name in error.fields
                                if name in self._fields
                            ),
                        )
                    ) from None
        return super().write(vals)

    def _esignet_current_values(self, names):
        """Current values in write() form, to let a same-value write through."""
        values = {}
        for name in names:
            field = self._fields.get(name)
            if field is None:
                continue
            value = self[name]
            if field.type == "many2one":
                value = value.id
            elif field.type == "date":
                value = fields.Date.to_string(value) if value else False
            values[name] = value
        return values

    # -- KYC into the registrant -----------------------------------------

    def _esignet_values_from_kyc(self, mapped, transport=None):
        """Partner values from the core's normalized claims (MappedClaims)."""
        values = {}
        for target, value in mapped.values.items():
            if value is None or value in ("", {}):
                continue
            handler = getattr(self, f"_esignet_kyc_{target}", None)
            if handler:
                values.update(handler(value, mapped, transport))
            elif target in self._fields and self._fields[target].type in (
                "char",
                "text",
                "boolean",
                "date",
            ):
                values[target] = value
            else:
                _logger.debug("KYC target %s is not a partner field: ignored", target)
        return values

    def _esignet_kyc_middle_name(self, value, mapped, transport):
        return {"addl_name": value} if "addl_name" in self._fields else {}

    def _esignet_kyc_gender(self, value, mapped, transport):
        synonyms = GENDER_SYNONYMS.get(value, {value})
        for key, label in self._fields["gender"]._description_selection(self.env):
            if str(key).lower() in synonyms or str(label).lower() in synonyms:
                return {"gender": key}
        _logger.debug("No gender type matches the KYC gender: left unset")
        return {}

    def _esignet_kyc_address(self, value, mapped, transport):
        values = {
            name: value[name]
            for name in ("street", "street2", "city", "zip")
            if value.get(name)
        }
        country = self.env["res.country"]
        if value.get("country"):
            text = value["country"]
            country = country.search(
                ["|", ("code", "=ilike", text), ("name", "=ilike", text)], limit=1
            )
            if country:
                values["country_id"] = country.id
        if value.get("state"):
            domain = [
                "|",
                ("code", "=ilike", value["state"]),
                ("name", "=ilike", value["state"]),
            ]
            if country:
                domain.append(("country_id", "=", country.id))
            state = self.env["res.country.state"].search(domain, limit=1)
            if state:
                values["state_id"] = state.id
        if "address" in self._fields and value.get("formatted"):
            values["address"] = value["formatted"]
        return values

    def _esignet_kyc_picture(self, value, mapped, transport):
        if isinstance(value, bytes | bytearray):
            return {"image_1920": base64.b64encode(value)}
        url = value.get("url") if isinstance(value, dict) else None
        # Only https: the claim is signed by eSignet, but the server fetching
        # it must not be pointed at plain-http or internal addresses by it.
        if not url or not url.startswith("https://") or transport is None:
            return {}
        try:
            response = transport.get(url, headers={})
        except Exception as error:  # a picture never blocks a login
            _logger.info("KYC picture not downloaded: %s", type(error).__name__)
            return {}
        if response.status_code == 200 and is_supported_image(response.body):
            return {"image_1920": base64.b64encode(response.body)}
        _logger.info("KYC picture URL gave no PNG or JPEG image: ignored")
        return {}

    _esignet_kyc_image = _esignet_kyc_image_1920 = _esignet_kyc_picture

    def _esignet_apply_kyc(self, values, locked_names):
        """Write KYC values (as superuser) and remember which are locked."""
        self.ensure_one()
        locked = self._esignet_locked_field_set() | (set(values) & set(locked_names))
        phone = values.get("phone")
        try:
            with self.env.cr.savepoint():
                self.sudo().write(
                    dict(values, esignet_locked_fields=" ".join(sorted(locked)))
                )
        except ValidationError as error:
            if not phone:
                raise
            # The registry validates phone numbers against its own pattern;
            # a KYC number it refuses must not block the login.
            _logger.info(
                "KYC phone number refused by the registry for partner %s: %s",
                self.id,
                type(error).__name__,
            )
            values = {k: v for k, v in values.items() if k != "phone"}
            locked.discard("phone")
            phone = None
            self.sudo().write(
                dict(values, esignet_locked_fields=" ".join(sorted(locked)))
            )
        if phone and "phone_number_ids" in self._fields:
            numbers = self.sudo().phone_number_ids
            if phone not in numbers.mapped("phone_no"):
                try:
                    with self.env.cr.savepoint():
                        numbers.create({"partner_id": self.id, "phone_no": phone})
                except (ValidationError, UserError) as error:
                    _logger.info(
                        "KYC phone number not added to partner %s: %s",
                        self.id,
                        type(error).__name__,
                    )
