"""KYC-locked profile fields."""

import datetime

import pytest

from g2p_auth_esignet.oidc import (
    NAME_PARTS,
    LockedFieldError,
    OidcError,
    check_locked_write,
    expand_locked_fields,
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


@pytest.mark.parametrize("part", ["given_name", "family_name", "addl_name"])
def test_name_parts_locked_with_name(part):
    assert part in NAME_PARTS
    assert locked_fields_in({part: "x", "email": "y"}, {"name"}) == [part]
    with pytest.raises(LockedFieldError) as raised:
        check_locked_write({part: "Mallory"}, {"name"})
    assert raised.value.fields == (part,)
    assert "Mallory" not in str(raised.value)


def test_name_parts_with_their_current_values_allowed():
    current = {"given_name": "Ada", "family_name": "Lovelace", "addl_name": False}
    check_locked_write(
        {"given_name": "Ada ", "family_name": "Lovelace", "addl_name": ""},
        {"name"},
        current,
    )
    with pytest.raises(LockedFieldError) as raised:
        check_locked_write(
            {"given_name": "Ada", "family_name": "Byron"}, {"name"}, current
        )
    assert raised.value.fields == ("family_name",)


def test_name_parts_free_when_name_not_locked():
    check_locked_write({"given_name": "x", "family_name": "y"}, {"birthdate"})
    assert expand_locked_fields({"birthdate"}) == {"birthdate"}
    locked = {"name"}
    assert expand_locked_fields(locked) == {"name", *NAME_PARTS}
    assert locked == {"name"}  # the caller's set is left alone
