"""Fields filled from the national ID cannot be changed by the registrant."""

import datetime

from .errors import LockedFieldError

# OpenG2P composes an individual's ``name`` from these parts: when the name
# comes from the national ID, changing a part would change the name too.
NAME_PARTS = ("given_name", "family_name", "addl_name")


def expand_locked_fields(locked):
    """``locked`` plus the name parts when ``name`` is locked (a new set)."""
    expanded = set(locked)
    if "name" in expanded:
        expanded.update(NAME_PARTS)
    return expanded


def locked_fields_in(vals, locked):
    """Names of locked fields (name parts included) that ``vals`` writes, sorted."""
    locked = expand_locked_fields(locked)
    return sorted(field for field in vals if field in locked)


def _comparable(value):
    # Odoo reads empty values as False and dates as date objects, while form
    # posts send "" and ISO strings: compare what they mean.
    if value is None or value is False or value == "":
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and isinstance(value[0], int)
    ):
        return value[0]  # (id, display_name) of a many2one read
    if isinstance(value, str):
        return value.strip()
    return value


def check_locked_write(vals, locked, current_values=None):
    """Raise LockedFieldError if ``vals`` changes a locked field.

    A locked ``name`` locks its parts (``NAME_PARTS``) too. With
    ``current_values`` (keyed by the names ``locked_fields_in`` returns),
    writing a locked field's current value is allowed.
    """
    changed = [
        field
        for field in locked_fields_in(vals, locked)
        if current_values is None
        or field not in current_values
        or _comparable(vals[field]) != _comparable(current_values[field])
    ]
    if changed:
        raise LockedFieldError("profile.locked_field", fields=changed)
