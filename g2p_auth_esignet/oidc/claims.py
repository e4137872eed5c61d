"""KYC claim mapping: provider claims to normalised registrant values.

The mapping spec is OpenG2P's "target:claim" list, e.g.
``name:name email:email phone:phone_number birthdate:birthdate``.

Rules (decisions where OIDC and eSignet leave room):

- Locale-tagged claims (``name#en``, ``name#fra``, ``name#en-US``): the
  requested locale's language wins (2- and 3-letter codes are equivalent),
  then the untagged claim, then the first tagged one in the payload's order.
  MOSIP's ``[{"language": "eng", "value": …}]`` lists are read the same way.
- Empty strings count as absent: a blank claim never erases a value.
- ``birthdate``: ``YYYY-MM-DD``, ``YYYY/MM/DD``, ``DD-MM-YYYY``, ``DD/MM/YYYY``
  give a ``date``; year-only ``YYYY`` gives 1 January of that year and sets
  ``<target>_not_exact`` (OpenG2P's ``birthdate_not_exact``) to True; it is
  False for full dates. OIDC's ``0000-MM-DD`` (year withheld) is left out.
- ``name`` also yields ``given_name``/``family_name``/``middle_name`` from the
  claims of those names when present.
- ``address`` (object or its JSON text; any other text is taken as
  ``formatted``) gives all of ``street street2 city state zip country``, None
  when absent.
- ``picture``: a PNG/JPEG data URI gives its bytes (at most 2 MiB); an
  http(s) URL gives ``{"url": …}`` for the shell to download.
- Claims not referenced by the mapping (nor protocol claims) are listed by
  name in ``MappedClaims.ignored``.
"""

import base64
import binascii
import dataclasses
import datetime
import hashlib
import json
import re
from urllib.parse import urlsplit

from . import messages
from .errors import ClaimMappingError, ConfigurationError, log_safe_code

MAX_PICTURE_BYTES = 2 * 1024 * 1024
MAX_TEXT_LENGTH = 1024

_TARGET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLAIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_PROTOCOL_CLAIMS = frozenset(
    {
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "nbf",
        "jti",
        "nonce",
        "at_hash",
        "c_hash",
        "azp",
        "auth_time",
        "acr",
        "amr",
        "sid",
    }
)
_NAME_PARTS = ("given_name", "family_name", "middle_name")

# ISO 639-2 (B and T) codes of the languages eSignet deployments use, to match
# ``#eng`` tags with Odoo's ``en_US``.
_LANGUAGE_ALIASES = {
    "eng": "en",
    "fra": "fr",
    "fre": "fr",
    "ara": "ar",
    "spa": "es",
    "por": "pt",
    "deu": "de",
    "ger": "de",
    "hin": "hi",
    "kan": "kn",
    "tam": "ta",
    "khm": "km",
    "tha": "th",
    "vie": "vi",
    "ind": "id",
    "msa": "ms",
    "may": "ms",
    "fil": "tl",
    "tgl": "tl",
    "swa": "sw",
    "amh": "am",
    "ben": "bn",
    "urd": "ur",
    "rus": "ru",
    "zho": "zh",
    "chi": "zh",
    "mlg": "mg",
    "sin": "si",
    "nep": "ne",
}

_GENDERS = {
    "male": (
        "m",
        "male",
        "mle",
        "man",
        "masculine",
        "masculin",
        "masculino",
        "homme",
        "männlich",
        "maschio",
        "ذكر",
    ),
    "female": (
        "f",
        "female",
        "fle",
        "fml",
        "woman",
        "feminine",
        "féminin",
        "feminin",
        "femenino",
        "feminino",
        "femme",
        "weiblich",
        "femmina",
        "أنثى",
    ),
    "other": (
        "o",
        "other",
        "oth",
        "x",
        "autre",
        "otro",
        "outro",
        "divers",
        "non-binary",
        "nonbinary",
    ),
}
_GENDER_BY_LABEL = {
    label.casefold(): gender for gender, labels in _GENDERS.items() for label in labels
}

_ISO_DATE = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})")
_DAY_FIRST_DATE = re.compile(r"(\d{1,2})([-/])(\d{1,2})\2(\d{4})")
_YEAR_ONLY = re.compile(r"\d{4}")
_PHONE_SEPARATORS = re.compile(r"[\s\-.()/]")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_DATA_URI = re.compile(r"data:(image/(?:png|jpeg|jpg));base64,(.*)", re.I | re.S)
_IMAGE_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/jpg": (b"\xff\xd8\xff",),
}

_ABSENT = object()


