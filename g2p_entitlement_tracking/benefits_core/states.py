"""OpenG2P's entitlement and payment states, as a registrant reads them.

OpenG2P names states for its staff ("trans2FSP", "rejected2"). A registrant
needs to know where their benefit stands and what comes next: each state
maps to one *phase*, the portal's word for it. The phases' sentences live
in the Odoo shell (translatable); here they are codes.
"""

# Phases, in the order a benefit goes through them.
REVIEW = "review"
APPROVED = "approved"
TRANSFERRED = "transferred"
PAID = "paid"
REJECTED = "rejected"
CANCELLED = "cancelled"
EXPIRED = "expired"
PHASES = (REVIEW, APPROVED, TRANSFERRED, PAID, REJECTED, CANCELLED, EXPIRED)

ENTITLEMENT_PHASES = {
    "draft": REVIEW,
    "pending_validation": REVIEW,
    "approved": APPROVED,
    "trans2FSP": TRANSFERRED,
    "rdpd2ben": PAID,
    "rejected1": REJECTED,
    "rejected2": REJECTED,
    "rejected3": REJECTED,
    "cancelled": CANCELLED,
    "expired": EXPIRED,
}

# Why an entitlement was rejected, by state: a reason code the shell words.
REJECTION_REASONS = {
    "rejected1": "declined",
    "rejected2": "no_account",
    "rejected3": "other",
}

# Phases whose amount the person can count on (granted, not yet ended).
GRANTED = (APPROVED, TRANSFERRED, PAID)
# Phases still moving: the person may want to be told what happens next.
OPEN = (REVIEW, APPROVED, TRANSFERRED)

# Payments: OpenG2P's state (issued, sent, reconciled) says where the batch
# is; its status (paid, failed) what happened to the money.
PAYMENT_PENDING = "pending"
PAYMENT_SENT = "sent"
PAYMENT_PAID = "paid"
PAYMENT_FAILED = "failed"


def entitlement_phase(state):
    """The phase of an OpenG2P entitlement state; unknown states are review."""
    return ENTITLEMENT_PHASES.get(state, REVIEW)


def rejection_reason(state):
    """The reason code of a rejected state, or None."""
    return REJECTION_REASONS.get(state)


def payment_phase(state, status):
    """The phase of a payment from OpenG2P's state and status."""
    if status == "paid":
        return PAYMENT_PAID
    if status == "failed":
        return PAYMENT_FAILED
    if state in ("sent", "reconciled"):
        return PAYMENT_SENT
    return PAYMENT_PENDING


def states_of(phases):
    """The OpenG2P states of these phases, for a search domain."""
    wanted = set(phases)
    return sorted(
        state for state, phase in ENTITLEMENT_PHASES.items() if phase in wanted
    )
