"""Totals of a person's benefits per currency, from grouped rows.

The shell reads entitlements and payments grouped by currency and state in
SQL (``read_group``): one row per group, however many entitlements there are.
``benefit_totals`` turns those rows into what the page shows, per currency:

- *approved*: what was granted (approved, transferred or paid entitlements);
- *paid*: what payments brought (payments whose status is paid);
- *to come*: approved minus paid, never below zero;
- *in review*: what is still being decided.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .states import GRANTED, REVIEW, entitlement_phase


@dataclass
class CurrencyTotals:
    currency: object
    approved: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    in_review: Decimal = Decimal(0)
    count: int = 0

    @property
    def to_come(self):
        return max(self.approved - self.paid, Decimal(0))


@dataclass
class Totals:
    by_currency: dict = field(default_factory=dict)

    def for_currency(self, currency):
        if currency not in self.by_currency:
            self.by_currency[currency] = CurrencyTotals(currency)
        return self.by_currency[currency]

    def rows(self):
        """Per-currency totals, the currency with the most entitlements first."""
        return sorted(
            self.by_currency.values(), key=lambda t: (-t.count, str(t.currency))
        )


def _amount(value, digits):
    quantum = Decimal(1).scaleb(-digits)
    return Decimal(str(value or 0)).quantize(quantum, rounding=ROUND_HALF_UP)


def benefit_totals(entitlement_groups, payment_groups, digits=None):
    """Totals from grouped rows.

    ``entitlement_groups``: iterable of (currency, state, amount sum, count).
    ``payment_groups``: iterable of (currency, status, amount paid sum).
    ``digits``: {currency: decimal places}; 2 when not given.
    """
    digits = digits or {}
    totals = Totals()
    for currency, state, amount, count in entitlement_groups:
        entry = totals.for_currency(currency)
        value = _amount(amount, digits.get(currency, 2))
        phase = entitlement_phase(state)
        entry.count += count
        if phase in GRANTED:
            entry.approved += value
        elif phase == REVIEW:
            entry.in_review += value
    for currency, status, amount in payment_groups:
        if status != "paid":
            continue
        totals.for_currency(currency).paid += _amount(amount, digits.get(currency, 2))
    return totals
