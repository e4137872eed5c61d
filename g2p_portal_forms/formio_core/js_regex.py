r"""``validate.pattern`` checked as formio.js checks it, in time linear in the answer.

formio.js 4.x (``validator/Validator.js``, rule ``pattern``) runs
``new RegExp("^" + pattern + "$").test(value)``: a JavaScript regular
expression without flags, *searched* (``a|b`` is ``^a|b$``, true for
``"xxb"``), where:

- ``\d``, ``\w``, ``\b`` are ASCII; ``\s`` is JavaScript's white space and
  line terminators (no-break space, ``\u2028``, ``\ufeff`` …);
- ``.`` is any code unit but ``\n``, ``\r``, ``\u2028``, ``\u2029``;
- ``^``/``$`` are the start and end of the value (no ``m`` flag);
- the value is a sequence of UTF-16 code units (no ``u`` flag): an emoji is
  two of them, ``.`` matches each half, ``\uD83D`` names one;
- Annex B of the standard keeps the web's legacy syntax: ``\a`` is ``a``,
  ``]`` and a ``{`` that is no quantifier are literals, ``\1`` without a
  first group is an octal escape, ``\c`` without a letter is a backslash.

Python's ``re`` backtracks: ``((\w+)\s?)+`` takes seconds on 25 characters.
This module translates the JavaScript source into RE2 syntax (google-re2:
automata, no backtracking) with those meanings spelled out (classes as
explicit code-unit ranges, surrogates moved to a private-use plane where
UTF-8 can hold them), and refuses what an automaton cannot run or cannot
run cheaply, with a :class:`PatternRefused` code: ``pattern.lookaround``,
``pattern.backreference``, ``pattern.too_large`` (a repeat count above
1000, more than ``MAX_PATTERN_POSITIONS`` positions, a program above
``MAX_PATTERN_PROGRAM`` instructions), ``pattern.unsupported`` (inline
modifiers), ``pattern.invalid`` (what JavaScript refuses too, with its
reason).

Matching an answer costs at most about (length × positions) steps, a few
nanoseconds each: when RE2's DFA cannot stay small it steps through every
position for every character. Usually the DFA reads each character once.
The answer cap (:attr:`JsPattern.max_answer_length`) keeps the product under
``MAX_PATTERN_WORK``.
"""

import functools
import re
import struct

import re2

from .limits import (
    MAX_PATTERN_ANSWER_LENGTH,
    MAX_PATTERN_LENGTH,
    MAX_PATTERN_POSITIONS,
    MAX_PATTERN_PROGRAM,
    MAX_PATTERN_WORK,
)

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

MAX_REPEAT = 1000  # RE2's largest repeat count
MAX_GROUP_DEPTH = 100  # groups inside groups

_SIMPLE_ESCAPES = {ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13}
_HEX = frozenset(b"0123456789abcdefABCDEF")
_OCTAL = frozenset(b"01234567")
_DECIMAL = frozenset(b"0123456789")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_START = frozenset(b"$_") | _LETTERS
_MODIFIERS_RE = re.compile(r"[imsx]*(?:-[imsx]+)?:")
_REPETITION_ERRORS = ("repetition", "too large", "too deep", "nest")


