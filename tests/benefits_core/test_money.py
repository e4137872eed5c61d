"""MoneyStyle writes amounts as Odoo's format_amount does."""

import pytest

from g2p_entitlement_tracking.benefits_core import MoneyStyle, group_digits
from g2p_entitlement_tracking.benefits_core.money import NBSP, ZWNBSP


@pytest.mark.parametrize(
    ("digits", "counts", "separator", "expected"),
    [
        ("1234567", (3, 0), ",", "1,234,567"),
        ("123", (3, 0), ",", "123"),
        ("", (3, 0), ",", ""),
        ("123456789", (3, 2, 0), ",", "12,34,56,789"),  # Indian grouping
        ("123456789", (3, 2, -1), ",", "1234,56,789"),
        ("123456789", (3,), ",", "123456,789"),
        ("123456789", (), ",", "123456789"),
        ("1234567", (3, 0), "", "1234567"),
    ],
)
def test_group_digits_like_odoo_intersperse(digits, counts, separator, expected):
    assert group_digits(digits, counts, separator) == expected


def test_english_dollars_before():
    style = MoneyStyle((3, 0), ",", ".")
    assert style.format(1234567.5, 2, "$", True) == f"${NBSP}1,234,567.50"


def test_french_shillings_after_with_spaces():
    style = MoneyStyle((3, 0), "\N{NARROW NO-BREAK SPACE}", ",")
    assert (
        style.format(1500, 2, "KSh", False)
        == f"1\N{NARROW NO-BREAK SPACE}500,00{NBSP}KSh"
    )


def test_plain_space_separator_becomes_no_break():
    style = MoneyStyle((3, 0), " ", ",")
    assert style.number(1234.5, 2) == f"1{NBSP}234,50"


def test_negative_amount_keeps_its_sign_attached():
    style = MoneyStyle((3, 0), ",", ".")
    assert style.number(-1234.5, 2) == f"-{ZWNBSP}1,234.50"


def test_no_decimals():
    style = MoneyStyle((3, 0), ",", ".")
    assert style.format(1500, 0, "¥", True) == f"¥{NBSP}1,500"
