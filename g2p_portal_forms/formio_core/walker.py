"""Compile a Form.io builder schema into a tree the other modules walk.

The schema is read once: component kinds looked up, fields built, data keys
registered per *scope* (the form, a container, a grid row), conditions
resolved to accessors, problems collected. Validation, layout and the schema
check all walk the resulting :class:`CompiledForm`; none of them re-reads the
raw JSON. A compiled form holds no submission data, so the shell may keep
one per form version and reuse it.

Structural damage (a component that is not an object, a component list that
is not a list, too deep or too large) raises :class:`SchemaError` at once;
everything else becomes a :class:`Problem`, fatal or not.
"""

import json
import re
from collections import defaultdict

from . import components as kinds
from .conditions import (
    SIMPLE_OPERATORS,
    Accessor,
    JsonLogicCondition,
    LegacyCondition,
    SimpleConditions,
    boolean_setting,
    has_logic,
    logic_problems,
)
from .errors import Problem, SchemaError
from .limits import MAX_COMPONENTS, MAX_SCHEMA_DEPTH

SAFE_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
DISPLAYS = ("form", "wizard")


class Scope:
    """Where data keys live: the form's data, a container, a grid row."""

    __slots__ = ("owner", "parent", "keys")

    def __init__(self, owner=None, parent=None):
        self.owner = owner
        self.parent = parent
        self.keys = {}  # key -> Node (value, container, grid, button)

    def chain(self):
        scope = self
        while scope is not None:
            yield scope
            scope = scope.parent


class Node:
    """One compiled component."""

    __slots__ = (
        "type",
        "kind",
        "key",
        "label",
        "title",
        "raw",
        "field",
        "children",
        "condition",
        "clear_on_hide",
        "persistent",
        "hidden",
        "path",
        "scope",
        "child_scope",
        "grid_chain",
        "rel_keys",
        "custom_logic",
        "required",
        "min_rows",
        "max_rows",
    )

    def __init__(self, raw, component_type, kind):
        self.raw = raw
        self.type = component_type
        self.kind = kind
        key = raw.get("key")
        self.key = key if isinstance(key, str) else ""
        label = raw.get("label")
        self.label = (
            label.strip() if isinstance(label, str) and label.strip() else self.key
        )
        self.title = None
        self.field = None
        self.children = ()
        self.condition = None
        self.clear_on_hide = boolean_setting(raw.get("clearOnHide", True))
        persistent = raw.get("persistent", True)
        self.persistent = persistent is not False and persistent != "client-only"
        self.hidden = boolean_setting(raw.get("hidden", False))
        self.path = ""
        self.scope = None
        self.child_scope = None
        self.grid_chain = ()
        self.rel_keys = ()
        self.custom_logic = None
        self.required = False
        self.min_rows = None
        self.max_rows = None

    @property
    def is_data(self):
        return self.kind in kinds.DATA_KINDS

    def __repr__(self):
        return f"<Node {self.type} {self.path or self.key!r}>"


class CompiledForm:
    """A schema ready for validation, layout and checks."""

    def __init__(self, display, nodes, root_scope, problems, by_path):
        self.display = display
        self.nodes = tuple(nodes)
        self.root_scope = root_scope
        self.problems = tuple(problems)
        self.by_path = by_path  # "address.city", "household.age" -> Node

    @property
    def fatal_problems(self):
        return tuple(p for p in self.problems if p.fatal)

    def ensure_usable(self):
        """Raise :class:`SchemaError` when the server cannot validate the form."""
        fatal = self.fatal_problems
        if fatal:
            first = fatal[0]
            raise SchemaError(
                first.code, f"{first.path}: {first.message}", problems=fatal
            )

    def data_nodes(self):
        return [node for node in self.by_path.values() if node.is_data]

    def file_fields(self):
        """Paths of the file components (``grid.key`` for one inside a grid;
        ``ValidationResult.files`` then names each row: ``grid[0].key``)."""
        return [node.path for node in self.by_path.values() if node.type == "file"]


def load_schema(schema):
    if isinstance(schema, str | bytes):
        try:
            schema = json.loads(schema)
        except ValueError as error:
            raise SchemaError("schema.json", "the schema is not JSON") from error
    if not isinstance(schema, dict):
        raise SchemaError("schema.invalid", "the schema is not an object")
    return schema


def compile_form(schema):
    """Compile ``schema`` (a builder dict or its JSON text)."""
    if isinstance(schema, CompiledForm):
        return schema
    schema = load_schema(schema)
    return _Compiler().compile(schema)


def _join(prefix, key):
    return f"{prefix}.{key}" if prefix else key


