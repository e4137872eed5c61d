"""How the benefits pages write amounts, dates and labels, in the person's
language: as Odoo's ``format_amount`` and QWeb ``date`` widget write them,
with the language's settings read once per page (a list writes dozens)."""

import ast
import datetime

import babel.dates

from odoo import fields
from odoo.tools import float_round
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

from .benefit_messages import label
from .benefits_core import MoneyStyle


class Money:
    """Amounts in the request's language, as ``format_amount`` writes them,
    with the language's separators read once (a list writes dozens)."""

    def __init__(self, env):
        lang = get_lang(env)
        self.style = MoneyStyle(
            tuple(ast.literal_eval(lang.grouping or "[]")),
            lang.thousands_sep or "",
            lang.decimal_point or ".",
        )
        self._currencies = {}

    def __call__(self, amount, currency):
        known = self._currencies.get(currency.id)
        if known is None:
            known = self._currencies[currency.id] = (
                currency.rounding,
                currency.decimal_places,
                currency.symbol,
                currency.position == "before",
            )
        rounding, decimals, symbol, before = known
        value = float_round(amount or 0.0, precision_rounding=rounding)
        return self.style.format(value, decimals, symbol, before)


class Dates:
    """Dates as the QWeb ``date`` widget writes them, with the language's
    pattern and locale looked up once per page."""

    def __init__(self, env):
        self.env = env
        lang = get_lang(env)
        self.locale = babel_locale_parse(lang.code)
        self.pattern = posix_to_ldml(lang.date_format, locale=self.locale)

    def __call__(self, value):
        if not value:
            return ""
        if isinstance(value, datetime.datetime) and not value.tzinfo:
            value = fields.Datetime.context_timestamp(self.env["res.lang"], value)
        return babel.dates.format_date(value, format=self.pattern, locale=self.locale)


class Labels:
    """``label`` with each sentence translated once per page."""

    def __init__(self):
        self._seen = {}

    def __call__(self, labels, code):
        key = (id(labels), code)
        if key not in self._seen:
            self._seen[key] = label(labels, code)
        return self._seen[key]
