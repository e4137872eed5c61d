"""Reading the posted answers: JSON text from the internet, bounded first.

``json.loads`` recurses once per nested array or object: ``"[" * 200000``
exhausts the interpreter's stack (``RecursionError``) long before any size
limit bites. So the nesting is measured on the text itself, in one pass that
skips the strings, and the text is parsed only when it is shallow enough.
"""

import json
import re
from itertools import accumulate

from .errors import TOO_DEEP, TOO_LARGE, UNREADABLE, SubmissionUnreadable
from .limits import MAX_DATA_DEPTH, MAX_SUBMISSION_CHARS

# Between strings only brackets matter; a string is skipped whole. The
# rest of a string after its opening quote, escapes included, is matched
# without backtracking: linear in its length.
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STRING_REST = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth(text, limit):
    """How deeply arrays and objects nest in JSON ``text`` (at least, once
    past ``limit``). Strings are skipped; at an unterminated one (the text is
    not JSON) the depth reached so far is returned."""
    depth = deepest = 0
    position, length = 0, len(text)
    while position < length:
        quote = text.find('"', position)
        brackets = _NOT_BRACKET.sub("", text[position : length if quote < 0 else quote])
        if brackets:
            levels = list(accumulate(map(_STEP.__getitem__, brackets), initial=depth))
            deepest, depth = max(deepest, *levels), levels[-1]
            if deepest > limit:
                break
        if quote < 0:
            break
        rest = _STRING_REST.match(text, quote + 1)
        if rest is None:
            break
        position = rest.end()
    return deepest


def read_submission(text, *, max_chars=MAX_SUBMISSION_CHARS):
    """The ``data`` object of a posted submission (``{"data": {…}}`` or the
    object itself). Raises :class:`SubmissionUnreadable` (``too_large``,
    ``too_deep`` or ``unreadable``); the error never holds the text.
    """
    if not isinstance(text, str):
        raise SubmissionUnreadable(UNREADABLE)
    if len(text) > max_chars:
        raise SubmissionUnreadable(TOO_LARGE, f"{len(text)} characters")
    # One level more for the {"data": …} envelope; the validator then
    # bounds the answers themselves (MAX_DATA_DEPTH).
    limit = MAX_DATA_DEPTH + 1
    if json_depth(text, limit) > limit:
        raise SubmissionUnreadable(TOO_DEEP, f"nested deeper than {limit}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise SubmissionUnreadable(UNREADABLE, "not JSON") from None
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if not isinstance(data, dict):
        raise SubmissionUnreadable(UNREADABLE, "not an object")
    return data
