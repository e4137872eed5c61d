"""KYC claim mapping rules."""

import base64
import datetime
import json

import pytest

from g2p_auth_esignet.oidc import (
    ClaimMappingError,
    ConfigurationError,
    map_claims,
    parse_mapping,
)

OPENG2P_SPEC = (
    "name:name email:email phone:phone_number birthdate:birthdate "
    "gender:gender address:address"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def mapped(claims, spec=OPENG2P_SPEC, locale="en"):
    return map_claims(claims, parse_mapping(spec), locale=locale).values


def test_parse_openg2p_mapping():
    assert parse_mapping(OPENG2P_SPEC) == [
        ("name", "name"),
        ("email", "email"),
        ("phone", "phone_number"),
        ("birthdate", "birthdate"),
        ("gender", "gender"),
        ("address", "address"),
    ]
    assert parse_mapping("  name:name\n\temail:email ") == [
        ("name", "name"),
        ("email", "email"),
    ]
    assert parse_mapping("") == []


@pytest.mark.parametrize(
    "spec", ["name", "name:", ":name", "na-me:name", "name:name name:email", "a:b:c"]
)
def test_bad_mapping_refused(spec):
    with pytest.raises(ConfigurationError) as raised:
        parse_mapping(spec)
    assert raised.value.check == "mapping.invalid"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Ada"), ("fr", "Adèle"), ("en_US", "Ada"), ("fr_FR", "Adèle")],
)
def test_locale_tagged_name_selection(locale, expected):
    claims = {"name#en": "Ada", "name#fr": "Adèle", "name": "Untagged"}
    assert mapped(claims, "name:name", locale)["name"] == expected


def test_three_letter_locale_tags():
    claims = {"name#fra": "Adèle", "name#eng": "Ada"}
    assert mapped(claims, "name:name", "en_US")["name"] == "Ada"
    assert mapped(claims, "name:name", "fr")["name"] == "Adèle"


def test_locale_fallbacks():
    claims = {"name#fr": "Adèle", "name": "Untagged"}
    assert mapped(claims, "name:name", "ar")["name"] == "Untagged"
    claims = {"name#km": "First tagged", "name#fr": "Adèle"}
    assert mapped(claims, "name:name", "ar")["name"] == "First tagged"


def test_mosip_language_value_list():
    claims = {
        "name": [
            {"language": "fra", "value": "Adèle"},
            {"language": "eng", "value": "Ada"},
        ]
    }
    assert mapped(claims, "name:name", "en")["name"] == "Ada"


def test_name_yields_name_parts():
    claims = {"name": "Ada  Byron", "given_name#en": "Ada", "family_name": "Byron"}
    values = mapped(claims, "name:name")
    assert values == {"name": "Ada Byron", "given_name": "Ada", "family_name": "Byron"}


def test_name_of_unexpected_type_names_the_claim_not_the_value():
    with pytest.raises(ClaimMappingError) as raised:
        mapped({"name": ["Ada", "Secret-Value"]}, "name:name")
    assert raised.value.check == "claims.name"
    assert "Secret-Value" not in str(raised.value)
    assert "Secret-Value" not in raised.value.message_key


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-05-17", datetime.date(1990, 5, 17)),
        ("1990/05/17", datetime.date(1990, 5, 17)),
        ("17-05-1990", datetime.date(1990, 5, 17)),
        ("17/05/1990", datetime.date(1990, 5, 17)),
        ("1990/5/7", datetime.date(1990, 5, 7)),
    ],
)
def test_birthdate_formats(value, expected):
    values = mapped({"birthdate": value}, "birthdate:birthdate")
    assert values == {"birthdate": expected, "birthdate_not_exact": False}


def test_birthdate_year_only_is_not_exact():
    values = mapped({"birthdate": "1990"}, "birthdate:birthdate")
    assert values == {
        "birthdate": datetime.date(1990, 1, 1),
        "birthdate_not_exact": True,
    }


def test_birthdate_year_withheld_left_out():
    assert mapped({"birthdate": "0000-05-17"}, "birthdate:birthdate") == {}


