"""Wall-clock time of the login flow, in one place so that tests can patch it."""

import time


def now():
    """Seconds since the epoch (the core takes ``now`` as a plain number)."""
    return time.time()
