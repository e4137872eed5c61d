#!/usr/bin/env python3
"""Benchmark: server-side validation of a 100-component Form.io submission.

Builds a builder-like schema of 100 components (text, numbers, currency,
select, radio, select boxes, dates, day, checkbox, email, phone with mask,
a panel, columns, a data grid of 5 rows, simple and JSONLogic conditions,
some inside the grid rows) and a valid submission, then times
``validate_submission`` with the schema compiled on every call (what a
controller does without a cache) and with a compiled form reused.

Target (issue #7): median at most 10 ms.

    python3 bench/bench_formio_validation.py [--runs 500]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from repo import register_bare_addon_packages  # noqa: E402

register_bare_addon_packages()

from g2p_portal_forms.formio_core import (  # noqa: E402
    compile_form,
    validate_submission,
)

TARGET_MS = 10.0
GRID_ROWS = 5
OPTIONS = [{"label": f"Option {i}", "value": f"opt{i}"} for i in range(8)]


def field(component_type, key, **settings):
    raw = {
        "type": component_type,
        "key": key,
        "label": key,
        "input": True,
        "tableView": True,
        "persistent": True,
        "protected": False,
        "clearOnHide": True,
        "hidden": False,
        "conditional": {"show": None, "when": None, "eq": ""},
        "customConditional": "",
        "validate": {"required": False, "custom": "", "customPrivate": False},
    }
    raw.update(settings)
    return raw


# (type, settings, valid value): cycled through to fill the form
KINDS = [
    ("textfield", {"validate": {"required": True, "maxLength": 50}}, "Ama"),
    ("number", {"validate": {"min": 0, "max": 1000}}, 42),
    ("currency", {"currency": "GHS"}, 12.5),
    ("select", {"data": {"values": OPTIONS}, "dataSrc": "values"}, "opt3"),
    ("radio", {"values": OPTIONS}, "opt1"),
    ("selectboxes", {"values": OPTIONS[:3]}, {"opt0": True}),
    ("datetime", {"enableTime": False}, "2024-05-01T00:00:00+00:00"),
    ("checkbox", {}, True),
    ("email", {}, "a@example.org"),
    ("phoneNumber", {"inputMask": "(999) 999-9999"}, "(024) 555-1234"),
    ("textfield", {"validate": {"pattern": "[A-Z]{2}[0-9]{4}"}}, "GH1234"),
    ("day", {}, "12/25/2023"),
]
ROW_LOGIC = {
    "and": [
        {"==": [{"var": "row.relation"}, "opt2"]},
        {">": [{"var": "data.age"}, 10]},
    ]
}


def build(count=100):
    """(schema, data, number of components): ``count`` components, valid data."""
    panel = {"type": "panel", "key": "panel", "title": "Panel", "input": False}
    panel["components"] = []
    columns = {"type": "columns", "key": "columns", "input": False}
    columns["columns"] = [{"components": []}, {"components": []}]
    when_relation = {"show": True, "when": "relation", "eq": "opt2"}
    grid = field(
        "datagrid",
        "household",
        components=[
            field("textfield", "memberName", validate={"required": True}),
            field("select", "relation", data={"values": OPTIONS}, dataSrc="values"),
            field("number", "memberAge", validate={"min": 0, "integer": True}),
            field("textfield", "school", conditional=when_relation),
            field("number", "fees", conditional={"json": ROW_LOGIC}),
        ],
    )
    components = [field("number", "age"), panel, columns, grid]
    data = {"age": 42, "submit": True}
    data["household"] = [
        {
            "memberName": f"Member {i}",
            "relation": "opt2",
            "memberAge": 10 + i,
            "school": "Accra",
            "fees": 5,
        }
        for i in range(GRID_ROWS)
    ]
    total = len(components) + len(grid["components"]) + 1  # + the button
    index = 0
    while total < count:
        component_type, settings, value = KINDS[index % len(KINDS)]
        raw = field(component_type, f"{component_type}{index}", **settings)
        if index % 10 == 5:
            raw["conditional"] = {"show": True, "when": "age", "eq": "42"}
        elif index % 10 == 7:
            raw["conditional"] = {"json": {">=": [{"var": "data.age"}, 18]}}
        target = (components, panel["components"], columns["columns"][index % 2])[
            index % 3
        ]
        target = target["components"] if isinstance(target, dict) else target
        target.append(raw)
        data[raw["key"]] = value
        index += 1
        total += 1
    components.append(field("button", "submit", persistent=False))
    return {"display": "form", "components": components}, data, total


def measure(function, runs):
    function()  # warm up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return (
        statistics.median(samples),
        samples[int(len(samples) * 0.95) - 1],
        samples[-1],
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args(argv)

    schema, data, count = build()
    result = validate_submission(schema, data)
    if not result.is_valid:
        print("the benchmark submission is not valid:", result.codes())
        return 2
    compiled = compile_form(schema)
    cold = measure(lambda: validate_submission(schema, data), args.runs)
    warm = measure(lambda: validate_submission(compiled, data), args.runs)

    print("Form.io submission validation (validate_submission)")
    print(f"  components:                 {count} ({GRID_ROWS} data grid rows)")
    print(f"  runs:                       {args.runs}")
    for title, (median, p95, worst) in (
        ("schema compiled per call", cold),
        ("compiled form reused", warm),
    ):
        print(f"  {title}:")
        print(
            f"    median:                   {median:.2f} ms  (target <= {TARGET_MS} ms)"
        )
        print(f"    p95:                      {p95:.2f} ms")
        print(f"    max:                      {worst:.2f} ms")
    ok = cold[0] <= TARGET_MS
    print("  result:                     " + ("within target" if ok else "MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
