import base64
import datetime
import hashlib
import logging

from odoo import SUPERUSER_ID, _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError

from ..oidc import (
    LockedFieldError,
    OidcError,
    check_locked_write,
    is_supported_image,
    locked_fields_in,
)

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
    esignet_kyc_fingerprint = fields.Char(
        "KYC Fingerprint",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="SHA-256 of the national-ID details last applied, so that a "
        "returning login with unchanged details writes and looks up nothing.",
    )
    esignet_picture_digest = fields.Char(
        "KYC Picture Digest",
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="SHA-256 of the KYC picture (or of its URL) last written, so that a "
        "returning login does not download or write it again.",
    )

    def _esignet_locked_field_set(self):
        self.ensure_one()
        # This field only: no prefetch of the partner's others (with a group
        # check per field group) for a list of names.
        self.fetch(["esignet_locked_fields"])
        return set((self.esignet_locked_fields or "").split())

    @api.model
    def _esignet_may_change_verified(self):
        """Whether the current user may change national-ID (verified) data.

        Only the national-ID login (which runs as the superuser) and Settings
        administrators: not registrants (also through sudo() in portal
        controllers, where env.user stays the registrant), not officers, not
        the platform's registrars.
        """
        user = self.env.user
        return self.env.uid == SUPERUSER_ID or user._is_system()

    def write(self, vals):
        if vals and not self._esignet_may_change_verified():
            if "esignet_locked_fields" in vals:
                raise AccessError(_("You cannot change which details are locked."))
            for partner in self:
                touched = locked_fields_in(vals, partner._esignet_locked_field_set())
                if not touched:
                    continue
                locked = partner._esignet_locked_field_set()
                current = partner._esignet_current_values(touched)
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

    def _esignet_values_from_kyc(self, mapped, fetch_picture=None):
        """Partner values from the core's normalized claims (MappedClaims).

        ``fetch_picture(url)`` returns a picture's bytes (the provider's
        safe fetcher), or is None to skip pictures given by URL.
        """
        values = {}
        for target, value in mapped.values.items():
            if value is None or value in ("", {}):
                continue
            handler = getattr(self, f"_esignet_kyc_{target}", None)
            if handler:
                values.update(handler(value, mapped, fetch_picture))
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

    def _esignet_kyc_middle_name(self, value, mapped, fetch_picture):
        return {"addl_name": value} if "addl_name" in self._fields else {}

    def _esignet_kyc_gender(self, value, mapped, fetch_picture):
        synonyms = GENDER_SYNONYMS.get(value, {value})
        if self.gender and str(self.gender).lower() in synonyms:
            # Unchanged: no need to read the registry's gender types.
            return {"gender": self.gender}
        for key, label in self._fields["gender"]._description_selection(self.env):
            if str(key).lower() in synonyms or str(label).lower() in synonyms:
                return {"gender": key}
        _logger.debug("No gender type matches the KYC gender: left unset")
        return {}

    def _esignet_kyc_address(self, value, mapped, fetch_picture):
        values = {
            name: value[name]
            for name in ("street", "street2", "city", "zip")
            if value.get(name)
        }
        country_id = None
        if value.get("country"):
            country_id = self._esignet_country_id(value["country"])
            if country_id:
                values["country_id"] = country_id
        if value.get("state"):
            state_id = self._esignet_state_id(value["state"], country_id)
            if state_id:
                values["state_id"] = state_id
        if "address" in self._fields and value.get("formatted"):
            values["address"] = value["formatted"]
        return values

    # Countries and states are reference data: cached per worker, so that a
    # returning login does not search them again. Adding, renaming or
    # removing one clears the caches of every server (res_country.py).
    @api.model
    @tools.ormcache("text")
    def _esignet_country_id(self, text):
        # A country code has two letters: a longer text is a name only (the
        # code column would cut "Germany" to "Ge", Georgia's code).
        domain = [("name", "=ilike", text)]
        if len(text) == 2:
            domain = ["|", ("code", "=ilike", text), *domain]
        country = self.env["res.country"].sudo().search(domain, limit=1)
        return country.id or None

    @api.model
    @tools.ormcache("text", "country_id")
    def _esignet_state_id(self, text, country_id):
        domain = ["|", ("code", "=ilike", text), ("name", "=ilike", text)]
        if country_id:
            domain.append(("country_id", "=", country_id))
        state = self.env["res.country.state"].sudo().search(domain, limit=1)
        return state.id or None

    def _esignet_kyc_picture(self, value, mapped, fetch_picture):
        """The KYC picture as ``image_1920``, with a digest of where it came from.

        The digest lets a returning login skip a picture it already has
        (no download, no write). A data URI was size- and type-checked by
        the core; a URL is fetched by the provider's fetcher, which refuses
        non-public addresses, and the bytes are checked again here.
        """
        if isinstance(value, bytes | bytearray):
            digest = hashlib.sha256(value).hexdigest()
            if digest == self.esignet_picture_digest:
                return {}
            return {
                "image_1920": base64.b64encode(value),
                "esignet_picture_digest": digest,
            }
        url = value.get("url") if isinstance(value, dict) else None
        if not url or fetch_picture is None:
            return {}
        digest = hashlib.sha256(url.encode()).hexdigest()
        if digest == self.esignet_picture_digest:
            return {}
        try:
            picture = fetch_picture(url)
        except OidcError as error:  # a picture never blocks a login
            _logger.info("KYC picture not downloaded: %s", error.check)
            return {}
        if not is_supported_image(picture):
            _logger.info("KYC picture URL gave no PNG or JPEG image: ignored")
            return {}
        return {
            "image_1920": base64.b64encode(picture),
            "esignet_picture_digest": digest,
        }

    _esignet_kyc_image = _esignet_kyc_image_1920 = _esignet_kyc_picture

    def _esignet_changed_values(self, values):
        """The part of ``values`` that differs from the record (write form)."""
        comparable = [
            name
            for name in values
            if name in self._fields and self._fields[name].type != "binary"
        ]
        current = self._esignet_current_values(comparable)
        changed = {}
        for name, value in values.items():
            if name in current and _same_value(current[name], value):
                continue
            changed[name] = value
        return changed

    def _esignet_apply_kyc(self, values, locked_names):
        """Write what changed of the KYC values (as superuser), lock them.

        ``locked_names()`` gives the provider's locked fields; it is called
        only when something is to be written.

        A returning login whose KYC is unchanged writes nothing: two logins
        of one person then never update the same row.
        """
        self.ensure_one()
        changed = self._esignet_changed_values(values)
        current_locked = self._esignet_locked_field_set()
        if not changed and set(values) <= current_locked | {"esignet_picture_digest"}:
            return  # a returning login whose details did not change
        locked = current_locked | (set(values) & set(locked_names()))
        locked.discard("esignet_picture_digest")
        if locked != current_locked:
            changed["esignet_locked_fields"] = " ".join(sorted(locked))
        phone = values.get("phone")
        if changed:
            try:
                with self.env.cr.savepoint():
                    self.sudo().write(changed)
            except ValidationError as error:
                if "phone" not in changed:
                    raise
                # The registry validates phone numbers against its own
                # pattern; a KYC number it refuses must not block the login.
                _logger.info(
                    "KYC phone number refused by the registry for partner %s: %s",
                    self.id,
                    type(error).__name__,
                )
                changed.pop("phone")
                locked.discard("phone")
                phone = None
                if locked != current_locked:
                    changed["esignet_locked_fields"] = " ".join(sorted(locked))
                else:
                    changed.pop("esignet_locked_fields", None)
                if changed:
                    self.sudo().write(changed)
        if phone and "phone" in changed and "phone_number_ids" in self._fields:
            try:
                with self.env.cr.savepoint():
                    self._registry_add_phone_number(phone)
            except (ValidationError, UserError) as error:
                _logger.info(
                    "KYC phone number not added to partner %s: %s",
                    self.id,
                    type(error).__name__,
                )

    def _registry_add_phone_number(self, phone):
        """Add ``phone`` to the registry's phone numbers unless it is there.

        The registry keeps a person's numbers in ``g2p.phone.number``; the
        partner's ``phone`` is what was last given. Raises the registry's
        own ValidationError for a number its pattern refuses.
        """
        self.ensure_one()
        # sudo: callers pass the person's own partner (login, profile page).
        numbers = self.env["g2p.phone.number"].sudo()
        if not numbers.search_count(
            [("partner_id", "=", self.id), ("phone_no", "=", phone)], limit=1
        ):
            numbers.create({"partner_id": self.id, "phone_no": phone})


def _same_value(current, new):
    if isinstance(new, datetime.date):
        new = fields.Date.to_string(new)
    if current in (False, None, "") and new in (False, None, ""):
        return True
    return current == new
