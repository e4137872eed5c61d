"""Profile checks of the self-service portal: plain Python, no Odoo."""

from . import errors
from .validation import (
    NAME_FIELDS,
    PROFILE_FIELDS,
    ProfileContext,
    ProfileResult,
    check_profile,
    clean_text,
    normalize_email,
    normalize_phone,
    registry_name,
)

__all__ = [
    "NAME_FIELDS",
    "PROFILE_FIELDS",
    "ProfileContext",
    "ProfileResult",
    "check_profile",
    "clean_text",
    "errors",
    "normalize_email",
    "normalize_phone",
    "registry_name",
]
