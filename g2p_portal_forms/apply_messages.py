"""Why a person cannot apply to a program, in their language.

The apply core gives a refusal code; the sentences live here once, inside
``_lt(…)`` so that Odoo's translation export finds them. Parameters are
written ``%(name)s``.
"""

from odoo.tools.translate import _lt

from .apply_core import rules as r

REFUSALS = {
    r.NOT_REGISTRANT: _lt(
        "Only people registered in the social registry can apply to "
        "programs. Please contact the program office to be registered."
    ),
    r.CLOSED: _lt("This program is not open for applications."),
    r.EXISTS: _lt(
        "You have already applied to this program (application "
        "%(application)s). This program takes one application per "
        "person."
    ),
    r.TOO_MANY_OPEN: _lt(
        "You already have %(count)s open application(s) to this "
        "program, the most it allows at once. You can apply again "
        "when one of them is decided."
    ),
    r.TOO_SOON: _lt("This program takes a new application from you from %(date)s on."),
}


def refusal_message(code, **params):
    """The person's-language sentence of refusal ``code``."""
    entry = REFUSALS[code]
    try:
        return str(entry) % params
    except (KeyError, IndexError, TypeError, ValueError):
        # A translation that breaks its placeholders: the English sentence.
        return entry._source % params
