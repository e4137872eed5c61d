"""Wall-clock time of the login flow, read in one place."""

import time


def now():
    """Seconds since the epoch (the core takes ``now`` as a plain number)."""
    return time.time()
