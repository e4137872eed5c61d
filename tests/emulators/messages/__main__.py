"""Run the message sink: ``python3 tests/emulators/messages``.

Run as a directory, this folder is ``sys.path[0]``: it is taken off (its
modules must not shadow top-level ones) and ``tests/`` is put in front, so
that the package is imported as ``emulators.messages``, as in the plain suite.
"""

import sys

if not __package__:
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.path.insert(0, str(here.parents[1]))
    from emulators.messages.cli import main
else:
    from .cli import main

if __name__ == "__main__":
    sys.exit(main())
