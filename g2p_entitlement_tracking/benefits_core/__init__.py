"""Benefit tracking logic of the portal: plain Python, no Odoo."""

from . import notifications, states
from .notifications import (
    application_event,
    entitlement_event,
    notification_key,
)
from .states import (
    entitlement_phase,
    payment_phase,
    rejection_reason,
    states_of,
)
from .money import MoneyStyle, group_digits
from .totals import CurrencyTotals, Totals, benefit_totals

__all__ = [
    "CurrencyTotals",
    "MoneyStyle",
    "Totals",
    "application_event",
    "benefit_totals",
    "entitlement_event",
    "entitlement_phase",
    "group_digits",
    "notification_key",
    "notifications",
    "payment_phase",
    "rejection_reason",
    "states",
    "states_of",
]
