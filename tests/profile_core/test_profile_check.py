"""The profile page's checks (g2p_self_service_portal.profile_core)."""

import datetime

import pytest

from g2p_self_service_portal.profile_core import (
    ProfileContext,
    check_profile,
    normalize_phone,
    registry_name,
)
from g2p_self_service_portal.profile_core import (
    errors as e,
)

TODAY = datetime.date(2026, 11, 27)
GHANA, KENYA = 81, 110
ACCRA, NAIROBI = 5, 9
CONTEXT = ProfileContext(
    today=TODAY,
    countries={GHANA: "GH", KENYA: "KE"},
    states={ACCRA: GHANA, NAIROBI: KENYA},
    genders=frozenset({"Female", "Male"}),
    languages=frozenset({"en_US", "fr_FR"}),
    default_region="GH",
)
CURRENT = {
    "given_name": "Ama",
    "family_name": "Mensah",
    "addl_name": False,
    "birthdate": "1990-05-01",
    "gender": "Female",
    "email": "ama@example.org",
    "phone": "+233244123456",
    "street": "1 Ring Road",
    "street2": False,
    "city": "Accra",
    "zip": False,
    "country_id": GHANA,
    "state_id": ACCRA,
    "lang": "en_US",
    "birth_place": False,
}


def check(form, context=CONTEXT, current=CURRENT):
    return check_profile(form, context, current)


def test_unchanged_form_writes_nothing():
    posted = {key: str(value) if value else "" for key, value in CURRENT.items()}
    result = check(posted)
    assert result.ok, result.errors
    assert result.values == {}


def test_changes_are_cleaned_and_returned():
    result = check(
        {
            "email": "  Ama.Mensah@Example.ORG ",
            "phone": "024 412 3457",
            "city": "  Kumasi   Central ",
            "zip": "GA-123",
        }
    )
    assert result.ok, result.errors
    assert result.values == {
        "email": "Ama.Mensah@example.org",
        "phone": "+233244123457",
        "city": "Kumasi Central",
        "zip": "GA-123",
    }


@pytest.mark.parametrize(
    ("name", "value", "code"),
    [
        ("email", "ama@", e.INVALID_EMAIL),
        ("email", "a" * 250 + "@example.org", e.INVALID_EMAIL),
        ("email", "ama@@example.org", e.INVALID_EMAIL),
        ("phone", "12", e.INVALID_PHONE),
        ("phone", "not a phone", e.INVALID_PHONE),
        ("phone", "+999 123", e.INVALID_PHONE),
        ("birthdate", "2026-13-01", e.INVALID_DATE),
        ("birthdate", "yesterday", e.INVALID_DATE),
        ("birthdate", "2026-11-28", e.FUTURE_DATE),
        ("birthdate", "1850-01-01", e.DATE_TOO_EARLY),
        ("gender", "Robot", e.CHOICE),
        ("lang", "xx_XX", e.CHOICE),
        ("country_id", "999", e.CHOICE),
        ("country_id", "81; DROP TABLE", e.CHOICE),
        ("state_id", "-1", e.CHOICE),
        ("city", "x" * 101, e.TOO_LONG),
        ("street", "Ring\x00Road", e.INVALID),
        ("zip", "<script>", e.INVALID_ZIP),
        ("given_name", "", e.REQUIRED),
        ("family_name", "   ", e.REQUIRED),
    ],
)
def test_bad_values_are_refused(name, value, code):
    result = check({"birth_place": "Tamale", name: value})
    assert result.errors[name][0] == code
    # Nothing is written when anything is wrong, even the good fields.
    assert result.values == {}


def test_every_problem_reported_at_once():
    result = check({"email": "x", "phone": "y", "birthdate": "z"})
    assert set(result.errors) == {"email", "phone", "birthdate"}


def test_a_list_where_text_is_expected_is_refused():
    assert check({"city": ["Accra", "Tema"]}).errors["city"][0] == e.INVALID


def test_optional_fields_can_be_emptied():
    result = check({"email": "", "street": ""})
    assert result.values == {"email": False, "street": False}


def test_locked_field_change_is_refused():
    context = ProfileContext(**{**CONTEXT.__dict__, "locked": frozenset({"birthdate"})})
    result = check({"birthdate": "1991-01-01", "city": "Tema"}, context)
    assert result.errors == {"birthdate": (e.LOCKED, {})}
    assert result.values == {}


def test_locked_field_posted_back_unchanged_passes():
    locked = frozenset({"phone", "given_name"})
    context = ProfileContext(**{**CONTEXT.__dict__, "locked": locked})
    current = {**CURRENT, "phone": "0244 123 456"}
    result = check(
        {"phone": "0244 123 456", "given_name": "Ama", "city": "Tema"},
        context,
        current,
    )
    assert result.ok, result.errors
    assert result.values == {"city": "Tema"}


def test_state_must_belong_to_country():
    result = check({"state_id": str(NAIROBI)})
    assert result.errors["state_id"][0] == e.STATE_COUNTRY
    result = check({"country_id": str(KENYA), "state_id": str(NAIROBI)})
    assert result.values == {"country_id": KENYA, "state_id": NAIROBI}


def test_new_country_without_state_clears_old_state():
    result = check({"country_id": str(KENYA)})
    assert result.values == {"country_id": KENYA, "state_id": False}


def test_name_parts_recompute_registry_name():
    result = check({"given_name": "Ama Serwaa"})
    assert result.values == {"given_name": "Ama Serwaa", "name": "MENSAH, AMA SERWAA "}
    assert registry_name("Mensah", "Ama", "K") == "MENSAH, AMA K "


def test_missing_fields_stay_as_they_are():
    assert check({}).values == {}


def test_international_number_ignores_default_region():
    assert normalize_phone("+254 712 345678", "GH") == "+254712345678"
    with pytest.raises(ValueError):
        normalize_phone("712345678", None)


def test_unicode_names_are_kept_and_normalised():
    decomposed = "Zoe\u0301"
    result = check({"given_name": decomposed})
    assert result.values["given_name"] == "Zo\u00e9"