@dataclasses.dataclass
class MappedClaims:
    """Normalised values keyed by target field; ``ignored`` lists claim names."""

    values: dict = dataclasses.field(repr=False)
    ignored: list

    def fingerprint(self, *context):
        """SHA-256 of the values (and of ``context``, e.g. the settings' date).

        A returning login whose fingerprint equals the one stored at its last
        KYC refresh has nothing to refresh: no lookup, no comparison, no
        write. Never logged; it identifies data, it does not reveal it.
        """
        text = json.dumps(
            [self.values, [str(item) for item in context]],
            sort_keys=True,
            separators=(",", ":"),
            default=_fingerprint_value,
        )
        return hashlib.sha256(text.encode()).hexdigest()


def _fingerprint_value(value):
    if isinstance(value, bytes | bytearray):
        return "sha256:" + hashlib.sha256(value).hexdigest()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def parse_mapping(spec):
    """``[(target_field, claim_name), …]`` from "target:claim target:claim …"."""
    if spec is None:
        return []
    if not isinstance(spec, str):
        raise ConfigurationError("mapping.invalid")
    mapping = []
    targets = set()
    for position, entry in enumerate(spec.split(), start=1):
        target, separator, claim = entry.partition(":")
        if (
            not separator
            or not _TARGET_NAME.fullmatch(target)
            or not _CLAIM_NAME.fullmatch(claim)
            or target in targets
        ):
            raise ConfigurationError(
                "mapping.invalid",
                messages.MAPPING_INVALID,
                message_params={"position": position},
            )
        targets.add(target)
        mapping.append((target, claim))
    return mapping


def _language(tag):
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return _LANGUAGE_ALIASES.get(primary, primary)


def localized_variants(claims, name, locale):
    """All values of claim ``name``, best first (see the module's locale rule)."""
    requested = _language(locale or "")
    prefix = f"{name}#"
    tagged = [
        (_language(key[len(prefix) :]), value)
        for key, value in claims.items()
        if key.startswith(prefix)
    ]
    preferred = [value for language, value in tagged if language == requested]
    others = [value for language, value in tagged if language != requested]
    untagged = [claims[name]] if name in claims else []
    return preferred + untagged + others


def _pick_language_value(value, locale):
    """Read MOSIP's ``[{"language": "eng", "value": …}]``; other values unchanged."""
    if not (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and "value" in item for item in value)
    ):
        return value
    requested = _language(locale or "")
    for item in value:
        if isinstance(item.get("language"), str) and _language(item["language"]) == (
            requested
        ):
            return item["value"]
    return value[0]["value"]


def _text(value, check, locale, *, multiline=False):
    value = _pick_language_value(value, locale)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ClaimMappingError(check)
    lines = (" ".join(line.split()) for line in str(value).splitlines())
    text = ("\n" if multiline else " ").join(line for line in lines if line)
    if len(text) > MAX_TEXT_LENGTH:
        raise ClaimMappingError(check)
    return text or _ABSENT


def normalize_birthdate(value):
    """``(date, not_exact)`` or ``_ABSENT`` when the year is withheld."""
    if not isinstance(value, str):
        raise ClaimMappingError("claims.birthdate")
    text = value.strip()
    not_exact = False
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _DAY_FIRST_DATE.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif _YEAR_ONLY.fullmatch(text):
        year, month, day, not_exact = int(text), 1, 1, True
    else:
        raise ClaimMappingError("claims.birthdate")
    if year == 0:
        return _ABSENT
    if year < 1800:
        raise ClaimMappingError("claims.birthdate")
    try:
        return datetime.date(year, month, day), not_exact
    except ValueError:
        raise ClaimMappingError("claims.birthdate") from None


def normalize_gender(candidates, locale):
    """Male, female or other: the first recognised candidate label wins."""
    for candidate in candidates:
        label = _pick_language_value(candidate, locale)
        if not isinstance(label, str):
            raise ClaimMappingError("claims.gender")
        gender = _GENDER_BY_LABEL.get(label.strip().casefold())
        if gender:
            return gender
    raise ClaimMappingError("claims.gender")


