"""KYC-locked profile fields."""

import datetime

import pytest

from g2p_auth_esignet.oidc import (
    LockedFieldError,
    OidcError,
    check_locked_write,
    locked_fields_in,
)

LOCKED = {"name", "birthdate", "gender"}


def test_locked_fields_in():
    vals = {"name": "x", "email": "y", "gender": "male"}
    assert locked_fields_in(vals, LOCKED) == ["gender", "name"]
    assert locked_fields_in({"email": "y"}, LOCKED) == []


def test_changing_a_locked_field_refused():
    with pytest.raises(LockedFieldError) as raised:
        check_locked_write({"name": "Mallory", "email": "m@x.org"}, LOCKED)
    assert isinstance(raised.value, OidcError)
    assert raised.value.check == "profile.locked_field"
    assert raised.value.fields == ("name",)
    assert "Mallory" not in str(raised.value)


def test_writing_the_same_value_allowed():
    current = {"name": "Ada", "birthdate": datetime.date(1990, 5, 17), "gender": False}
    check_locked_write(
        {"name": "Ada", "birthdate": "1990-05-17", "gender": "", "email": "a@x.org"},
        LOCKED,
        current,
    )


def test_changing_value_with_current_values_refused():
    with pytest.raises(LockedFieldError) as raised:
        check_locked_write(
            {"birthdate": "1991-01-01"}, LOCKED, {"birthdate": "1990-05-17"}
        )
    assert raised.value.fields == ("birthdate",)


def test_unlocked_fields_free():
    check_locked_write({"email": "a@x.org", "phone": "1"}, LOCKED)