class _Compiler:
    def __init__(self):
        self.problems = []
        self.count = 0
        self.by_path = {}
        self.by_key = defaultdict(list)
        self.conditional = []  # nodes whose condition is resolved at the end

    def problem(self, path, code, **params):
        self.problems.append(Problem.build(path, code, **params))

    def compile(self, schema):
        display = schema.get("display") or "form"
        if display not in DISPLAYS:
            self.problem("", "display.unsupported", display=str(display)[:20])
        raw_components = schema.get("components")
        if not isinstance(raw_components, list):
            raise SchemaError("schema.components", "the schema has no component list")
        root = Scope()
        nodes = self.compile_list(raw_components, root, 1, (), (), "")
        if display == "wizard":
            for node in nodes:
                if node.type != "panel":
                    self.problem(node.path or node.key, "wizard.outside_page")
        for node in self.conditional:
            self.resolve_condition(node)
        return CompiledForm(display, nodes, root, self.problems, self.by_path)

    def compile_list(self, raws, scope, depth, grid_chain, rel_prefix, prefix):
        if not isinstance(raws, list):
            raise SchemaError(
                "schema.components", f"{prefix or 'form'}: components is not a list"
            )
        nodes = []
        for raw in raws:
            node = self.compile_one(raw, scope, depth, grid_chain, rel_prefix, prefix)
            if node is not None:
                nodes.append(node)
        return nodes

    def compile_one(self, raw, scope, depth, grid_chain, rel_prefix, prefix):
        where = prefix or "form"
        if depth > MAX_SCHEMA_DEPTH:
            raise SchemaError(
                "schema.too_deep", f"{where}: components nested too deeply"
            )
        self.count += 1
        if self.count > MAX_COMPONENTS:
            raise SchemaError("schema.too_large", "the form has too many components")
        if not isinstance(raw, dict):
            raise SchemaError(
                "schema.component", f"{where}: a component is not an object"
            )
        component_type = raw.get("type")
        if not isinstance(component_type, str) or not component_type:
            raise SchemaError("schema.component", f"{where}: a component has no type")
        kind = kinds.KINDS.get(component_type)
        key = raw.get("key") if isinstance(raw.get("key"), str) else ""
        path = _join(prefix, key)
        if kind is None:
            self.problem(
                path or where, "component.unsupported", type=component_type[:40]
            )
            return None
        node = Node(raw, component_type, kind)
        node.scope = scope
        node.grid_chain = grid_chain
        node.path = path
        self.check_javascript(node)
        if node.is_data or kind == kinds.BUTTON:
            if not self.register(node, scope, path or where):
                return None
            node.rel_keys = (*rel_prefix, key)
        if kind == kinds.VALUE:
            node.field = kinds.FIELD_CLASSES[component_type](raw, self.sink(path))
        validate = raw.get("validate") if isinstance(raw.get("validate"), dict) else {}
        node.required = boolean_setting(validate.get("required", False))
        if has_logic(validate.get("json")):
            node.custom_logic = validate["json"]
            self.check_logic(node, validate["json"], "validate.json")
        if boolean_setting(validate.get("unique", False)):
            self.problem(path, "validate.unique")
        if self.has_condition(node):
            self.conditional.append(node)
        groups = kinds.child_groups(raw, where)
        if kind == kinds.LAYOUT:
            node.title = groups[0][0] if groups and component_type != "tabs" else None
            children = []
            for title, raws in groups:
                sub = self.compile_list(
                    raws, scope, depth + 1, grid_chain, rel_prefix, prefix
                )
                if component_type == "tabs":
                    tab = Node({"key": "", "label": title or ""}, "tab", kinds.LAYOUT)
                    tab.title, tab.children, tab.path = title, tuple(sub), prefix
                    children.append(tab)
                else:
                    children.extend(sub)
            node.children = tuple(children)
        elif kind == kinds.CONTAINER:
            node.child_scope = Scope(owner=node, parent=scope)
            node.children = tuple(
                self.compile_list(
                    groups[0][1],
                    node.child_scope,
                    depth + 1,
                    grid_chain,
                    node.rel_keys,
                    path,
                )
            )
        elif kind == kinds.GRID:
            node.child_scope = Scope(owner=node, parent=scope)
            node.min_rows = self.row_limit(validate.get("minLength"), path, "minLength")
            node.max_rows = self.row_limit(validate.get("maxLength"), path, "maxLength")
            node.children = tuple(
                self.compile_list(
                    groups[0][1],
                    node.child_scope,
                    depth + 1,
                    (*grid_chain, node),
                    (),
                    path,
                )
            )
        elif groups[0][1]:
            self.problem(path or where, "component.children")
        return node

    def sink(self, path):
        def report(code, **params):
            self.problem(path, code, **params)

        return report

    def register(self, node, scope, where):
        key = node.key
        if not key:
            self.problem(where, "key.missing")
            return False
        if not SAFE_KEY_RE.fullmatch(key):
            self.problem(where, "key.unsafe")
            return False
        if key in scope.keys:
            self.problem(where, "key.duplicate", key=key)
            return False
        scope.keys[key] = node
        if node.is_data:
            self.by_path[node.path] = node
            self.by_key[key].append(node)
        return True

    def row_limit(self, value, path, name):
        if value in (None, ""):
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.problem(path, "setting.invalid", setting=name)
            return None
        return max(number, 0)

    def check_javascript(self, node):
        raw, path = node.raw, node.path or node.key
        if _non_empty_text(raw.get("customConditional")):
            self.problem(path, "js.custom_conditional")
        calculated = raw.get("calculateValue")
        if _non_empty_text(calculated):
            self.problem(path, "js.calculate_value")
        elif has_logic(calculated):
            self.problem(path, "calculate_value.unsupported")
        validate = raw.get("validate") if isinstance(raw.get("validate"), dict) else {}
        if _non_empty_text(validate.get("custom")):
            self.problem(path, "js.custom_validation")
        logic = raw.get("logic")
        if isinstance(logic, list) and logic:
            text = json.dumps(logic, default=str)
            code = (
                "js.logic"
                if '"javascript"' in text or "customAction" in text
                else "logic.unsupported"
            )
            self.problem(path, code)

    def check_logic(self, node, logic, where):
        unknown, too_deep = logic_problems(logic)
        path = node.path or node.key
        if unknown:
            self.problem(path, "jsonlogic.operator", operators=", ".join(unknown))
        if too_deep:
            self.problem(path, "jsonlogic.too_deep")

    def has_condition(self, node):
        raw = node.raw
        if _non_empty_text(raw.get("customConditional")):
            return False  # JavaScript wins in Form.io: never evaluated here
        conditional = raw.get("conditional")
        if not isinstance(conditional, dict):
            return False
        return (
            bool(conditional.get("when"))
            or has_logic(conditional.get("json"))
            or bool(conditional.get("conditions"))
        )

    # -- conditions -------------------------------------------------------
    def resolve_condition(self, node):
        conditional = node.raw["conditional"]
        if conditional.get("when"):
            accessor = self.accessor(node, conditional.get("when"))
            node.condition = LegacyCondition(
                accessor, conditional.get("eq", ""), conditional.get("show", True)
            )
        elif has_logic(conditional.get("json")):
            self.check_logic(node, conditional["json"], "conditional.json")
            node.condition = JsonLogicCondition(conditional["json"])
        else:
            conditions = conditional.get("conditions")
            if not isinstance(conditions, list):
                self.problem(node.path or node.key, "conditional.invalid")
                return
            compiled = []
            for condition in conditions:
                if not isinstance(condition, dict):
                    self.problem(node.path or node.key, "conditional.invalid")
                    return
                operator = condition.get("operator")
                if operator not in SIMPLE_OPERATORS:
                    self.problem(
                        node.path or node.key,
                        "conditional.operator",
                        operator=str(operator)[:30],
                    )
                    return
                accessor = self.accessor(node, condition.get("component"))
                compiled.append((accessor, operator, condition.get("value")))
            node.condition = SimpleConditions(
                conditional.get("show", True),
                conditional.get("conjunction", "all"),
                compiled,
            )

    def accessor(self, node, reference):
        """Resolve a condition's key like Form.io: row first, then the form."""
        path = node.path or node.key
        if not isinstance(reference, str) or not reference:
            self.problem(path, "conditional.invalid")
            return None
        target = None
        candidates = self.by_key.get(reference, [])
        for scope in node.scope.chain():  # the row (or container) first
            matches = [c for c in candidates if c.scope is scope]
            if matches:
                target = matches[0]
                break
        if target is None:
            target = self.by_path.get(reference)
        if target is None:
            if len(candidates) == 1:
                target = candidates[0]
            if target is None:
                code = (
                    "conditional.ambiguous" if candidates else "conditional.unknown_key"
                )
                self.problem(path, code, key=reference[:64])
                return None
        level = len(target.grid_chain)
        if target.grid_chain != node.grid_chain[:level]:
            self.problem(path, "conditional.grid_target", key=reference[:64])
            return None
        return Accessor(level, target.rel_keys)


def _non_empty_text(value):
    return isinstance(value, str) and bool(value.strip())
