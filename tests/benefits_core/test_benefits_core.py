"""Benefit phases, totals and notification keys (g2p_entitlement_tracking)."""

from decimal import Decimal

import pytest

from g2p_entitlement_tracking.benefits_core import (
    application_event,
    benefit_totals,
    entitlement_event,
    entitlement_phase,
    notification_key,
    payment_phase,
    rejection_reason,
    states,
    states_of,
)

OPENG2P_STATES = (
    "draft",
    "pending_validation",
    "approved",
    "trans2FSP",
    "rdpd2ben",
    "rejected1",
    "rejected2",
    "rejected3",
    "cancelled",
    "expired",
)


def test_every_openg2p_state_has_a_phase():
    for state in OPENG2P_STATES:
        assert entitlement_phase(state) in states.PHASES
    assert entitlement_phase("draft") == states.REVIEW
    assert entitlement_phase("pending_validation") == states.REVIEW
    assert entitlement_phase("trans2FSP") == states.TRANSFERRED
    assert entitlement_phase("rdpd2ben") == states.PAID
    assert entitlement_phase("something_new") == states.REVIEW


def test_rejections_have_reasons():
    assert rejection_reason("rejected1") == "declined"
    assert rejection_reason("rejected2") == "no_account"
    assert rejection_reason("rejected3") == "other"
    assert rejection_reason("approved") is None


def test_payment_phases():
    assert payment_phase("issued", None) == states.PAYMENT_PENDING
    assert payment_phase("sent", None) == states.PAYMENT_SENT
    assert payment_phase("reconciled", "paid") == states.PAYMENT_PAID
    assert payment_phase("sent", "failed") == states.PAYMENT_FAILED


def test_states_of_phases_for_domains():
    assert states_of([states.REJECTED]) == ["rejected1", "rejected2", "rejected3"]
    assert states_of([states.REVIEW]) == ["draft", "pending_validation"]


def test_totals_per_currency():
    totals = benefit_totals(
        [
            ("USD", "approved", 100.0, 2),
            ("USD", "rdpd2ben", 50.0, 1),
            ("USD", "pending_validation", 30.0, 1),
            ("USD", "rejected2", 999.0, 1),
            ("USD", "cancelled", 999.0, 1),
            ("KES", "trans2FSP", 1500.0, 3),
        ],
        [
            ("USD", "paid", 80.0),
            ("USD", "failed", 20.0),
            ("USD", None, 10.0),
            ("KES", "paid", 500.0),
        ],
    )
    usd = totals.by_currency["USD"]
    assert usd.approved == Decimal("150.00")
    assert usd.paid == Decimal("80.00")
    assert usd.to_come == Decimal("70.00")
    assert usd.in_review == Decimal("30.00")
    assert usd.count == 6
    kes = totals.by_currency["KES"]
    assert (kes.approved, kes.paid, kes.to_come) == (
        Decimal("1500.00"),
        Decimal("500.00"),
        Decimal("1000.00"),
    )
    assert [row.currency for row in totals.rows()] == ["USD", "KES"]


def test_totals_never_negative_and_rounded():
    totals = benefit_totals(
        [("XOF", "approved", 100.4, 1)], [("XOF", "paid", 200.6)], {"XOF": 0}
    )
    xof = totals.by_currency["XOF"]
    assert xof.approved == Decimal("100")
    assert xof.paid == Decimal("201")
    assert xof.to_come == Decimal("0")


def test_floats_add_up_exactly():
    rows = [("USD", "approved", 0.1, 1)] * 3
    assert benefit_totals(rows, []).by_currency["USD"].approved == Decimal("0.30")


def test_no_rows_no_totals():
    assert benefit_totals([], []).rows() == []


@pytest.mark.parametrize(
    ("old", "new", "event"),
    [
        ("draft", "pending_validation", None),
        ("pending_validation", "approved", "entitlement_approved"),
        (None, "approved", "entitlement_approved"),
        ("approved", "trans2FSP", None),
        ("trans2FSP", "rdpd2ben", "entitlement_paid"),
        ("approved", "approved", None),
        ("approved", "rejected3", None),
    ],
)
def test_entitlement_events(old, new, event):
    assert entitlement_event(old, new) == event


def test_application_events():
    assert application_event("active", "completed") == "application_state"
    assert application_event("active", "active") is None
    assert application_event("active", False) is None


def test_notification_keys_are_stable_and_distinct():
    key = notification_key("entitlement", 7, "entitlement_paid", "rdpd2ben")
    assert key == "entitlement:7:entitlement_paid:rdpd2ben"
    assert key != notification_key("entitlement", 7, "entitlement_approved", "approved")
    assert notification_key("application", "7", "application_state", "completed") == (
        "application:7:application_state:completed"
    )
