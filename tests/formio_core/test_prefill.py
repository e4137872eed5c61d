"""prefill_values and check_prefill_mapping."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from g2p_portal_forms.formio_core import (
    PrefillError,
    check_prefill_mapping,
    prefill_values,
    validate_submission,
)

from .conftest import load_schema

MAPPING = [
    ("given_name", "firstName", True),
    ("family_name", "lastName", True),
    ("birthdate", "birthDate", True),
    ("phone", "phone", False),
    ("email", "email", False),
]


def test_prefill_values_and_locks():
    registrant = {
        "given_name": "Ama",
        "family_name": "Mensah",
        "birthdate": date(1985, 3, 14),
        "phone": False,  # Odoo's empty value
        "email": "ama@example.org",
    }
    data, locked = prefill_values(MAPPING, registrant)
    assert data == {
        "firstName": "Ama",
        "lastName": "Mensah",
        "birthDate": "1985-03-14",
        "email": "ama@example.org",
    }
    assert locked == {
        "firstName": "Ama",
        "lastName": "Mensah",
        "birthDate": "1985-03-14",
    }


def test_prefill_round_trip_through_validation():
    schema = load_schema("social_assistance")
    data, locked = prefill_values(
        MAPPING, {"given_name": "Ama", "birthdate": date(1985, 3, 14)}
    )
    submitted = dict(
        data, firstName="Someone else", birthDate="1985-03-14T00:00:00+01:00"
    )
    codes = validate_submission(schema, submitted, locked=locked).codes()
    assert codes["firstName"] == ["locked"]
    assert "birthDate" not in codes


def test_prefill_nested_keys_and_types():
    mapping = [
        ("city", "address.city", True),
        ("income", "income", False),
        ("registered", "registeredAt", False),
        ("members", "members", False),
    ]
    registrant = {
        "city": "Accra",
        "income": Decimal("12.50"),
        "registered": datetime(2024, 1, 2, 3, 4, 5, 678),
        "members": Decimal("4"),
    }
    data, locked = prefill_values(mapping, registrant)
    assert data == {
        "address": {"city": "Accra"},
        "income": 12.5,
        "registeredAt": "2024-01-02T03:04:05",
        "members": 4,
    }
    assert locked == {"address.city": "Accra"}


@pytest.mark.parametrize(
    ("mapping", "registrant", "code"),
    [
        ([("a", "x.y z", False)], {"a": 1}, "prefill.form_key"),
        (
            [("a", "x", False), ("b", "x", True)],
            {"a": 1, "b": 2},
            "prefill.duplicate_key",
        ),
        (
            [("a", "x", False), ("b", "x.y", False)],
            {"a": 1, "b": 2},
            "prefill.form_key",
        ),
        ([("a", "x", False)], {"a": [1, 2]}, "prefill.value_type"),
    ],
)
def test_prefill_errors(mapping, registrant, code):
    with pytest.raises(PrefillError) as info:
        prefill_values(mapping, registrant)
    assert info.value.code == code


def test_check_prefill_mapping():
    schema = load_schema("nested_layouts")
    mapping = [
        ("given", "givenName", True),
        ("city", "address.city", True),
        ("x", "nowhere", False),
        ("y", "dependents.name", False),
        ("z", "address", False),
        ("w", "givenName", False),
    ]
    assert [(p.path, p.code) for p in check_prefill_mapping(schema, mapping)] == [
        ("nowhere", "prefill.unknown_key"),
        ("dependents.name", "prefill.in_grid"),
        ("address", "prefill.not_a_value"),
        ("givenName", "prefill.duplicate_key"),
    ]
    assert check_prefill_mapping(load_schema("social_assistance"), MAPPING) == []
