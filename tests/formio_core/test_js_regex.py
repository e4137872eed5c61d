"""``validate.pattern`` as formio.js runs it, on RE2: parity, refusals, hostility.

formio.js 4.x tests ``new RegExp("^" + pattern + "$").test(value)``. The
expected results below are JavaScript's; where Node.js is installed, the
tests ask it too, on the table and on patterns drawn at random.
"""

import json
import random
import shutil
import subprocess

import pytest

from g2p_portal_forms.formio_core import validate_submission
from g2p_portal_forms.formio_core.errors import PROBLEMS
from g2p_portal_forms.formio_core.js_regex import (
    JsPattern,
    PatternRefused,
    code_units,
    compile_js_pattern,
)
from g2p_portal_forms.formio_core.limits import (
    MAX_PATTERN_ANSWER_LENGTH,
    MAX_PATTERN_POSITIONS,
    MAX_PATTERN_WORK,
)

from .conftest import component, form

EMOJI = "\U0001f600"  # two UTF-16 code units: \uD83D\uDE00

# (pattern, value, what JavaScript answers)
PARITY = [
    # anchoring: ^ + pattern + $, searched, not grouped
    ("[0-9]{3}", "123", True),
    ("[0-9]{3}", "1234", False),
    ("a|b", "a-anything", True),
    ("a|b", "xyz-b", True),
    ("a|b", "xyz-c", False),
    ("abc", "abc\n", False),  # $ is the very end (Python's $ is not)
    ("abc\\n?", "abc\n", True),
    ("^abc$", "abc", True),  # the builder's own anchors are harmless
    # classes are ASCII, \s is JavaScript's white space
    ("\\d+", "١٢٣", False),
    ("\\w+", "é", False),
    ("\\w+", "a_Z9", True),
    ("\\s", "\u00a0", True),
    ("\\s", "\u2028", True),
    ("\\s", "\ufeff", True),
    ("\\s", "\u0085", False),
    ("\\S", "\u00a0", False),
    ("[^\\s]", "\u3000", False),
    ("a\\bé", "aé", True),  # é is no word character
    ("a\\Bb", "ab", True),
    (".", "\r", False),
    (".", "\u2028", False),
    (".", "\u0085", True),
    ("[^]", "\n", True),
    ("[]", "", False),
    ("[]?", "", True),
    ("[\\s\\S]+", "a\nb", True),
    # code units: an emoji is two
    (".", EMOJI, False),
    (".{2}", EMOJI, True),
    ("[^a]{2}", EMOJI, True),
    (f"[{EMOJI}]", EMOJI, False),
    (f"[{EMOJI}]{{2}}", EMOJI, True),
    (EMOJI, EMOJI, True),
    ("\\uD83D\\uDE00", EMOJI, True),
    ("[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]", EMOJI, True),
    ("[\\uD800-\\uDBFF]", EMOJI, False),
    ("é+", "éé", True),
    ("[À-ÿ]+", "Zoé", False),
    ("[A-Za-zÀ-ÿ ]+", "Adèle Zoé", True),
    # the web's legacy syntax (Annex B)
    ("\\a", "a", True),
    ("\\p{L}", "p{L}", True),
    ("a{", "a{", True),
    ("a{,2}", "a{,2}", True),
    ("x]", "x]", True),
    ("a}", "a}", True),
    ("\\1", "\x01", True),
    ("\\8", "8", True),
    ("\\12", "\n", True),
    ("\\0", "\x00", True),
    ("\\c", "\\c", True),
    ("\\cJ", "\n", True),
    ("[\\c_]", "\x1f", True),
    ("[\\b]", "\x08", True),
    ("[\\B]", "B", True),
    ("\\x4", "x4", True),
    ("\\x41", "A", True),
    ("\\u41", "u41", True),
    ("\\u0041", "A", True),
    ("\\u{41}", "u" * 41, True),
    ("\\k", "k", True),
    ("\\/", "/", True),
    ("[\\d-z]", "-", True),
    ("[\\d-z]", "y", False),
    ("[a-]", "-", True),
    ("[-a]", "-", True),
    ("[\\-]", "-", True),
    ("[[:alpha:]]", "a]", True),  # no POSIX classes in JavaScript
    ("[[:alpha:]]", "b", False),
    # groups and quantifiers
    ("(?<year>\\d{4})-(\\d\\d)", "2024-05", True),
    ("(?:ab)+", "ababab", True),
    ("a{2,3}?", "aaa", True),
    ("a*?b", "aaab", True),
    ("(a|)+", "", True),
    ("a{0}", "", True),
    ("(\\+254|0)7\\d{8}", "0712345678", True),
    ("(\\+254|0)7\\d{8}", "+254712345678", True),
    ("[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}", "ana@example.org", True),
    ("((\\w+)\\s?)+", "Ama Serwaa Mensah", True),
]

