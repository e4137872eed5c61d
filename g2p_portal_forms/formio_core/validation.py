"""Server-side validation of a Form.io submission, whatever the browser did.

One pass over the compiled form, in the form's order, as Form.io's own
processors go: each component's condition is evaluated on the *working* data
(values cleaned so far, hidden ``clearOnHide`` values removed), its value is
cleaned by its field, and the cleaned value replaces the raw one for the
conditions that follow. Keys the form does not define are refused per path;
locked (prefilled read-only) values must come back unchanged.

The submission is measured before anything else (depth, number of values),
so hostile JSON costs a bounded, small amount of work.
"""

import re
from dataclasses import dataclass, field

from . import components as kinds
from . import errors as e
from .conditions import LOGIC_FAILED, evaluate_logic
from .fields import INVALID, MISSING
from .limits import (
    MAX_DATA_DEPTH,
    MAX_DATA_NODES,
    MAX_ERRORS,
    MAX_GRID_ROWS,
    MAX_KEY_CHARS,
)
from .walker import compile_form

_UNSAFE_KEY_CHARS = re.compile(r"[^A-Za-z0-9_\-]")
# formio.js adds ``"submit": true`` to the data when its submit button is
# pressed, even in a wizard whose schema has no button component.
FORMIO_SUBMIT_KEY = "submit"


@dataclass
class ValidationResult:
    """``cleaned_data`` keeps visible, defined keys, typed; ``errors`` maps a
    key path to its :class:`FieldError` list; ``files`` maps the path of each
    answered file component to its references."""

    cleaned_data: dict
    errors: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)

    @property
    def is_valid(self):
        return not self.errors

    def codes(self):
        """``{path: [code, ...]}``: what tests and logs need."""
        return {path: [err.code for err in errs] for path, errs in self.errors.items()}

    def error_list(self):
        return [err.as_dict() for errs in self.errors.values() for err in errs]


def validate_submission(schema, data, *, locked=None):
    """Validate ``data`` (the submission's ``data`` object) against ``schema``.

    ``schema`` is a builder schema (dict or JSON text) or a compiled form;
    ``locked`` maps key paths (``name``, ``address.city``) to the values the
    person was shown read-only. Submission problems come back as errors;
    a schema the server cannot validate raises :class:`SchemaError`.
    """
    form = compile_form(schema)
    form.ensure_usable()
    run = _Run(locked or {})
    if not isinstance(data, dict):
        run.report("", e.INVALID_TYPE, expected="object")
        return run.result({})
    oversize = measure_data(data)
    if oversize:
        run.report("", oversize)
        return run.result({})
    working = _copy(data)
    cleaned = {}
    run.walk(form.nodes, data, working, cleaned, "", [working], False, False)
    run.refuse_unknown(form.root_scope, data, "")
    return run.result(cleaned)