class PatternRefused(ValueError):
    """``code`` (``pattern.*``, a schema problem code) and its ``params``."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)


def _invalid(reason):
    return PatternRefused("pattern.invalid", reason=reason)


def _too_large(reason):
    return PatternRefused("pattern.too_large", reason=reason)


class JsPattern:
    """A compiled ``validate.pattern``; ``test`` answers as formio.js does.

    ``max_answer_length`` bounds what ``test`` may be asked: a pattern of
    many positions checks shorter answers, so that no answer costs more
    than ``MAX_PATTERN_WORK`` steps.
    """

    __slots__ = ("source", "translated", "positions", "program_size", "_regexp")

    def __init__(self, source, translated, regexp, positions, program_size):
        self.source = source
        self.translated = translated
        self._regexp = regexp
        self.positions = positions
        self.program_size = program_size

    @property
    def max_answer_length(self):
        return min(
            MAX_PATTERN_ANSWER_LENGTH, MAX_PATTERN_WORK // max(self.positions, 1)
        )

    def test(self, text):
        """``new RegExp("^" + source + "$").test(text)``, in linear time."""
        return self._regexp.search(code_units(text)) is not None

    def __repr__(self):
        return f"<JsPattern {self.source!r}>"


def compile_js_pattern(pattern):
    """A :class:`JsPattern`, or raise :class:`PatternRefused`."""
    compiled = _compile(pattern)
    if isinstance(compiled, tuple):  # a refusal: a new exception each time
        code, params = compiled
        raise PatternRefused(code, **dict(params))
    return compiled


@functools.lru_cache(maxsize=512)
def _compile(pattern):
    """A form is compiled on every page and submission: patterns once.

    Returns a :class:`JsPattern` or the refusal's ``(code, params)``.
    """
    try:
        return _compile_uncached(pattern)
    except PatternRefused as refused:
        return refused.code, tuple(refused.params.items())


def _compile_uncached(pattern):
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise _too_large(f"longer than {MAX_PATTERN_LENGTH} characters")
    translated, positions = translate(f"^{pattern}$")
    options = re2.Options()
    options.log_errors = False
    options.never_capture = True
    options.max_mem = 4 << 20
    try:
        regexp = re2.compile(translated, options)
    except re2.error as error:
        text = str(error).lower()
        if any(word in text for word in _REPETITION_ERRORS):
            raise _too_large("too many repeated parts") from None
        raise PatternRefused(  # pragma: no cover - a translation we missed
            "pattern.unsupported", feature="a construct of this pattern"
        ) from None
    # ``_regexp`` is the binding's RE2 object (google-re2 keeps that name
    # since its first release); a test fails if it moves.
    size = regexp._regexp.ProgramSize()
    if size > MAX_PATTERN_PROGRAM:
        raise _too_large("too many repeated parts")
    return JsPattern(pattern, translated, regexp, positions, size)


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


# -- code-unit sets -------------------------------------------------------


def _normalize(ranges):
    merged = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            if high > merged[-1][1]:
                merged[-1] = (merged[-1][0], high)
        else:
            merged.append((low, high))
    return merged


def _complement(ranges):
    result, start = [], 0
    for low, high in _normalize(ranges):
        if low > start:
            result.append((start, low - 1))
        start = high + 1
    if start <= _UNIT_MAX:
        result.append((start, _UNIT_MAX))
    return result


_CLASS_ESCAPES = {
    ord("d"): _DIGIT,
    ord("D"): tuple(_complement(_DIGIT)),
    ord("w"): _WORD,
    ord("W"): tuple(_complement(_WORD)),
    ord("s"): _SPACE,
    ord("S"): tuple(_complement(_SPACE)),
}
_DOT = tuple(_complement(_LINE_TERMINATORS))


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


def _class_re2(ranges):
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


# -- the translator ---------------------------------------------------------


def translate(source):
    """``(RE2 syntax, positions)`` of the JavaScript regular expression
    ``source`` (no flags); positions are the characters it matches once
    repeat counts are unrolled. Raises :class:`PatternRefused`.
    """
    return _Translator(source).run()


def _units(text):
    data = text.encode("utf-16-le", "surrogatepass")
    return struct.unpack(f"<{len(data) // 2}H", data)


def _count_groups(units):
    """(capturing groups, whether one is named): ``\\1`` and ``\\k`` need them."""
    count, named, in_class, index, length = 0, False, False, 0, len(units)
    while index < length:
        unit = units[index]
        if unit == 0x5C:  # backslash
            index += 2
            continue
        if in_class:
            in_class = unit != 0x5D
        elif unit == 0x5B:
            in_class = True
        elif unit == 0x28:
            following = units[index + 1 : index + 4]
            if following[:1] != (0x3F,):
                count += 1
            elif following[1:2] == (0x3C,) and following[2:3] not in ((0x3D,), (0x21,)):
                count += 1
                named = True
        index += 1
    return count, named


class _Translator:
    def __init__(self, source):
        self.units = _units(source)
        self.pos = 0
        self.groups, self.named = _count_groups(self.units)
        self.names = set()
        self.depth = 0

    # reading
    def peek(self, offset=0):
        index = self.pos + offset
        return self.units[index] if index < len(self.units) else -1

    def at(self, char, offset=0):
        return self.peek(offset) == ord(char)

    # Each part returns (RE2 text, positions): the atoms (one character
    # each) of the program once repeat counts are unrolled, as RE2 does.

    def run(self):
        text, positions = self.disjunction()
        if self.pos < len(self.units):
            raise _invalid("unmatched ')'")
        if positions > MAX_PATTERN_POSITIONS:
            raise _too_large(f"more than {MAX_PATTERN_POSITIONS} characters to match")
        return text, positions

    def disjunction(self):
        alternatives = [self.alternative()]
        while self.at("|"):
            self.pos += 1
            alternatives.append(self.alternative())
        return "|".join(t for t, _p in alternatives), sum(p for _t, p in alternatives)

    def alternative(self):
        terms = []
        while self.pos < len(self.units) and not (self.at("|") or self.at(")")):
            terms.append(self.term())
        return "".join(t for t, _p in terms), sum(p for _t, p in terms)

    def term(self):
        unit = self.peek()
        if unit == ord("^"):
            self.pos += 1
            return self.assertion(r"\A")
        if unit == ord("$"):
            self.pos += 1
            return self.assertion(r"\z")
        if unit == 0x5C and self.peek(1) in (ord("b"), ord("B")):
            self.pos += 2
            return self.assertion("\\" + chr(self.units[self.pos - 1]))
        positions = 1
        if unit == ord("("):
            atom, positions = self.group()
        elif unit == ord("."):
            self.pos += 1
            atom = _class_re2(_DOT)
        elif unit == ord("["):
            atom = self.char_class()
        elif unit == 0x5C:
            atom = self.atom_escape()
        elif unit in (ord("*"), ord("+"), ord("?")) or (
            unit == ord("{") and self.braced(self.pos) is not None
        ):
            raise _invalid("nothing to repeat")
        else:  # ``]``, ``}`` and a ``{`` that is no quantifier are literals
            self.pos += 1
            atom = _class_re2([(unit, unit)])
        quantifier, copies = self.quantifier()
        return atom + quantifier, positions * copies

    def assertion(self, text):
        if self.peek() in (ord("*"), ord("+"), ord("?")) or (
            self.at("{") and self.braced(self.pos) is not None
        ):
            raise _invalid("nothing to repeat")
        return text, 0

    def braced(self, start):
        """``(min, max or None, end)`` of ``{n}``, ``{n,}``, ``{n,m}`` at ``start``."""
        units, index = self.units, start + 1

        def number(index):
            begin = index
            while index < len(units) and units[index] in _DECIMAL:
                index += 1
            text = bytes(units[begin:index]).decode() if index > begin else ""
            return (int(text) if text else None), index

        low, index = number(index)
        if low is None:
            return None
        high = low
        if index < len(units) and units[index] == ord(","):
            high, index = number(index + 1)
        if index < len(units) and units[index] == ord("}"):
            return low, high, index + 1
        return None

    def quantifier(self):
        """(RE2 text, copies of the atom RE2 makes); ``("", 1)`` if none."""
        unit = self.peek()
        copies = 1
        if unit in (ord("*"), ord("+"), ord("?")):
            self.pos += 1
            text = chr(unit)
        elif unit == ord("{") and (braced := self.braced(self.pos)) is not None:
            low, high, self.pos = braced
            if high is not None and low > high:
                raise _invalid("numbers out of order in {} quantifier")
            if low > MAX_REPEAT or (high or 0) > MAX_REPEAT:
                raise _too_large(f"a repeat count above {MAX_REPEAT}")
            if high == low:
                text = f"{{{low}}}"
            else:
                text = f"{{{low},{'' if high is None else high}}}"
            copies = max(1, low + 1 if high is None else high)
        else:
            return "", 1
        if self.at("?"):
            self.pos += 1
            text += "?"
        return text, copies

    def group(self):
        self.pos += 1  # (
        if self.at("?"):
            if self.at(":", 1):
                self.pos += 2
            elif self.peek(1) in (ord("="), ord("!")) or (
                self.at("<", 1) and self.peek(2) in (ord("="), ord("!"))
            ):
                raise PatternRefused("pattern.lookaround")
            elif self.at("<", 1):
                self.group_name()
            else:
                rest = bytes(
                    u for u in self.units[self.pos + 1 : self.pos + 12] if u < 128
                )
                if _MODIFIERS_RE.match(rest.decode()):
                    raise PatternRefused(
                        "pattern.unsupported", feature="inline modifiers (?i:…)"
                    )
                raise _invalid("invalid group")
        self.depth += 1
        if self.depth > MAX_GROUP_DEPTH:
            raise _too_large(f"groups nested more than {MAX_GROUP_DEPTH} deep")
        inner, positions = self.disjunction()
        self.depth -= 1
        if not self.at(")"):
            raise _invalid("unterminated group")
        self.pos += 1
        return f"(?:{inner})", positions

    def group_name(self):
        start = self.pos + 2  # after (?<
        end = start
        while end < len(self.units) and self.units[end] != ord(">"):
            end += 1
        name = self.units[start:end]
        if (
            end >= len(self.units)
            or not name
            or not (name[0] in _NAME_START or name[0] >= 0x80)
            or not all(u in _NAME_START or u in _DECIMAL or u >= 0x80 for u in name)
        ):
            raise _invalid("invalid capture group name")
        if name in self.names:
            raise _invalid("duplicate capture group name")
        self.names.add(name)
        self.pos = end + 1

    def octal(self):
        """A legacy octal escape at ``pos`` (``\\0``, ``\\12``, ``\\377``)."""
        units = self.units
        first = units[self.pos] - 0x30
        self.pos += 1
        value = first
        if self.peek() in _OCTAL:
            value = value * 8 + self.peek() - 0x30
            self.pos += 1
            if first <= 3 and self.peek() in _OCTAL:
                value = value * 8 + self.peek() - 0x30
                self.pos += 1
        return value

    def hex_escape(self, digits):
        """``\\xHH`` / ``\\uHHHH`` after the letter at ``pos``, or None."""
        chunk = self.units[self.pos + 1 : self.pos + 1 + digits]
        if len(chunk) == digits and all(u in _HEX for u in chunk):
            self.pos += 1 + digits
            return int(bytes(chunk).decode(), 16)
        return None

    def character_escape(self, in_class):
        """The code unit of the escape whose letter is at ``pos``."""
        unit = self.peek()
        if unit in _SIMPLE_ESCAPES:
            self.pos += 1
            return _SIMPLE_ESCAPES[unit]
        if unit in _OCTAL:
            return self.octal()
        if unit == ord("c"):
            letter = self.peek(1)
            if letter in _LETTERS or (
                in_class and (letter in _DECIMAL or letter == 0x5F)
            ):
                self.pos += 2
                return letter % 32
            return 0x5C  # a backslash; the ``c`` is read next
        if unit in (ord("x"), ord("u")):
            value = self.hex_escape(2 if unit == ord("x") else 4)
            if value is not None:
                return value
        self.pos += 1  # identity escape: \a is a, \- is -, \8 is 8
        return unit

    def atom_escape(self):
        self.pos += 1  # backslash
        unit = self.peek()
        if unit < 0:
            raise _invalid("\\ at end of pattern")
        if unit in _CLASS_ESCAPES:
            self.pos += 1
            return _class_re2(_CLASS_ESCAPES[unit])
        if unit in _DECIMAL and unit != ord("0"):
            end = self.pos
            while end < len(self.units) and self.units[end] in _DECIMAL:
                end += 1
            if int(bytes(self.units[self.pos : end]).decode()) <= self.groups:
                raise PatternRefused("pattern.backreference")
        if unit == ord("k") and self.named:
            raise PatternRefused("pattern.backreference")
        value = self.character_escape(in_class=False)
        return _class_re2([(value, value)])

    def class_atom(self):
        """``(low, high)`` of one unit, or a tuple of ranges for ``\\d`` & co."""
        unit = self.peek()
        self.pos += 1
        if unit != 0x5C:
            return unit
        escape = self.peek()
        if escape < 0:
            raise _invalid("\\ at end of pattern")
        if escape == ord("b"):
            self.pos += 1
            return 8
        if escape in _CLASS_ESCAPES:
            self.pos += 1
            return _CLASS_ESCAPES[escape]
        return self.character_escape(in_class=True)

    def char_class(self):
        self.pos += 1  # [
        negate = self.at("^")
        if negate:
            self.pos += 1
        ranges = []
        while True:
            if self.pos >= len(self.units):
                raise _invalid("unterminated character class")
            if self.at("]"):
                self.pos += 1
                break
            first = self.class_atom()
            if self.at("-") and self.pos + 1 < len(self.units) and not self.at("]", 1):
                self.pos += 1
                second = self.class_atom()
                if isinstance(first, int) and isinstance(second, int):
                    if first > second:
                        raise _invalid("range out of order in character class")
                    ranges.append((first, second))
                    continue
                # Annex B: a class escape at an end makes ``-`` a literal.
                ranges.extend(_ranges(first))
                ranges.append((0x2D, 0x2D))
                ranges.extend(_ranges(second))
                continue
            ranges.extend(_ranges(first))
        return _class_re2(_complement(ranges) if negate else ranges)


def _ranges(atom):
    return [(atom, atom)] if isinstance(atom, int) else list(atom)