# (pattern, code): what the server refuses, JavaScript may run
REFUSED = [
    ("(?=.*\\d)\\w+", "pattern.lookaround"),
    ("(?!x)\\w+", "pattern.lookaround"),
    ("(?<=a)b", "pattern.lookaround"),
    ("(?<!a)b", "pattern.lookaround"),
    ("(a)\\1", "pattern.backreference"),
    ("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10", "pattern.backreference"),
    ("(?<x>a)\\k<x>", "pattern.backreference"),
    ("a{1001}", "pattern.too_large"),
    ("a{2,5000}", "pattern.too_large"),
    (".{1,501}", "pattern.too_large"),
    ("((a{30}){30})", "pattern.too_large"),
    ("x" * 1001, "pattern.too_large"),
    ("(" * 101 + ")" * 101, "pattern.too_large"),
    ("(?i:a)", "pattern.unsupported"),
    # what JavaScript refuses too
    ("(a", "pattern.invalid"),
    ("a)", "pattern.invalid"),
    ("[a", "pattern.invalid"),
    ("*a", "pattern.invalid"),
    ("a**", "pattern.invalid"),
    ("a{2}{3}", "pattern.invalid"),
    ("{2}", "pattern.invalid"),
    ("^*", "pattern.invalid"),
    ("\\b+", "pattern.invalid"),
    ("[z-a]", "pattern.invalid"),
    ("a{3,2}", "pattern.invalid"),
    ("(?<1x>a)", "pattern.invalid"),
    ("(?<x>a)(?<x>b)", "pattern.invalid"),
    ("(?P<x>a)", "pattern.invalid"),
]


def js_test(pattern, value):
    try:
        return compile_js_pattern(pattern).test(value)
    except PatternRefused as refused:
        return refused.code


@pytest.mark.parametrize(("pattern", "value", "expected"), PARITY)
def test_parity_with_javascript(pattern, value, expected):
    assert js_test(pattern, value) is expected


@pytest.mark.parametrize(("pattern", "code"), REFUSED)
def test_refused_with_a_reason(pattern, code):
    with pytest.raises(PatternRefused) as caught:
        compile_js_pattern(pattern)
    assert caught.value.code == code
    fatal, template = PROBLEMS[code]
    assert fatal
    template.format(**caught.value.params)  # every parameter is given


def test_refusals_reach_the_schema_check_with_their_words():
    schema = form(
        component("textfield", "pin", validate={"pattern": "(?=.*\\d)\\w{4}"}),
        component("textfield", "code", validate={"pattern": "a{2000}"}),
        component("textfield", "ok", validate={"pattern": "((\\w+)\\s?)+"}),
    )
    from g2p_portal_forms.formio_core import check_schema

    found = {p.path: p for p in check_schema(schema)}
    assert set(found) == {"pin", "code"}
    assert found["pin"].code == "pattern.lookaround" and found["pin"].fatal
    assert "Lookahead" in found["pin"].message
    assert found["code"].code == "pattern.too_large"
    assert "repeat count above 1000" in found["code"].message


def test_hostile_answers_are_answered():
    """Seconds to hours with a backtracking engine, Python's or JavaScript's
    (1.3 s for 24 characters on the first; each two more multiply it by 4)."""
    long = 100_000
    cases = [
        ("((\\w+)\\s?)+", "a" * 30 + "!"),
        ("(([a-z]+)[ -]?)+", "a" * 30 + "!"),
        ("(a|a)+", "a" * 30 + "!"),
        ("((a+))+", "a" * 30 + "!"),
        ("((\\w+)\\s?)+", "a" * long + "!"),
        ("(([a-z]+)[ -]?)+", "a" * long + "!"),
        ("(a|a)+", "a" * long + "!"),
        ("((a+))+", "a" * long + "!"),
        ("\\d*\\d*\\d*x", "1" * long),
        ("(.*a){20}", "a" * long + "!"),
    ]
    for pattern, value in cases:
        assert compile_js_pattern(pattern).test(value) is False, pattern


def test_code_units_as_javascript_sees_them():
    assert code_units("abc") == "abc"
    assert code_units("é€") == "é€"
    mapped = code_units(EMOJI)
    assert len(mapped) == 2
    assert all(0xF0000 <= ord(ch) <= 0xF07FF for ch in mapped)
    assert len(code_units("\ud800x")) == 2  # a lone surrogate stays one unit
    assert compile_js_pattern(".x").test("\ud800x")


def test_answer_length_bound_follows_the_pattern_size():
    small = compile_js_pattern("[a-z]+")
    assert small.max_answer_length == MAX_PATTERN_ANSWER_LENGTH
    big = compile_js_pattern(f".{{1,{MAX_PATTERN_POSITIONS}}}")
    assert big.positions == MAX_PATTERN_POSITIONS
    assert big.max_answer_length == MAX_PATTERN_WORK // MAX_PATTERN_POSITIONS


