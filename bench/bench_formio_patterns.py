#!/usr/bin/env python3
"""Benchmark: ``validate.pattern`` on hostile answers (issue #16, point 4).

A backtracking engine (Python's ``re``, JavaScript's) needs 1.3 s for
``((\\w+)\\s?)+`` on 24 characters and four times more for each two more.
The server runs patterns on RE2 (``formio_core.js_regex``); this prints the
time of each pattern of the issue on a 100,000-character answer that makes
it fail at the last character, then of the largest patterns the server
accepts on the most costly answer they may be asked to check (random
``a``/``b``, as long as their answer cap allows), through
``validate_submission``. Each median must stay within 50 ms.

    python3 bench/bench_formio_patterns.py [--runs 5] [--backtracking]

``--backtracking`` also times Python's ``re`` on 22 characters, for
comparison (a few seconds).
"""

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from repo import register_bare_addon_packages  # noqa: E402

register_bare_addon_packages()

from g2p_portal_forms.formio_core import validate_submission  # noqa: E402
from g2p_portal_forms.formio_core.js_regex import compile_js_pattern  # noqa: E402
from g2p_portal_forms.formio_core.limits import MAX_PATTERN_POSITIONS  # noqa: E402

TARGET_MS = 50.0
LENGTH = 100_000

# (pattern, answers of LENGTH characters): the issue's hostile answer
# (fails at its last character), the same failing in the middle, and one
# that matches (read to its end).
_A = "a" * (LENGTH - 1)
_HALF = "a" * (LENGTH // 2)
ISSUE = [
    (r"((\w+)\s?)+", (_A + "!", _HALF + "!" + _HALF[1:], _A + "a"), False),
    (r"(([a-z]+)[ -]?)+", (_A + "!", _HALF + "!" + _HALF[1:], _A + "a"), False),
    (r"(a|a)+", (_A + "!", _HALF + "!" + _HALF[1:], _A + "a"), False),
    (r"((a+))+", (_A + "!", _HALF + "!" + _HALF[1:], _A + "a"), False),
    (r"\d*\d*\d*x", ("1" * LENGTH, "1" * (LENGTH - 1) + "x"), True),
]

_REST = MAX_PATTERN_POSITIONS - 12
# Accepted patterns whose automaton cannot stay small (RE2 then steps
# through every position for every character): the worst case left.
LARGEST = [
    f"[^x]*a[^x]{{{MAX_PATTERN_POSITIONS - 2}}}",
    f"x|.*a.{{{MAX_PATTERN_POSITIONS - 5}}}c|y",
    f"x|\\S*a\\S{{{MAX_PATTERN_POSITIONS - 5}}}c|y",
    "x|" + "|".join(f"{a}.{{{_REST // 4}}}{b}" for a, b in ("ac", "bd", "ae", "bf")),
]


def measure(function, runs):
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def line(label, median, worst):
    verdict = "PASS" if median <= TARGET_MS else "FAIL"
    print(f"  {label:<46} {median:8.2f} ms  (max {worst:7.2f})  {verdict}")
    return median <= TARGET_MS


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backtracking", action="store_true")
    args = parser.parse_args(argv)
    ok = True

    print(f"Patterns of the issue, on {LENGTH:,}-character answers (RE2)")
    for pattern, answers, _digits in ISSUE:
        compiled = compile_js_pattern(pattern)
        assert [compiled.test(a) for a in answers][-1] is True
        median, worst = measure(
            lambda c=compiled, a=answers: [c.test(x) for x in a], args.runs
        )
        ok &= line(f"{pattern} ({len(answers)} answers)", median, worst)

    print("The hostile answers through validate_submission (answer cap first)")
    for pattern, (answer, *_others), _digits in ISSUE:
        schema = {
            "components": [
                {"type": "textarea", "key": "t", "validate": {"pattern": pattern}}
            ]
        }
        result = validate_submission(schema, {"t": answer})
        assert result.codes() == {"t": ["pattern_length"]}, result.codes()
        median, worst = measure(
            lambda s=schema, a=answer: validate_submission(s, {"t": a}), args.runs
        )
        ok &= line(pattern, median, worst)

    print("Largest accepted patterns, on the longest answer they check")
    rng = random.Random(16)
    for pattern in LARGEST:
        compiled = compile_js_pattern(pattern)
        cap = compiled.max_answer_length
        answer = "".join(rng.choice("ab") for _ in range(cap))
        schema = {
            "components": [
                {"type": "textarea", "key": "t", "validate": {"pattern": pattern}}
            ]
        }
        validate_submission(schema, {"t": answer})  # compiled once, as a server
        median, worst = measure(
            lambda s=schema, a=answer: validate_submission(s, {"t": a}), args.runs
        )
        label = f"{pattern[:22]}… ({compiled.positions} pos., {cap:,} ch.)"
        ok &= line(label, median, worst)

    if args.backtracking:
        print("For comparison: Python's re (backtracking) on 22 characters")
        for pattern, _answers, _digits in ISSUE[:4]:
            compiled = re.compile(f"^(?:{pattern})\\Z")
            answer = "a" * 22 + "!"
            median, worst = measure(lambda c=compiled, a=answer: c.match(a), 1)
            print(f"  {pattern:<46} {median:8.2f} ms")

    print("result: " + ("every pattern within target" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
