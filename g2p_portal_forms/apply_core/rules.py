"""The rules of applying to a program, in the order a person meets them.

1. Only a registrant applies.
2. The program takes applications: published on the portal, running, a
   form mapped, and ``today`` inside its application window (both ends
   included; a missing end is open).
3. The person's applications that count (applied, in progress, approved):
   - a program that takes one application per person refuses a second;
   - one that takes several refuses more than ``max_open`` at once still
     open (applied or in progress; at least one is always allowed);
   - and a new one before ``min_days_between`` days after the latest.
"""

from dataclasses import dataclass
from datetime import date, timedelta

NOT_REGISTRANT = "applicant.not_registrant"
CLOSED = "program.closed"
EXISTS = "application.exists"
TOO_MANY_OPEN = "application.too_many_open"
TOO_SOON = "application.too_soon"
REFUSAL_CODES = (NOT_REGISTRANT, CLOSED, EXISTS, TOO_MANY_OPEN, TOO_SOON)


@dataclass(frozen=True)
class ProgramTerms:
    """What a program says about applying to it."""

    published: bool
    running: bool
    has_form: bool
    open_from: date | None = None
    open_until: date | None = None
    multiple: bool = False
    max_open: int = 1
    min_days_between: int = 0


@dataclass(frozen=True)
class ApplicantRecord:
    """The person, and their applications to the program that count.

    ``counting``: applied, in progress or approved; ``open``: those of them
    still being decided (applied or in progress); ``last_applied``: the
    date of the latest of them, or None.
    """

    is_registrant: bool
    counting: int = 0
    open: int = 0
    last_applied: date | None = None


@dataclass(frozen=True)
class Refusal:
    """Why the person cannot apply: a code of REFUSAL_CODES and the values
    its sentence names (``count`` of open applications, ``next_date`` from which
    a new one is taken)."""

    code: str
    count: int = 0
    next_date: date | None = None


def window_open(open_from, open_until, today):
    """Whether ``today`` is inside the window [open_from, open_until]."""
    if open_from and today < open_from:
        return False
    return not (open_until and open_until < today)


def next_application_date(terms, applicant):
    """The first day a new application is taken after the latest one."""
    if terms.min_days_between <= 0 or not applicant.last_applied:
        return None
    return applicant.last_applied + timedelta(days=terms.min_days_between)


def takes_applications(terms, today):
    """Whether the program takes applications on ``today`` (rule 2)."""
    return bool(
        terms.published
        and terms.running
        and terms.has_form
        and window_open(terms.open_from, terms.open_until, today)
    )


def refusal(terms, applicant, today):
    """The Refusal of a new application on ``today``, or None if it may be made."""
    if not applicant.is_registrant:
        return Refusal(NOT_REGISTRANT)
    if not takes_applications(terms, today):
        return Refusal(CLOSED)
    if applicant.counting <= 0:
        return None
    if not terms.multiple:
        return Refusal(EXISTS)
    if applicant.open >= max(terms.max_open or 0, 1):
        return Refusal(TOO_MANY_OPEN, count=applicant.open)
    next_date = next_application_date(terms, applicant)
    if next_date and today < next_date:
        return Refusal(TOO_SOON, next_date=next_date)
    return None
