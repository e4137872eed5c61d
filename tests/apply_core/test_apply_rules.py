"""Whether a person can apply now (g2p_portal_forms.apply_core)."""

import ast
import datetime
from pathlib import Path

import pytest

from g2p_portal_forms import apply_core
from g2p_portal_forms.apply_core import (
    CLOSED,
    EXISTS,
    NOT_REGISTRANT,
    TOO_MANY_OPEN,
    TOO_SOON,
    ApplicantRecord,
    ProgramTerms,
    Refusal,
    next_application_date,
    refusal,
    window_open,
)

TODAY = datetime.date(2026, 12, 6)
DAY = datetime.timedelta(days=1)
OPEN = ProgramTerms(published=True, running=True, has_form=True)
SEVERAL = ProgramTerms(
    published=True, running=True, has_form=True, multiple=True, max_open=2
)
NEWCOMER = ApplicantRecord(is_registrant=True)


def test_a_registrant_without_applications_applies_to_an_open_program():
    assert refusal(OPEN, NEWCOMER, TODAY) is None


def test_only_registrants_apply_even_to_an_open_program():
    assert refusal(OPEN, ApplicantRecord(is_registrant=False), TODAY) == Refusal(
        NOT_REGISTRANT
    )
    closed = ProgramTerms(published=False, running=True, has_form=True)
    # The first rule a person meets is the one they read.
    assert refusal(closed, ApplicantRecord(False), TODAY).code == NOT_REGISTRANT


@pytest.mark.parametrize(
    "terms",
    [
        ProgramTerms(published=False, running=True, has_form=True),
        ProgramTerms(published=True, running=False, has_form=True),
        ProgramTerms(published=True, running=True, has_form=False),
        ProgramTerms(
            published=True, running=True, has_form=True, open_from=TODAY + DAY
        ),
        ProgramTerms(
            published=True, running=True, has_form=True, open_until=TODAY - DAY
        ),
    ],
    ids=["unpublished", "not running", "no form", "not yet open", "closed"],
)
def test_a_program_not_taking_applications_refuses(terms):
    assert refusal(terms, NEWCOMER, TODAY) == Refusal(CLOSED)


@pytest.mark.parametrize(
    ("open_from", "open_until", "expected"),
    [
        (None, None, True),
        (TODAY, None, True),
        (None, TODAY, True),
        (TODAY, TODAY, True),
        (TODAY - DAY, TODAY + DAY, True),
        (TODAY + DAY, None, False),
        (None, TODAY - DAY, False),
        (TODAY + DAY, TODAY - DAY, False),
    ],
)
def test_the_window_includes_both_ends(open_from, open_until, expected):
    assert window_open(open_from, open_until, TODAY) is expected
    terms = ProgramTerms(True, True, True, open_from=open_from, open_until=open_until)
    assert (refusal(terms, NEWCOMER, TODAY) is None) is expected


def test_one_application_per_person_by_default():
    applied = ApplicantRecord(True, counting=1, open=0, last_applied=TODAY - 400 * DAY)
    assert refusal(OPEN, applied, TODAY) == Refusal(EXISTS)


def test_decided_applications_that_do_not_count_leave_the_way_open():
    # Rejected or withdrawn applications are not counted by the caller.
    assert refusal(OPEN, ApplicantRecord(True, counting=0), TODAY) is None


def test_several_applications_up_to_the_open_limit():
    one_open = ApplicantRecord(True, counting=1, open=1, last_applied=TODAY)
    two_open = ApplicantRecord(True, counting=2, open=2, last_applied=TODAY)
    assert refusal(SEVERAL, one_open, TODAY) is None
    assert refusal(SEVERAL, two_open, TODAY) == Refusal(TOO_MANY_OPEN, count=2)


@pytest.mark.parametrize("max_open", [0, -3, 1])
def test_at_least_one_open_application_is_always_allowed(max_open):
    terms = ProgramTerms(True, True, True, multiple=True, max_open=max_open)
    assert refusal(terms, ApplicantRecord(True, counting=1, open=0), TODAY) is None
    assert refusal(terms, ApplicantRecord(True, counting=1, open=1), TODAY) == Refusal(
        TOO_MANY_OPEN, count=1
    )


def test_approved_applications_count_but_are_not_open():
    approved = ApplicantRecord(True, counting=5, open=1, last_applied=TODAY - DAY)
    assert refusal(SEVERAL, approved, TODAY) is None


def test_minimum_days_between_applications():
    terms = ProgramTerms(
        True, True, True, multiple=True, max_open=3, min_days_between=30
    )
    for days_ago, expected in ((0, False), (29, False), (30, True), (31, True)):
        applicant = ApplicantRecord(
            True, counting=1, open=1, last_applied=TODAY - days_ago * DAY
        )
        decision = refusal(terms, applicant, TODAY)
        if expected:
            assert decision is None, days_ago
        else:
            assert decision == Refusal(
                TOO_SOON, next_date=TODAY + (30 - days_ago) * DAY
            ), days_ago


def test_the_open_limit_is_met_before_the_minimum_days():
    terms = ProgramTerms(
        True, True, True, multiple=True, max_open=1, min_days_between=30
    )
    applicant = ApplicantRecord(True, counting=1, open=1, last_applied=TODAY)
    assert refusal(terms, applicant, TODAY).code == TOO_MANY_OPEN


def test_next_application_date():
    terms = ProgramTerms(True, True, True, multiple=True, min_days_between=7)
    assert next_application_date(terms, NEWCOMER) is None
    applicant = ApplicantRecord(True, counting=1, last_applied=TODAY)
    assert next_application_date(terms, applicant) == TODAY + 7 * DAY
    assert next_application_date(SEVERAL, applicant) is None


def test_every_refusal_has_a_code_and_words():
    assert set(apply_core.REFUSAL_CODES) == {
        NOT_REGISTRANT,
        CLOSED,
        EXISTS,
        TOO_MANY_OPEN,
        TOO_SOON,
    }
    # The words live once, in the addon's messages table, for every code.
    messages = Path(apply_core.__file__).resolve().parent.parent / "apply_messages.py"
    tree = ast.parse(messages.read_text())
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == "REFUSALS" for t in node.targets)
    )
    keys = {key.attr for key in table.keys}
    assert keys == {
        "NOT_REGISTRANT",
        "CLOSED",
        "EXISTS",
        "TOO_MANY_OPEN",
        "TOO_SOON",
    }


def test_public_api_exported():
    for name in apply_core.__all__:
        assert hasattr(apply_core, name), name
