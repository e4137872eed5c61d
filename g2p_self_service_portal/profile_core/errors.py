"""Codes of the problems ``check_profile`` reports (sentences live in Odoo)."""

REQUIRED = "required"
INVALID = "invalid"
TOO_LONG = "too_long"
INVALID_EMAIL = "invalid_email"
INVALID_PHONE = "invalid_phone"
INVALID_DATE = "invalid_date"
FUTURE_DATE = "future_date"
DATE_TOO_EARLY = "date_too_early"
INVALID_ZIP = "invalid_zip"
CHOICE = "choice"
STATE_COUNTRY = "state_country"
LOCKED = "locked"

ALL = (
    REQUIRED,
    INVALID,
    TOO_LONG,
    INVALID_EMAIL,
    INVALID_PHONE,
    INVALID_DATE,
    FUTURE_DATE,
    DATE_TOO_EARLY,
    INVALID_ZIP,
    CHOICE,
    STATE_COUNTRY,
    LOCKED,
)
