"""Whether a person can apply to a program now: plain Python, no Odoo.

One decision that every page asks (the apply page, the program list, the
dashboard, the officer's page): the program's terms and the person's
applications to it in, a refusal code (or None) out. The words of each
refusal live in ``g2p_portal_forms/apply_messages.py``.
"""

from .rules import (
    CLOSED,
    EXISTS,
    NOT_REGISTRANT,
    REFUSAL_CODES,
    TOO_MANY_OPEN,
    TOO_SOON,
    ApplicantRecord,
    ProgramTerms,
    Refusal,
    next_application_date,
    refusal,
    takes_applications,
    window_open,
)

__all__ = [
    "CLOSED",
    "EXISTS",
    "NOT_REGISTRANT",
    "REFUSAL_CODES",
    "TOO_MANY_OPEN",
    "TOO_SOON",
    "ApplicantRecord",
    "ProgramTerms",
    "Refusal",
    "next_application_date",
    "refusal",
    "takes_applications",
    "window_open",
]