@pytest.mark.parametrize(
    "value",
    ["1990-13-01", "1990-02-30", "17.05.1990", "yesterday", "1990-05/17", 19900517],
)
def test_invalid_birthdate(value):
    with pytest.raises(ClaimMappingError) as raised:
        mapped({"birthdate": value}, "birthdate:birthdate")
    assert raised.value.check == "claims.birthdate"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("M", "male"),
        ("f", "female"),
        ("O", "other"),
        ("male", "male"),
        ("Female", "female"),
        ("OTHER", "other"),
        ("MLE", "male"),
        ("FLE", "female"),
        ("OTH", "other"),
        ("Masculin", "male"),
        ("féminin", "female"),
    ],
)
def test_gender_variants(value, expected):
    assert mapped({"gender": value}, "gender:gender")["gender"] == expected


def test_locale_tagged_gender_falls_back_to_a_recognised_variant():
    claims = {"gender#km": "ប្រុស", "gender#eng": "Male"}
    assert mapped(claims, "gender:gender", "km")["gender"] == "male"


def test_null_gender_left_out():
    assert mapped({"gender": None, "gender#en": ""}, "gender:gender") == {}


def test_unknown_gender_rejected():
    with pytest.raises(ClaimMappingError) as raised:
        mapped({"gender": "unknown-label"}, "gender:gender")
    assert raised.value.check == "claims.gender"


ADDRESS_OBJECT = {
    "formatted": "12 Main St, Apt 4, Springfield",
    "street_address": "12 Main St",
    "addressLine2": "Apt 4",
    "locality": "Springfield",
    "region": "North",
    "postal_code": "12345",
    "country": "KH",
}
EXPECTED_ADDRESS = {
    "street": "12 Main St",
    "street2": "Apt 4",
    "city": "Springfield",
    "state": "North",
    "zip": "12345",
    "country": "KH",
}


def test_address_object():
    assert mapped({"address": ADDRESS_OBJECT}, "address:address")["address"] == (
        EXPECTED_ADDRESS
    )


def test_address_json_string():
    claims = {"address": json.dumps(ADDRESS_OBJECT)}
    assert mapped(claims, "address:address")["address"] == EXPECTED_ADDRESS


def test_address_mosip_keys():
    mosip = {
        "addressLine1": "12 Main St",
        "addressLine2": "Block B",
        "addressLine3": "Apt 4",
        "city": "Springfield",
        "province": "North",
        "postalCode": 12345,
        "country": "KH",
    }
    assert mapped({"address#en": mosip}, "address:address")["address"] == {
        **EXPECTED_ADDRESS,
        "street2": "Block B, Apt 4",
    }


def test_address_formatted_only():
    address = mapped({"address": {"formatted": "1 Road\nTown"}}, "address:address")
    assert address["address"]["street"] == "1 Road"
    assert address["address"]["street2"] == "Town"
    assert address["address"]["city"] is None


def test_address_of_unexpected_type_rejected():
    with pytest.raises(ClaimMappingError) as raised:
        mapped({"address": ["12 Main St"]}, "address:address")
    assert raised.value.check == "claims.address"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+855 12 345-678", "+85512345678"),
        ("(012) 345 678", "012345678"),
        ("+1 (555) 010-9999", "+15550109999"),
        ("0123456789", "0123456789"),
    ],
)
def test_phone_normalisation(value, expected):
    assert mapped({"phone_number": value}, "phone:phone_number")["phone"] == expected


@pytest.mark.parametrize("value", ["+855 12 CALL ME", "12+34", "+", "12", ["123"]])
def test_invalid_phone_rejected(value):
    with pytest.raises(ClaimMappingError) as raised:
        mapped({"phone_number": value}, "phone:phone_number")
    assert raised.value.check == "claims.phone"


