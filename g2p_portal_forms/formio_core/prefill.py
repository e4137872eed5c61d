"""Prefill a form from the registrant's record, some fields locked.

The administrator maps registrant fields to form keys; a locked mapping
(KYC data from eSignet, for instance) is shown read-only and must come back
unchanged (``validate_submission(..., locked=...)`` enforces it). Pure
functions: values in, values out.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from .errors import PrefillError, Problem
from .walker import SAFE_KEY_RE, compile_form


class PrefillRule(NamedTuple):
    registrant_field: str
    form_key: str
    locked: bool = False


def _json_value(value):
    """A registrant value as Form.io data, or None for "no value".

    Odoo reads an empty field as False; that, None and "" mean "nothing to
    prefill" (an unticked checkbox is the same as an absent one).
    """
    if value is None or value is False or value == "":
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, str | int | float | bool):
        return value
    raise PrefillError("prefill.value_type", f"cannot prefill a {type(value).__name__}")


def _split(form_key):
    parts = form_key.split(".") if isinstance(form_key, str) else [None]
    if not all(isinstance(p, str) and SAFE_KEY_RE.fullmatch(p) for p in parts):
        raise PrefillError(
            "prefill.form_key", f"unusable form key {str(form_key)[:64]!r}"
        )
    return parts


def prefill_values(mapping, registrant_values):
    """``(data, locked)`` from ``[(registrant_field, form_key, locked), ...]``.

    ``form_key`` may be a dotted path into containers (``address.city``);
    ``locked`` maps those paths to the values shown read-only.
    """
    data, locked, seen = {}, {}, set()
    for entry in mapping:
        rule = PrefillRule(*entry)
        parts = _split(rule.form_key)
        if rule.form_key in seen:
            raise PrefillError(
                "prefill.duplicate_key", f"{rule.form_key} is mapped twice"
            )
        seen.add(rule.form_key)
        value = _json_value(registrant_values.get(rule.registrant_field))
        if value is None:
            continue
        target = data
        for part in parts[:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise PrefillError(
                    "prefill.form_key", f"{rule.form_key} crosses a value"
                )
        target[parts[-1]] = value
        if rule.locked:
            locked[rule.form_key] = value
    return data, locked


def check_prefill_mapping(schema, mapping):
    """Problems of a prefill mapping against a form, for the mapping wizard."""
    form = compile_form(schema)
    problems, seen = [], set()
    for entry in mapping:
        rule = PrefillRule(*entry)
        key = rule.form_key
        node = form.by_path.get(key) if isinstance(key, str) else None
        if key in seen:
            problems.append(
                Problem.build(str(key), "prefill.duplicate_key", key=str(key)[:64])
            )
        seen.add(key)
        if node is None:
            problems.append(
                Problem.build(str(key)[:64], "prefill.unknown_key", key=str(key)[:64])
            )
        elif node.grid_chain:
            problems.append(Problem.build(key, "prefill.in_grid", key=str(key)[:64]))
        elif node.kind != "value":
            problems.append(
                Problem.build(key, "prefill.not_a_value", key=str(key)[:64])
            )
        elif node.type == "file" and rule.locked:
            problems.append(Problem.build(key, "prefill.lock_type", key=str(key)[:64]))
    return problems
