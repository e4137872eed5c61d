"""A JavaScript regular expression (no flags) translated into RE2 syntax.

Annex B's legacy syntax included; what an automaton cannot run, or not
cheaply, is refused with a :class:`PatternRefused` code (see ``js_regex``).
"""

import re

from .js_code_units import CLASS_ESCAPES, DOT, class_re2, complement, utf16_units
from .limits import MAX_PATTERN_POSITIONS

MAX_REPEAT = 1000  # RE2's largest repeat count
MAX_GROUP_DEPTH = 100  # groups inside groups

_SIMPLE_ESCAPES = {ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13}
_HEX = frozenset(b"0123456789abcdefABCDEF")
_OCTAL = frozenset(b"01234567")
_DECIMAL = frozenset(b"0123456789")
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NAME_START = frozenset(b"$_") | _LETTERS
_MODIFIERS_RE = re.compile(r"[imsx]*(?:-[imsx]+)?:")


class PatternRefused(ValueError):
    """``code`` (``pattern.*``, a schema problem code) and its ``params``."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)


def _invalid(reason):
    return PatternRefused("pattern.invalid", reason=reason)


def too_large(reason):
    return PatternRefused("pattern.too_large", reason=reason)


def translate(source):
    """``(RE2 syntax, positions)`` of the JavaScript regular expression
    ``source`` (no flags); positions are the characters it matches once
    repeat counts are unrolled. Raises :class:`PatternRefused`.
    """
    return _Translator(source).run()


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
        self.units = utf16_units(source)
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
            raise too_large(f"more than {MAX_PATTERN_POSITIONS} characters to match")
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
            atom = class_re2(DOT)
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
            atom = class_re2([(unit, unit)])
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
                raise too_large(f"a repeat count above {MAX_REPEAT}")
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
            raise too_large(f"groups nested more than {MAX_GROUP_DEPTH} deep")
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
        if unit in CLASS_ESCAPES:
            self.pos += 1
            return class_re2(CLASS_ESCAPES[unit])
        if unit in _DECIMAL and unit != ord("0"):
            end = self.pos
            while end < len(self.units) and self.units[end] in _DECIMAL:
                end += 1
            if int(bytes(self.units[self.pos : end]).decode()) <= self.groups:
                raise PatternRefused("pattern.backreference")
        if unit == ord("k") and self.named:
            raise PatternRefused("pattern.backreference")
        value = self.character_escape(in_class=False)
        return class_re2([(value, value)])

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
        if escape in CLASS_ESCAPES:
            self.pos += 1
            return CLASS_ESCAPES[escape]
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
        return class_re2(complement(ranges) if negate else ranges)


def _ranges(atom):
    return [(atom, atom)] if isinstance(atom, int) else list(atom)
