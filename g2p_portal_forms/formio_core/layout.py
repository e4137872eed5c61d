"""Answers as the form laid them out, and the pages of a wizard.

Receipts (PDF) and the back-office view show a submission in the form's own
order and nesting: panel titles, fieldset legends and tabs become headings,
grids become numbered rows, options are shown by their labels. Only cleaned
data is shown, so hidden answers (already dropped) never appear; headings
without any answer below them are left out.
"""

from typing import NamedTuple

from . import components as kinds
from .walker import compile_form


class LayoutRow(NamedTuple):
    """One line: a question and its answer, or a heading (``value`` "")."""

    label: str
    value: str
    depth: int


class WizardPage(NamedTuple):
    key: str
    title: str


def form_layout(schema, cleaned_data, *, true_label="Yes", false_label="No"):
    """``[(label, display value, depth), ...]`` for ``cleaned_data``.

    ``true_label``/``false_label`` show checkboxes; the shell passes them
    translated.
    """
    form = compile_form(schema)
    labels = {"true_label": true_label, "false_label": false_label}
    rows = []
    _emit(
        form.nodes,
        cleaned_data if isinstance(cleaned_data, dict) else {},
        0,
        rows,
        labels,
    )
    return rows


def _heading(label, depth, body, rows):
    if body:
        rows.append(LayoutRow(label, "", depth))
        rows.extend(body)


def _emit(nodes, data, depth, rows, labels):
    for node in nodes:
        kind = node.kind
        if kind == kinds.LAYOUT:
            if node.title:
                body = []
                _emit(node.children, data, depth + 1, body, labels)
                _heading(node.title, depth, body, rows)
            else:
                _emit(node.children, data, depth, rows, labels)
        elif kind == kinds.VALUE:
            if node.key in data and node.type != "hidden":
                value = node.field.display(data[node.key], **labels)
                rows.append(LayoutRow(node.label, value, depth))
        elif kind == kinds.CONTAINER:
            value = data.get(node.key)
            if isinstance(value, dict):
                body = []
                _emit(node.children, value, depth + 1, body, labels)
                _heading(node.label, depth, body, rows)
        elif kind == kinds.GRID:
            value = data.get(node.key)
            if isinstance(value, list):
                body = []
                for index, row in enumerate(value, start=1):
                    row_body = []
                    if isinstance(row, dict):
                        _emit(node.children, row, depth + 2, row_body, labels)
                    _heading(f"#{index}", depth + 1, row_body, body)
                _heading(node.label, depth, body, rows)


def wizard_pages(schema, data=None):
    """The pages of a wizard form (``[]`` for a plain form).

    With ``data`` (the answers so far), pages hidden by their condition or by
    the ``hidden`` property are left out, so a progress indicator counts only
    the pages the person will see.
    """
    form = compile_form(schema)
    if form.display != "wizard":
        return []
    pages = []
    for node in form.nodes:
        if node.type != "panel":
            continue
        if data is not None:
            if node.hidden:
                continue
            if node.condition is not None and isinstance(data, dict):
                if not node.condition.visible([data], data):
                    continue
        pages.append(WizardPage(node.key, node.title or node.label or node.key))
    return pages
