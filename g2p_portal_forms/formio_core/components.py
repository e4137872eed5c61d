"""Registry of the Form.io component types the server understands.

Every type has a *kind* that decides how the walker treats it:

- ``value``: holds one answer under its key (a ``fields`` class cleans it);
- ``layout``: groups components visually, no data of its own (panel,
  columns, fieldset, tabs, table, well);
- ``container``: a nested object under its key;
- ``grid``: a list of rows under its key (data grid, edit grid);
- ``static``: shows text, no data (content, HTML element);
- ``button``: Form.io may submit ``{"submit": true}``; accepted, not kept.

A type missing here is refused: the server cannot vouch for what it cannot
check (password, signature, address lookups, survey, custom components …).
"""

from . import choice_fields, date_fields, fields
from .errors import SchemaError

FIELD_CLASSES = {
    cls.type_name: cls
    for cls in (
        fields.TextField,
        fields.TextArea,
        fields.Email,
        fields.PhoneNumber,
        fields.Hidden,
        fields.Number,
        fields.Currency,
        fields.Checkbox,
        fields.File,
        choice_fields.Radio,
        choice_fields.Select,
        choice_fields.SelectBoxes,
        date_fields.DateTime,
        date_fields.Day,
        date_fields.Time,
    )
}

VALUE = "value"
LAYOUT = "layout"
CONTAINER = "container"
GRID = "grid"
STATIC = "static"
BUTTON = "button"

LAYOUT_TYPES = ("panel", "columns", "fieldset", "tabs", "table", "well")
KINDS = {
    **dict.fromkeys(FIELD_CLASSES, VALUE),
    **dict.fromkeys(LAYOUT_TYPES, LAYOUT),
    "container": CONTAINER,
    "datagrid": GRID,
    "editgrid": GRID,
    "content": STATIC,
    "htmlelement": STATIC,
    "button": BUTTON,
}
SUPPORTED_COMPONENT_TYPES = frozenset(KINDS)
DATA_KINDS = frozenset({VALUE, CONTAINER, GRID})


def _components(value, where):
    if value is None:
        return []
    if not isinstance(value, list):
        raise SchemaError("schema.components", f"{where}: components is not a list")
    return value


def child_groups(raw, where):
    """The component lists inside a component, each with its heading.

    Returns ``[(title or None, [raw component, ...]), ...]`` in display order:
    one group for most types, one per column, per table cell, per tab.
    """
    component_type = raw.get("type")
    if component_type == "columns":
        columns = _components(raw.get("columns"), where)
        return [(None, _components(_cell(col, where), where)) for col in columns]
    if component_type == "table":
        groups = []
        for row in _components(raw.get("rows"), where):
            for cell in _components(row, where):
                groups.append((None, _components(_cell(cell, where), where)))
        return groups
    if component_type == "tabs":
        groups = []
        for tab in _components(raw.get("components"), where):
            if not isinstance(tab, dict):
                raise SchemaError(
                    "schema.component", f"{where}: a tab is not an object"
                )
            groups.append(
                (_text(tab.get("label")), _components(tab.get("components"), where))
            )
        return groups
    title = None
    if component_type == "panel":
        title = _text(raw.get("title")) or None
    elif component_type == "fieldset":
        title = _text(raw.get("legend")) or None
    return [(title, _components(raw.get("components"), where))]


def _cell(cell, where):
    if not isinstance(cell, dict):
        raise SchemaError(
            "schema.component", f"{where}: a column or cell is not an object"
        )
    return cell.get("components")


def _text(value):
    return value.strip() if isinstance(value, str) else ""