def normalize_phone(value):
    """Digits with an optional leading ``+``; separators removed."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ClaimMappingError("claims.phone")
    text = _PHONE_SEPARATORS.sub("", str(value).strip())
    plus, digits = ("+", text[1:]) if text.startswith("+") else ("", text)
    if not digits.isascii() or not digits.isdigit() or not 4 <= len(digits) <= 17:
        raise ClaimMappingError("claims.phone")
    return plus + digits


def normalize_email(value):
    if not isinstance(value, str):
        raise ClaimMappingError("claims.email")
    email = value.strip().lower()
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise ClaimMappingError("claims.email")
    return email


def is_supported_image(data):
    """True for PNG or JPEG bytes within the picture size limit."""
    return (
        isinstance(data, bytes | bytearray)
        and len(data) <= MAX_PICTURE_BYTES
        and any(
            data.startswith(signature)
            for signatures in _IMAGE_SIGNATURES.values()
            for signature in signatures
        )
    )


def normalize_picture(value):
    """Decoded PNG/JPEG bytes from a data URI, or ``{"url": …}`` for http(s)."""
    if not isinstance(value, str):
        raise ClaimMappingError("claims.picture")
    text = value.strip()
    if text.lower().startswith(("https://", "http://")):
        if (
            len(text) > 2048
            or any(char.isspace() for char in text)
            or not urlsplit(text).hostname
        ):
            raise ClaimMappingError("claims.picture")
        return {"url": text}
    # Refuse before decoding: base64 inflates by 4/3.
    if len(text) > MAX_PICTURE_BYTES * 4 // 3 + 64:
        raise ClaimMappingError("claims.picture")
    match = _DATA_URI.fullmatch(text)
    if not match:
        raise ClaimMappingError("claims.picture")
    try:
        picture = base64.b64decode("".join(match[2].split()), validate=True)
    except (binascii.Error, ValueError):
        raise ClaimMappingError("claims.picture") from None
    media_type = match[1].lower()
    if len(picture) > MAX_PICTURE_BYTES or not picture.startswith(
        _IMAGE_SIGNATURES[media_type]
    ):
        raise ClaimMappingError("claims.picture")
    return picture


_ADDRESS_SOURCES = {
    "street": ("street_address", "addressLine1"),
    "street2": ("addressLine2", "addressLine3"),
    "city": ("locality", "city"),
    "state": ("region", "province"),
    "zip": ("postal_code", "postalCode"),
    "country": ("country",),
}


def normalize_address(value, locale):
    """``{street, street2, city, state, zip, country}`` (None when absent)."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                raise ClaimMappingError("claims.address") from None
        else:
            value = {"formatted": text}
    if not isinstance(value, dict):
        raise ClaimMappingError("claims.address")

    def component(name):
        variants = localized_variants(value, name, locale)
        if not variants:
            return None
        text = _text(variants[0], "claims.address", locale, multiline=True)
        return None if text is _ABSENT else text

    # The first source present wins (eSignet and MOSIP keys may both appear).
    first = {
        field: next(filter(None, map(component, sources)), None)
        for field, sources in _ADDRESS_SOURCES.items()
    }
    # OIDC street_address may span lines: the first is street, the rest street2.
    street_lines = (first["street"] or "").splitlines()
    street2_parts = street_lines[1:] + [
        line
        for part in map(component, _ADDRESS_SOURCES["street2"])
        if part
        for line in part.splitlines()
    ]
    address = {
        field: text.replace("\n", ", ") if text else None
        for field, text in first.items()
    }
    address["street"] = street_lines[0] if street_lines else None
    address["street2"] = ", ".join(street2_parts) or None
    if not address["street"]:
        formatted = component("formatted")
        if formatted:
            first, _, rest = formatted.replace("\n", ", ").partition(", ")
            address["street"] = first.strip() or None
            address["street2"] = address["street2"] or rest.strip() or None
    return address


def _map_one(claims, target, claim, locale, values):
    variants = localized_variants(claims, claim, locale)
    if not variants:
        return
    check = f"claims.{log_safe_code(claim)}"
    if claim == "gender":
        candidates = [value for value in variants if value not in (None, "")]
        if candidates:
            values[target] = normalize_gender(candidates, locale)
        return
    value = variants[0]
    if value is None or value == "":
        return
    if claim == "birthdate":
        birthdate = normalize_birthdate(_pick_language_value(value, locale))
        if birthdate is not _ABSENT:
            values[target], values[f"{target}_not_exact"] = birthdate
    elif claim == "address":
        values[target] = normalize_address(value, locale)
    elif claim == "phone_number":
        values[target] = normalize_phone(value)
    elif claim == "email":
        values[target] = normalize_email(value)
    elif claim == "picture":
        values[target] = normalize_picture(value)
    elif claim.endswith("_verified"):
        if not isinstance(value, bool):
            raise ClaimMappingError(check)
        values[target] = value
    else:
        text = _text(value, check, locale)
        if text is not _ABSENT:
            values[target] = text


def map_claims(claims, mapping, *, locale="en"):
    """MappedClaims for verified ``claims`` and a ``parse_mapping`` result.

    Raises ClaimMappingError whose ``check`` names the claim, never its value.
    """
    values = {}
    used = set()
    for target, claim in mapping:
        used.add(claim)
        _map_one(claims, target, claim, locale, values)
        if claim == "name":
            for part in _NAME_PARTS:
                used.add(part)
                if part not in values:
                    _map_one(claims, part, part, locale, values)
    ignored = sorted(
        {
            log_safe_code(key.partition("#")[0])
            for key in claims
            if key.partition("#")[0] not in used | _PROTOCOL_CLAIMS
        }
    )
    return MappedClaims(values=values, ignored=ignored)
