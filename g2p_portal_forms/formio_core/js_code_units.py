"""JavaScript's view of text and characters, in RE2's terms.

A JavaScript value without the ``u`` flag is a sequence of UTF-16 code
units; RE2 reads UTF-8, which cannot hold a lone surrogate. Both sides are
mapped alike here: :func:`code_units` rewrites the text matched,
:func:`class_re2` the character sets of the pattern, with surrogates moved
to a private-use plane (U+F0000..U+F07FF). The sets are those of JavaScript
without flags (``\\d``, ``\\w``, ``\\s``, ``.``), as code-unit ranges.
"""

import re
import struct

# UTF-16 code units as RE2 (UTF-8) sees them: surrogates, which UTF-8
# cannot hold, become U+F0000..U+F07FF (a private-use plane).
_UNIT_MAX = 0xFFFF
_SURROGATES = (0xD800, 0xDFFF)
_SURROGATE_BASE = 0xF0000
_ASTRAL_OR_SURROGATE_RE = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")

# Character classes of JavaScript without flags, as code-unit ranges.
_DIGIT = ((0x30, 0x39),)
_WORD = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE = (
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
)
_LINE_TERMINATORS = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))
_NOTHING = r"[^\x00-\x{10FFFF}]"  # an empty class: matches nothing


def code_units(text):
    """``text`` as the UTF-16 code units JavaScript sees, RE2-readable."""
    if text.isascii() or not _ASTRAL_OR_SURROGATE_RE.search(text):
        return text
    return _ASTRAL_OR_SURROGATE_RE.sub(_split_astral, text)


def _split_astral(match):
    point = ord(match.group())
    if point <= _UNIT_MAX:  # a lone surrogate
        return chr(_SURROGATE_BASE + point - _SURROGATES[0])
    point -= 0x10000
    high = _SURROGATE_BASE + (point >> 10)
    low = _SURROGATE_BASE + 0x400 + (point & 0x3FF)
    return chr(high) + chr(low)


# -- code-unit sets ---------------------------------------------------------


def _normalize(ranges):
    merged = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def complement(ranges):
    result, start = [], 0
    for low, high in _normalize(ranges):
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= _UNIT_MAX:
        result.append((start, _UNIT_MAX))
    return result


CLASS_ESCAPES = {
    ord("d"): _DIGIT,
    ord("D"): tuple(complement(_DIGIT)),
    ord("w"): _WORD,
    ord("W"): tuple(complement(_WORD)),
    ord("s"): _SPACE,
    ord("S"): tuple(complement(_SPACE)),
}
DOT = tuple(complement(_LINE_TERMINATORS))


def _re2_ranges(ranges):
    """Code-unit ranges as RE2 ranges over the text :func:`code_units` gives.

    That text holds no surrogate code point and no astral one but the
    mapped surrogates, so those are free to add where it keeps RE2's
    program small: a class with every surrogate takes the whole astral
    planes, and ranges join across the surrogate block.
    """
    first, last = _SURROGATES
    bmp, mapped = [], []
    for low, high in _normalize(ranges):
        if low < first:
            bmp.append((low, min(high, first - 1)))
        if high > last:
            bmp.append((max(low, last + 1), high))
        if high >= first and low <= last:
            mapped.append((max(low, first), min(high, last)))
    joined = []
    for low, high in bmp:
        if joined and joined[-1][1] == first - 1 and low == last + 1:
            joined[-1] = (joined[-1][0], high)
        else:
            joined.append((low, high))
    if mapped == [(first, last)]:
        if joined and joined[-1][1] == _UNIT_MAX:
            joined[-1] = (joined[-1][0], 0x10FFFF)
        else:
            joined.append((0x10000, 0x10FFFF))
    else:
        offset = _SURROGATE_BASE - first
        joined.extend((low + offset, high + offset) for low, high in mapped)
    return joined


def _unit_re2(unit):
    if unit < 0x80 and chr(unit).isalnum():
        return chr(unit)
    return f"\\x{{{unit:X}}}"


def class_re2(ranges):
    """RE2 for a set of code units: one unit bare, several as a class."""
    parts = [
        _unit_re2(low) if low == high else f"{_unit_re2(low)}-{_unit_re2(high)}"
        for low, high in _re2_ranges(ranges)
    ]
    if not parts:
        return _NOTHING
    if len(parts) == 1 and "-" not in parts[0]:
        return parts[0]
    return "[" + "".join(parts) + "]"


def utf16_units(text):
    """The code units of a pattern's source, as numbers."""
    data = text.encode("utf-16-le", "surrogatepass")
    return struct.unpack(f"<{len(data) // 2}H", data)