def test_pattern_checked_answer_is_capped_before_matching():
    schema = form(component("textarea", "notes", validate={"pattern": "[^<>]*"}))
    limit = MAX_PATTERN_ANSWER_LENGTH
    assert validate_submission(schema, {"notes": "a" * limit}).is_valid
    result = validate_submission(schema, {"notes": "a" * (limit + 1)})
    assert result.codes() == {"notes": ["pattern_length"]}
    error = result.errors["notes"][0]
    assert error.params == {"max_length": limit}
    assert str(limit) in error.message
    # a field without a pattern keeps the general limit
    plain = form(component("textarea", "notes"))
    assert validate_submission(plain, {"notes": "a" * (limit + 1)}).is_valid


def test_pattern_cap_counts_the_pattern_size():
    schema = form(component("textfield", "t", validate={"pattern": ".{1,400}|x*"}))
    cap = MAX_PATTERN_WORK // 401
    assert validate_submission(schema, {"t": "x" * cap}).is_valid
    result = validate_submission(schema, {"t": "x" * (cap + 1)})
    assert result.codes() == {"t": ["pattern_length"]}


def test_compiled_patterns_are_shared():
    assert compile_js_pattern("[0-9]{4}") is compile_js_pattern("[0-9]{4}")


def test_binding_exposes_the_program_size():
    """``_compile`` reads RE2's program size through google-re2's object."""
    pattern = compile_js_pattern("[0-9]{10}")
    assert isinstance(pattern, JsPattern)
    assert 10 <= pattern.program_size < 100


# -- the same questions to JavaScript itself ---------------------------------

NODE = shutil.which("node")
_NODE_SCRIPT = """
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const out = cases.map(([p, v]) => {
  let re;
  try { re = new RegExp("^" + p + "$"); } catch (e) { return "error"; }
  return re.test(v);
});
process.stdout.write(JSON.stringify(out));
"""


def node_answers(cases):
    done = subprocess.run(
        [NODE, "-e", _NODE_SCRIPT],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


@needs_node
def test_the_table_is_what_javascript_answers():
    cases = [[p, v] for p, v, _expected in PARITY]
    cases += [[p, "a"] for p, _code in REFUSED]
    answers = node_answers(cases)
    assert answers[: len(PARITY)] == [expected for _p, _v, expected in PARITY]
    for (pattern, code), answer in zip(REFUSED, answers[len(PARITY) :], strict=True):
        # what the server refuses as invalid, JavaScript refuses too; the
        # rest JavaScript runs (modifiers: recent browsers, not Node 20)
        if code == "pattern.invalid":
            assert answer == "error", pattern
        elif code != "pattern.unsupported":
            assert answer != "error", pattern


_ATOMS = [
    "a",
    "b",
    "-",
    "é",
    EMOJI,
    ".",
    "\\d",
    "\\w",
    "\\s",
    "\\S",
    "\\W",
    "[ab]",
    "[^a]",
    "[a-c]",
    "[\\s\\S]",
    "[^\\w\\s]",
    "\\u00e9",
    "\\x41",
    "\\t",
    "\\b",
    "^",
    "$",
    "{",
    "]",
    "\\-",
    "[\\d-]",
    "[-\\s]",
]
_QUANTIFIERS = ["", "", "", "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?"]
_VALUE_CHARS = ["a", "b", "c", "A", "1", "_", "-", " ", "\u00a0", "é", EMOJI, "\t"]


def _random_pattern(rng, depth=0):
    parts = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.15 and depth < 2:
            atom = f"({_random_pattern(rng, depth + 1)})"
        elif roll < 0.2 and depth < 2:
            left, right = (_random_pattern(rng, depth + 1) for _ in range(2))
            atom = f"(?:{left}|{right})"
        else:
            atom = rng.choice(_ATOMS)
        parts.append(atom + rng.choice(_QUANTIFIERS))
    pattern = "".join(parts)
    if rng.random() < 0.15:
        pattern += "|" + _random_pattern(rng, depth + 1)
    return pattern


@needs_node
def test_random_patterns_answer_as_javascript():
    rng = random.Random(20240517)
    cases = []
    for _ in range(3000):
        pattern = _random_pattern(rng)
        value = "".join(rng.choice(_VALUE_CHARS) for _ in range(rng.randint(0, 6)))
        cases.append([pattern, value])
    answers = node_answers(cases)
    mismatches = []
    for (pattern, value), answer in zip(cases, answers, strict=True):
        ours = js_test(pattern, value)
        expected = "pattern.invalid" if answer == "error" else answer
        if ours != expected:
            mismatches.append((pattern, value, answer, ours))
    assert not mismatches, mismatches[:10]
