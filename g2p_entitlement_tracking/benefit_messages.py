"""What a registrant reads for each phase of a benefit, in their language.

The benefits core gives codes; the words live here once, inside ``_lt(…)``
so that Odoo's translation export finds them.
"""

from odoo.tools.translate import _lt

from .benefits_core import states as s

PHASE_LABELS = {
    s.REVIEW: _lt("Being reviewed"),
    s.APPROVED: _lt("Approved"),
    s.TRANSFERRED: _lt("Sent for payment"),
    s.PAID: _lt("Paid"),
    s.REJECTED: _lt("Not granted"),
    s.CANCELLED: _lt("Cancelled"),
    s.EXPIRED: _lt("Expired"),
}

# What each phase means for the person, shown under the benefit.
PHASE_HELP = {
    s.REVIEW: _lt("The program is checking this benefit."),
    s.APPROVED: _lt("Granted: the payment will be prepared."),
    s.TRANSFERRED: _lt("The payment is on its way through the payment provider."),
    s.PAID: _lt("You received this benefit."),
    s.REJECTED: _lt("This benefit was not granted."),
    s.CANCELLED: _lt("This benefit was cancelled."),
    s.EXPIRED: _lt("This benefit was not collected in time and expired."),
}

REJECTION_LABELS = {
    "declined": _lt("You declined this benefit."),
    "no_account": _lt("The account to pay it into does not exist."),
    "other": _lt("It was rejected for another reason; contact the program."),
}

PAYMENT_LABELS = {
    s.PAYMENT_PENDING: _lt("Being prepared"),
    s.PAYMENT_SENT: _lt("Sent"),
    s.PAYMENT_PAID: _lt("Paid"),
    s.PAYMENT_FAILED: _lt("Failed"),
}


def label(labels, code):
    """The sentence of ``code`` in the person's language ('' if unknown)."""
    entry = labels.get(code)
    return str(entry) if entry else ""
