"""Amounts written the way Odoo's ``format_amount`` writes them, fast.

Odoo's ``format_amount`` looks the language up and parses its grouping
again for every amount; a list of benefits writes dozens. ``MoneyStyle``
holds a language's separators once and ``format`` gives, for an amount
already rounded to the currency, the same text as ``format_amount``.
"""

from dataclasses import dataclass

NBSP = "\N{NO-BREAK SPACE}"
ZWNBSP = "\N{ZERO WIDTH NO-BREAK SPACE}"


def group_digits(digits, counts, separator):
    """``digits`` grouped from the right as Odoo's ``intersperse`` does:
    ``counts`` are the group sizes from the right, 0 repeats the last size
    to the end, -1 leaves the rest ungrouped."""
    rest = digits[::-1]
    groups = []
    last = len(rest)
    for count in counts:
        if not rest or count == -1:
            break
        if count == 0:
            while rest:
                groups.append(rest[:last])
                rest = rest[last:]
            break
        groups.append(rest[:count])
        rest = rest[count:]
        last = count
    if rest:
        groups.append(rest)
    return separator.join(group[::-1] for group in reversed(groups))


@dataclass(frozen=True)
class MoneyStyle:
    grouping: tuple
    thousands_sep: str
    decimal_point: str

    def number(self, value, decimals):
        text = f"{value:.{decimals}f}"
        sign = ""
        if text.startswith("-"):
            sign, text = "-", text[1:]
        whole, _dot, fraction = text.partition(".")
        whole = group_digits(whole, self.grouping, self.thousands_sep)
        text = sign + (self.decimal_point.join((whole, fraction)) if _dot else whole)
        return text.replace(" ", NBSP).replace("-", "-" + ZWNBSP)

    def format(self, value, decimals, symbol, before):
        amount = self.number(value, decimals)
        if before:
            return f"{symbol or ''}{NBSP}{amount}"
        return f"{amount}{NBSP}{symbol or ''}"
