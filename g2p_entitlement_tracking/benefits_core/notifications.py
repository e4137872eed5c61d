"""Which state changes a registrant is told about, and the key of each.

A notification is identified by its *key*: the record, the event and the
state reached. The database keeps one notification per key, so a state
change seen twice (a retried transaction, two workers) or a job run twice
still tells the person once.
"""

from .states import APPROVED, PAID, entitlement_phase

APPLICATION = "application"
ENTITLEMENT = "entitlement"

# Entitlement phases a registrant is told about.
ENTITLEMENT_EVENTS = {APPROVED: "entitlement_approved", PAID: "entitlement_paid"}


def application_event(old_state, new_state):
    """The event of an application's state change, or None."""
    if not new_state or old_state == new_state:
        return None
    return "application_state"


def entitlement_event(old_state, new_state):
    """The event of an entitlement's state change, or None."""
    if not new_state or old_state == new_state:
        return None
    old_phase = entitlement_phase(old_state) if old_state else None
    new_phase = entitlement_phase(new_state)
    if old_phase == new_phase:
        return None
    return ENTITLEMENT_EVENTS.get(new_phase)


def notification_key(kind, record_id, event, state):
    """The unique key of one notification."""
    return f"{kind}:{int(record_id)}:{event}:{state}"