def test_email_lowercased_and_validated():
    assert mapped({"email": " Ada@Example.ORG "}, "email:email")["email"] == (
        "ada@example.org"
    )
    for bad in ("not-an-email", "a@b", "a b@example.org", "a@@example.org"):
        with pytest.raises(ClaimMappingError) as raised:
            mapped({"email": bad}, "email:email")
        assert raised.value.check == "claims.email"


def test_data_uri_picture_decoded():
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert mapped({"picture": uri}, "image_1920:picture")["image_1920"] == PNG


def test_picture_url_left_to_the_shell():
    url = "https://esignet.example.org/photo/1.jpg"
    assert mapped({"picture": url}, "image_1920:picture")["image_1920"] == {"url": url}


def test_oversized_picture_rejected():
    big = b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024)
    uri = "data:image/jpeg;base64," + base64.b64encode(big).decode()
    with pytest.raises(ClaimMappingError) as raised:
        mapped({"picture": uri}, "image_1920:picture")
    assert raised.value.check == "claims.picture"


@pytest.mark.parametrize(
    "value",
    [
        "data:image/svg+xml;base64,PHN2Zz4=",
        "data:image/png;base64,not-base64!",
        "data:image/png;base64," + base64.b64encode(b"GIF89a").decode(),
        "javascript:alert(1)",
        "ftp://example.org/x.png",
    ],
)
def test_invalid_picture_rejected(value):
    with pytest.raises(ClaimMappingError):
        mapped({"picture": value}, "image_1920:picture")


def test_unknown_claims_ignored_and_listed_by_name():
    claims = {
        "sub": "PSUT",
        "iss": "x",
        "name": "Ada",
        "individual_id#en": "secret-value",
        "favourite_colour": "blue",
    }
    result = map_claims(claims, parse_mapping("name:name"))
    assert result.values == {"name": "Ada"}
    assert result.ignored == ["favourite_colour", "individual_id"]
    assert "secret-value" not in repr(result)


def test_absent_and_blank_claims_leave_no_value():
    assert mapped({"name": "  ", "email": ""}, "name:name email:email") == {}


def test_full_esignet_payload():
    claims = {
        "sub": "PSUT",
        "name#en": "Ada Lovelace",
        "name#fr": "Ada Lovelace FR",
        "email": "ADA@example.org",
        "phone_number": "+855 12 345 678",
        "birthdate": "1990/05/17",
        "gender#en": "Female",
        "address#en": ADDRESS_OBJECT,
        "picture": "data:image/png;base64," + base64.b64encode(PNG).decode(),
    }
    values = mapped(claims, OPENG2P_SPEC + " image_1920:picture")
    assert values["name"] == "Ada Lovelace"
    assert values["email"] == "ada@example.org"
    assert values["phone"] == "+85512345678"
    assert values["birthdate"] == datetime.date(1990, 5, 17)
    assert values["gender"] == "female"
    assert values["address"] == EXPECTED_ADDRESS
    assert values["image_1920"] == PNG


def test_is_supported_image():
    from g2p_auth_esignet.oidc import is_supported_image

    assert is_supported_image(b"\x89PNG\r\n\x1a\n" + b"\0" * 10)
    assert is_supported_image(b"\xff\xd8\xff\xe0" + b"\0" * 10)
    assert not is_supported_image(b"<html>not an image</html>")
    assert not is_supported_image("\x89PNG\r\n\x1a\n")
    assert not is_supported_image(b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024))


def test_fingerprint_changes_with_values_and_context():
    from g2p_auth_esignet.oidc import MappedClaims

    values = {"name": "Maria", "birthdate": "1988-04-12", "picture": b"\x89PNG"}
    same = MappedClaims(values=dict(values), ignored=[])
    assert same.fingerprint("2026-01-01") == MappedClaims(
        values=dict(values), ignored=["x"]
    ).fingerprint("2026-01-01")
    assert same.fingerprint("2026-01-01") != same.fingerprint("2026-01-02")
    other = MappedClaims(values=dict(values, name="Mario"), ignored=[])
    assert other.fingerprint("2026-01-01") != same.fingerprint("2026-01-01")
    assert "Maria" not in same.fingerprint()
