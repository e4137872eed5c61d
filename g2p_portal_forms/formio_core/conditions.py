"""Conditional visibility, evaluated on the server as Form.io does in the browser.

Three kinds, in Form.io's order of precedence:

- ``customConditional`` is JavaScript: never executed here. The component is
  treated as always visible and :func:`check_schema` reports it.
- simple conditions: the legacy ``conditional: {show, when, eq}`` and the newer
  ``conditional: {show, conjunction, conditions: [...]}``. ``when`` (or a
  condition's ``component``) names a key; it is resolved once, when the schema
  is compiled, to an :class:`Accessor` (row-relative inside grids). Values are
  compared as JavaScript strings, like ``checkSimpleConditional`` in formio.js.
- JSONLogic (``conditional.json``), evaluated with the ``panzi-json-logic``
  library in the context ``{"data": data, "row": row}``. Form.io shows the
  component when its JSONLogic raises; so do we.

Conditions read the *working* data: values already cleaned, values of
components hidden earlier with ``clearOnHide`` removed, as Form.io's data is
when it evaluates them.
"""

import math

from json_logic import jsonLogic
from json_logic.builtins import BUILTINS, to_bool

from .limits import MAX_LOGIC_DEPTH

# ``log`` prints to stdout; everything else of the library is pure.
OPERATIONS = {name: op for name, op in BUILTINS.items() if name != "log"}
# Operators the library's ``apply`` handles itself (short-circuit, iteration).
CONTROL_OPERATORS = frozenset(
    {"if", "?:", "and", "or", "filter", "reduce", "map", "all", "some", "none"}
)
JSONLOGIC_OPERATORS = frozenset(OPERATIONS) | CONTROL_OPERATORS

# Operators of the newer simple conditions (``conditional.conditions``).
SIMPLE_OPERATORS = frozenset(
    {
        "isEqual",
        "isNotEqual",
        "isEmpty",
        "isNotEmpty",
        "includes",
        "notIncludes",
        "startsWith",
        "endsWith",
        "lessThan",
        "greaterThan",
        "lessThanOrEqual",
        "greaterThanOrEqual",
    }
)


def js_string(value):
    """``String(value)`` as JavaScript writes it, for Form.io's comparisons."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, list | tuple):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def boolean_setting(value):
    """Form.io stores flags as booleans or as the strings "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


class Accessor:
    """Reads one component's value from the working data.

    ``level`` says where to start: 0 is the form's data, ``n`` the current row
    of the n-th enclosing grid; ``keys`` walks containers from there.
    """

    __slots__ = ("level", "keys")

    def __init__(self, level, keys):
        self.level = level
        self.keys = tuple(keys)

    def lookup(self, rows):
        if self.level >= len(rows):
            return None
        value = rows[self.level]
        for key in self.keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value


class LegacyCondition:
    """``{show, when, eq}``: formio.js ``checkSimpleConditional``."""

    __slots__ = ("accessor", "eq", "show")

    def __init__(self, accessor, eq, show):
        self.accessor = accessor
        self.eq = js_string(eq)
        self.show = js_string(show) == "true"

    def visible(self, rows, row):
        value = self.accessor.lookup(rows) if self.accessor else None
        if value is None:
            value = ""
        if isinstance(value, dict) and self.eq in value:
            return js_string(value[self.eq]) == js_string(self.show)
        if isinstance(value, list) and self.eq in [js_string(v) for v in value]:
            return self.show
        return (js_string(value) == self.eq) == self.show


def _is_empty(value):
    if value is None or value in ("", [], {}):
        return True
    if isinstance(value, dict):
        return not any(v is True for v in value.values())
    return False


def _number(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _equals(value, compared):
    compared = js_string(compared)
    if isinstance(value, dict):
        return value.get(compared) is True
    if isinstance(value, list):
        return compared in [js_string(v) for v in value]
    return js_string("" if value is None else value) == compared


def _compare(operator, value, compared):
    if operator == "isEqual":
        return _equals(value, compared)
    if operator == "isNotEqual":
        return not _equals(value, compared)
    if operator == "isEmpty":
        return _is_empty(value)
    if operator == "isNotEmpty":
        return not _is_empty(value)
    if operator in ("includes", "notIncludes"):
        if isinstance(value, list):
            found = js_string(compared) in [js_string(v) for v in value]
        elif isinstance(value, str):
            found = js_string(compared) in value
        else:
            found = False
        return found if operator == "includes" else not found
    if operator == "startsWith":
        return isinstance(value, str) and value.startswith(js_string(compared))
    if operator == "endsWith":
        return isinstance(value, str) and value.endswith(js_string(compared))
    left, right = _number(value), _number(compared)
    if left is None or right is None:
        return False
    return {
        "lessThan": left < right,
        "greaterThan": left > right,
        "lessThanOrEqual": left <= right,
        "greaterThanOrEqual": left >= right,
    }[operator]


class SimpleConditions:
    """``{show, conjunction, conditions: [{component, operator, value}]}``."""

    __slots__ = ("show", "any", "conditions")

    def __init__(self, show, conjunction, conditions):
        self.show = boolean_setting(show) if show not in (None, "") else True
        self.any = conjunction == "any"
        self.conditions = tuple(conditions)  # (accessor, operator, value)

    def visible(self, rows, row):
        results = (
            _compare(op, accessor.lookup(rows) if accessor else None, compared)
            for accessor, op, compared in self.conditions
        )
        matched = any(results) if self.any else all(results)
        return self.show if matched else not self.show


class JsonLogicCondition:
    """``conditional.json``: shown when the expression is truthy."""

    __slots__ = ("logic",)

    def __init__(self, logic):
        self.logic = logic

    def visible(self, rows, row):
        result = evaluate_logic(self.logic, {"data": rows[0], "row": row})
        return True if result is LOGIC_FAILED else to_bool(result)


LOGIC_FAILED = object()


def evaluate_logic(logic, context):
    """Run an administrator's JSONLogic; ``LOGIC_FAILED`` when it raises.

    The expression's depth is bounded when the schema is compiled and the data's
    when it is submitted, so no evaluation can recurse without end; any other
    failure (a type error, an unknown operator) is the expression's fault.
    """
    try:
        return jsonLogic(logic, context, OPERATIONS)
    except Exception:  # any failure of an administrator's logic means "unknown"
        return LOGIC_FAILED


def logic_problems(logic):
    """Unknown operators and excessive depth of a JSONLogic expression."""
    unknown = set()
    too_deep = False
    stack = [(logic, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_LOGIC_DEPTH:
            too_deep = True
            continue
        if isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
        elif isinstance(node, dict) and len(node) == 1:
            operator, args = next(iter(node.items()))
            if operator not in JSONLOGIC_OPERATORS:
                unknown.add(str(operator)[:40])
            stack.append((args, depth + 1))
    return sorted(unknown), too_deep


def has_logic(value):
    """Form.io writes an empty ``json`` as ``""``; only dicts/lists are logic."""
    return isinstance(value, dict | list) and bool(value)