def measure_data(data):
    """``too_deep``/``too_large`` code of parsed answers (a submission or a
    draft), or None; iterative, stops early."""
    stack = [(data, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_DATA_NODES:
            return e.TOO_LARGE
        if isinstance(value, dict | list):
            if depth > MAX_DATA_DEPTH:
                return e.TOO_DEEP
            items = value.values() if isinstance(value, dict) else value
            if len(items) > MAX_DATA_NODES:
                return e.TOO_LARGE
            stack.extend((item, depth + 1) for item in items)
    return None


def _copy(value):
    """Copy dicts and lists (depth is already bounded by ``measure_data``)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _join(prefix, key):
    return f"{prefix}.{key}" if prefix else key


def _safe_key(key):
    text = _UNSAFE_KEY_CHARS.sub("_", str(key))[:MAX_KEY_CHARS]
    return text or "_"


def _ignore(*args, **kwargs):
    return None


class _Run:
    def __init__(self, locked):
        self.locked = locked
        self.errors = {}
        self.files = {}
        self.count = 0
        self.overflow = False

    def report(self, path, code, message=None, **params):
        if self.count >= MAX_ERRORS:
            self.overflow = True
            return
        self.count += 1
        error = e.FieldError.build(path, code, message, **params)
        self.errors.setdefault(path, []).append(error)

    def result(self, cleaned):
        if self.overflow:
            self.errors.setdefault("", []).append(
                e.FieldError.build("", e.TOO_MANY_ERRORS)
            )
        return ValidationResult(cleaned, self.errors, self.files)

    def refuse_unknown(self, scope, raw, prefix):
        for key, value in raw.items():
            if key in scope.keys:
                continue
            if not prefix and key == FORMIO_SUBMIT_KEY and isinstance(value, bool):
                continue
            self.report(_join(prefix, _safe_key(key)), e.UNKNOWN_KEY)

    # -- the walk ---------------------------------------------------------
    def walk(self, nodes, raw, working, cleaned, prefix, rows, hidden, unseen):
        """Process ``nodes`` of one data scope.

        ``raw``/``working``/``cleaned`` are that scope's submitted, working
        and cleaned dicts; ``rows`` the working data then the current row of
        each enclosing grid; ``hidden`` says an ancestor is conditionally
        hidden, ``unseen`` that one has the ``hidden`` property.
        """
        for node in nodes:
            kind = node.kind
            if kind == kinds.STATIC:
                continue
            visible = not hidden and (
                node.condition is None or node.condition.visible(rows, working)
            )
            if kind == kinds.LAYOUT:
                self.walk(
                    node.children,
                    raw,
                    working,
                    cleaned,
                    prefix,
                    rows,
                    not visible,
                    unseen or node.hidden,
                )
                continue
            key = node.key
            path = _join(prefix, key)
            raw_value = raw.get(key, MISSING)
            if kind == kinds.BUTTON:
                if raw_value not in (MISSING, None) and not isinstance(raw_value, bool):
                    self.report(path, e.INVALID_TYPE, expected="boolean")
                continue
            if not visible and node.clear_on_hide:
                working.pop(key, None)
                continue
            active = visible and not (unseen or node.hidden)
            if kind == kinds.VALUE:
                self.value(node, raw_value, path, working, cleaned, rows, active)
            elif kind == kinds.CONTAINER:
                self.container(
                    node, raw_value, path, working, cleaned, rows, visible, unseen
                )
            else:
                self.grid(
                    node,
                    raw_value,
                    path,
                    working,
                    cleaned,
                    rows,
                    visible,
                    unseen,
                    active,
                )

    def value(self, node, raw_value, path, working, cleaned, rows, active):
        locked = MISSING
        if self.locked and not node.grid_chain:
            locked = self.locked.get(path, MISSING)
            if locked is not MISSING and raw_value is MISSING:
                raw_value = locked  # the browser left the read-only field out
        value = node.field.clean(raw_value, path, self.report, required=active)
        if value is INVALID:
            return
        if locked is not MISSING:
            expected = node.field.clean(locked, path, _ignore, required=False)
            if value != (locked if expected is INVALID else expected):
                self.report(path, e.LOCKED)
                return
        if node.custom_logic is not None and active:
            context = {"data": rows[0], "row": working, "input": value}
            outcome = evaluate_logic(node.custom_logic, context)
            if outcome is not True and outcome is not LOGIC_FAILED:
                message = outcome if isinstance(outcome, str) and outcome else None
                self.report(path, e.CUSTOM, message and message[:200])
                return
        working[node.key] = value
        if node.persistent:
            cleaned[node.key] = value
            if node.type == "file" and value:
                self.files[path] = value

    def container(self, node, raw_value, path, working, cleaned, rows, visible, unseen):
        if raw_value is MISSING or raw_value is None:
            raw_value = {}
        elif not isinstance(raw_value, dict):
            self.report(path, e.INVALID_TYPE, expected="object")
            return
        sub_working = working.get(node.key)
        if not isinstance(sub_working, dict):
            sub_working = working[node.key] = {}
        sub_cleaned = {}
        self.walk(
            node.children,
            raw_value,
            sub_working,
            sub_cleaned,
            path,
            rows,
            not visible,
            unseen or node.hidden,
        )
        self.refuse_unknown(node.child_scope, raw_value, path)
        if node.persistent:
            cleaned[node.key] = sub_cleaned

    def grid(
        self, node, raw_value, path, working, cleaned, rows, visible, unseen, active
    ):
        if raw_value is MISSING or raw_value is None:
            raw_value = []
        elif not isinstance(raw_value, list):
            self.report(path, e.INVALID_TYPE, expected="list")
            return
        count = len(raw_value)
        limit = (
            MAX_GRID_ROWS
            if node.max_rows is None
            else min(node.max_rows, MAX_GRID_ROWS)
        )
        if count > limit:
            self.report(path, e.MAX_ITEMS, max_items=limit)
            return
        if active:
            if node.required and not count:
                self.report(path, e.REQUIRED)
            elif node.min_rows and count < node.min_rows:
                self.report(path, e.MIN_ITEMS, min_items=node.min_rows)
        sub_working = working.get(node.key)
        if not isinstance(sub_working, list) or len(sub_working) != count:
            sub_working = working[node.key] = _copy(raw_value)
        cleaned_rows = []
        for index, raw_row in enumerate(raw_value):
            row_path = f"{path}[{index}]"
            if not isinstance(raw_row, dict):
                self.report(row_path, e.INVALID_TYPE, expected="object")
                continue
            working_row = sub_working[index]
            cleaned_row = {}
            self.walk(
                node.children,
                raw_row,
                working_row,
                cleaned_row,
                row_path,
                [*rows, working_row],
                not visible,
                unseen or node.hidden,
            )
            self.refuse_unknown(node.child_scope, raw_row, row_path)
            cleaned_rows.append(cleaned_row)
        if node.persistent:
            cleaned[node.key] = cleaned_rows
