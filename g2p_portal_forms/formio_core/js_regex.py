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

The translation is in ``js_translate``, the UTF-16 mapping shared by the
text and the pattern's classes in ``js_code_units``.
"""

import functools

import re2

from .js_code_units import code_units
from .js_translate import PatternRefused, too_large, translate
from .limits import (
    MAX_PATTERN_ANSWER_LENGTH,
    MAX_PATTERN_LENGTH,
    MAX_PATTERN_PROGRAM,
    MAX_PATTERN_WORK,
)

__all__ = ["JsPattern", "PatternRefused", "code_units", "compile_js_pattern"]

_REPETITION_ERRORS = ("repetition", "too large", "too deep", "nest")


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
        raise too_large(f"longer than {MAX_PATTERN_LENGTH} characters")
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
            raise too_large("too many repeated parts") from None
        raise PatternRefused(  # pragma: no cover - a translation we missed
            "pattern.unsupported", feature="a construct of this pattern"
        ) from None
    # ``_regexp`` is the binding's RE2 object (google-re2 keeps that name
    # since its first release); a test fails if it moves.
    size = regexp._regexp.ProgramSize()
    if size > MAX_PATTERN_PROGRAM:
        raise too_large("too many repeated parts")
    return JsPattern(pattern, translated, regexp, positions, size)
