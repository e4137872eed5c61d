"""Static checks for the Odoo addons of this repository.

Plain Python (no Odoo, lxml optional): every check takes an addon directory and
returns a list of human-readable problems; an empty list means the addon passes.
The tests in this package run them over the real addons and over deliberately
broken fixture addons (``tests/fixtures/broken_addons``).
"""

from __future__ import annotations

import ast
import csv
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

from repo import REPO_ROOT

try:  # lxml gives better messages but is only there when Odoo is installed
    from lxml import etree as _lxml_etree
except ImportError:  # pragma: no cover - depends on the machine
    _lxml_etree = None


MANIFEST = "__manifest__.py"
ACCESS_CSV = Path("security") / "ir.model.access.csv"
ACCESS_HEADER = [
    "id",
    "name",
    "model_id:id",
    "group_id:id",
    "perm_read",
    "perm_write",
    "perm_create",
    "perm_unlink",
]
VERSION_RE = re.compile(r"^17\.0\.\d+\.\d+\.\d+$")
# Licenses accepted by OCA (pylint-odoo ``license-allowed`` of the OCA template).
ALLOWED_LICENSES = frozenset(
    {
        "AGPL-3",
        "LGPL-3",
        "GPL-2",
        "GPL-2 or any later version",
        "GPL-3",
        "GPL-3 or any later version",
    }
)
REQUIRED_STR_KEYS = (
    "name",
    "summary",
    "version",
    "category",
    "license",
    "author",
    "website",
)
# Sub-folders that may talk to Odoo; any other package is a functional core.
ODOO_FOLDERS = frozenset(
    {
        "models",
        "controllers",
        "wizards",
        "wizard",
        "tests",
        "report",
        "migrations",
        "hooks",
        # Odoo command-line commands (odoo.cli.Command subclasses).
        "cli",
    }
)
# Folders that hold model classes (``_name = ...`` -> ``model_<name>`` ids).
MODEL_FOLDERS = ("models", "wizard", "wizards")
DEBUGGER_MODULES = frozenset({"pdb", "ipdb", "pudb", "pydevd"})
SKIP_DIRS = frozenset({"__pycache__", "node_modules", ".git", "build", "dist"})
GLOB_CHARS = frozenset("*?[")

# What Odoo / OpenG2P / OCA modules that are *not* in this repository depend
# on (their 17.0 manifests, best effort). Used to accept ``module.xml_id``
# references to modules reached through a dependency of a dependency.
KNOWN_EXTERNAL_DEPENDS: dict[str, tuple[str, ...]] = {
    "web": ("base",),
    "mail": ("base", "base_setup", "bus", "web_tour"),
    "contacts": ("base", "mail"),
    "auth_signup": ("base_setup", "mail", "web"),
    "auth_oauth": ("base", "web", "base_setup", "auth_signup"),
    "auth_oidc": ("auth_oauth",),
    "http_routing": ("web",),
    "portal": ("web", "web_editor", "http_routing", "mail", "auth_signup"),
    "website": (
        "digest",
        "web",
        "web_editor",
        "http_routing",
        "portal",
        "social_media",
        "auth_signup",
        "mail",
        "google_recaptcha",
        "utm",
    ),
    "g2p_registry_base": ("base", "mail", "contacts"),
    "g2p_registry_individual": ("base", "mail", "contacts", "g2p_registry_base"),
    "g2p_registry_group": ("g2p_registry_base",),
    "g2p_registry_membership": ("g2p_registry_individual", "g2p_registry_group"),
    "g2p_programs": (
        "base",
        "mail",
        "g2p_registry_base",
        "g2p_registry_individual",
        "g2p_registry_group",
        "g2p_registry_membership",
        "queue_job",
    ),
    "g2p_program_registrant_info": ("g2p_programs",),
    "g2p_program_documents": ("g2p_programs",),
    "formio": ("base", "mail", "portal"),
}


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def iter_files(addon_dir: Path, suffix: str):
    """Files of the addon ending in ``suffix``, sorted, build junk skipped."""
    for path in sorted(Path(addon_dir).rglob(f"*{suffix}")):
        rel_parts = path.relative_to(addon_dir).parts
        if path.is_file() and not SKIP_DIRS.intersection(rel_parts):
            yield path


# --------------------------------------------------------------------------
# manifest


def read_manifest(addon_dir: Path) -> tuple[dict | None, list[str]]:
    """Return ``(manifest, problems)``; the manifest is None if unreadable."""
    path = Path(addon_dir) / MANIFEST
    if not path.is_file():
        return None, [f"{MANIFEST}: missing"]
    source = path.read_text(encoding="utf-8")
    try:
        manifest = ast.literal_eval(source)
    except SyntaxError as exc:
        return None, [f"{MANIFEST}:{exc.lineno}: syntax error: {exc.msg}"]
    except ValueError as exc:
        return None, [f"{MANIFEST}: not a literal: {exc}"]
    if not isinstance(manifest, dict):
        return None, [f"{MANIFEST}: is a {type(manifest).__name__}, not a dict"]
    return manifest, []


def _is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _asset_paths(entry) -> list[str]:
    """File paths (or globs) that an ``assets`` bundle entry adds or names."""
    if isinstance(entry, str):
        return [entry]
    if not isinstance(entry, list | tuple) or not entry:
        return []
    directive, *args = entry
    if directive == "include":  # names a bundle, not a file
        return []
    if directive in {"replace", "before", "after"} and len(args) == 2:
        return [args[1]]
    return [a for a in args[:1] if isinstance(a, str)]


def _check_file_refs(addon_dir: Path, manifest: dict) -> list[str]:
    problems = []
    addons_root = addon_dir.parent
    visible = {p.name for p in addons_root.iterdir() if (p / MANIFEST).is_file()}
    for key in ("data", "demo"):
        for name in manifest.get(key) or []:
            if not (addon_dir / name).is_file():
                problems.append(f"{MANIFEST}: '{key}' file not found: {name}")
    assets = manifest.get("assets") or {}
    if not isinstance(assets, dict):
        return [*problems, f"{MANIFEST}: 'assets' must be a dict"]
    for bundle, entries in assets.items():
        for entry in entries or []:
            for raw in _asset_paths(entry):
                path = raw.lstrip("/")
                # Only files of addons we can see; web/static/... is Odoo's.
                if path.split("/", 1)[0] not in visible:
                    continue
                if GLOB_CHARS.intersection(path):
                    if not any(addons_root.glob(path)):
                        problems.append(
                            f"{MANIFEST}: assets '{bundle}' glob matches no file: {raw}"
                        )
                elif not (addons_root / path).is_file():
                    problems.append(
                        f"{MANIFEST}: assets '{bundle}' file not found: {raw}"
                    )
    return problems


def check_manifest(addon_dir: Path) -> list[str]:
    """Required keys and their shapes, version, license, referenced files."""
    addon_dir = Path(addon_dir)
    manifest, problems = read_manifest(addon_dir)
    if manifest is None:
        return problems
    for key in REQUIRED_STR_KEYS:
        value = manifest.get(key)
        if key not in manifest:
            problems.append(f"{MANIFEST}: missing key '{key}'")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{MANIFEST}: '{key}' must be a non-empty string")
    version = manifest.get("version")
    if isinstance(version, str) and not VERSION_RE.match(version):
        problems.append(f"{MANIFEST}: version {version!r} does not match 17.0.x.y.z")
    license_ = manifest.get("license")
    if isinstance(license_, str) and license_ not in ALLOWED_LICENSES:
        problems.append(f"{MANIFEST}: license {license_!r} is not OCA-allowed")
    depends = manifest.get("depends")
    if not _is_str_list(depends) or not depends:
        problems.append(f"{MANIFEST}: 'depends' must be a non-empty list of names")
    if not _is_str_list(manifest.get("data")):
        problems.append(f"{MANIFEST}: 'data' must be a list of file names")
    if "demo" in manifest and not _is_str_list(manifest["demo"]):
        problems.append(f"{MANIFEST}: 'demo' must be a list of file names")
    if not isinstance(manifest.get("installable"), bool):
        problems.append(f"{MANIFEST}: 'installable' must be present (a bool)")
    ext = manifest.get("external_dependencies")
    if ext is not None and not (
        isinstance(ext, dict) and all(_is_str_list(v) for v in ext.values())
    ):
        problems.append(f"{MANIFEST}: 'external_dependencies' must be a dict of lists")
    if not problems:
        problems.extend(_check_file_refs(addon_dir, manifest))
    return problems


# --------------------------------------------------------------------------
# XML


def parse_xml(path: Path):
    """Parse an XML file; return ``(root, None)`` or ``(None, (line, msg))``."""
    if _lxml_etree is not None:
        parser = _lxml_etree.XMLParser(resolve_entities=False, no_network=True)
        try:
            return _lxml_etree.parse(str(path), parser).getroot(), None
        except _lxml_etree.XMLSyntaxError as exc:
            return None, (exc.lineno or 0, exc.msg)
    try:
        return ElementTree.parse(path).getroot(), None
    except ElementTree.ParseError as exc:
        line = exc.position[0] if exc.position else 0
        return None, (line, str(exc))


def check_xml(addon_dir: Path) -> list[str]:
    """Every ``*.xml`` file of the addon is well-formed."""
    problems = []
    for path in iter_files(addon_dir, ".xml"):
        _root, error = parse_xml(path)
        if error:
            line, msg = error
            problems.append(f"{_rel(path, addon_dir)}:{line}: malformed XML: {msg}")
    return problems


# --------------------------------------------------------------------------
# access rules


def model_names(addon_dir: Path) -> set[str]:
    """Model names (``_name = "x.y"``) declared in the addon's model folders."""
    names = set()
    for folder in MODEL_FOLDERS:
        for path in iter_files(Path(addon_dir) / folder, ".py"):
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except SyntaxError:
                continue  # reported by check_python
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and any(
                            isinstance(t, ast.Name) and t.id == "_name"
                            for t in stmt.targets
                        )
                        and isinstance(stmt.value, ast.Constant)
                        and isinstance(stmt.value.value, str)
                    ):
                        names.add(stmt.value.value)
    return names


def model_xml_ids(addon_dir: Path) -> set[str]:
    """External ids (``model_x_y``) of the models the addon declares."""
    return {"model_" + name.replace(".", "_") for name in model_names(addon_dir)}


def group_xml_ids(addon_dir: Path) -> set[str]:
    """Ids of ``res.groups`` records declared in the addon's XML files."""
    ids = set()
    for path in iter_files(addon_dir, ".xml"):
        root, error = parse_xml(path)
        if error:
            continue  # reported by check_xml
        for record in root.iter("record"):
            if record.get("model") == "res.groups" and record.get("id"):
                ids.add(record.get("id"))
    return ids


def depends_closure(addon_dir: Path) -> set[str]:
    """The addon's dependencies, transitively, as far as the files show.

    Sibling addons (same parent folder) are followed through their manifests;
    external modules through ``KNOWN_EXTERNAL_DEPENDS``. ``base`` is implied.
    """
    addons_root = Path(addon_dir).parent
    seen: set[str] = set()
    todo = [Path(addon_dir).name]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        sibling = addons_root / name
        if (sibling / MANIFEST).is_file():
            manifest, _ = read_manifest(sibling)
            depends = (manifest or {}).get("depends") or []
            todo.extend(d for d in depends if isinstance(d, str))
        else:
            todo.extend(KNOWN_EXTERNAL_DEPENDS.get(name, ()))
    seen.discard(Path(addon_dir).name)
    return seen | {"base"}


def _resolve_ref(ref, addon_dir, *, local_ids, closure, local_ids_of, kind):
    """None if ``ref`` resolves, else the reason it does not."""
    addon = Path(addon_dir).name
    module, dot, name = ref.rpartition(".")
    if not dot:
        return None if ref in local_ids else f"unknown {kind} '{ref}'"
    if module == addon:
        return None if name in local_ids else f"unknown {kind} '{ref}'"
    if module not in closure:
        return f"{kind} '{ref}': module '{module}' is not in depends"
    sibling = Path(addon_dir).parent / module
    if (sibling / MANIFEST).is_file() and name not in local_ids_of(sibling):
        return f"unknown {kind} '{ref}'"
    return None  # external module: its files are not here, trust it


def check_access_csv(
    addon_dir: Path,
    known_models: set[str] | None = None,
    known_groups: set[str] | None = None,
) -> list[str]:
    """``security/ir.model.access.csv``: header, columns, perms, ids, refs.

    ``known_models`` / ``known_groups`` are the unqualified external ids that
    the addon defines (default: scanned from its Python / XML files); ids
    qualified with a module of the depends closure are accepted.
    """
    addon_dir = Path(addon_dir)
    path = addon_dir / ACCESS_CSV
    if not path.is_file():
        return []
    if known_models is None:
        known_models = model_xml_ids(addon_dir)
    if known_groups is None:
        known_groups = group_xml_ids(addon_dir)
    closure = depends_closure(addon_dir)
    where = ACCESS_CSV.as_posix()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0] != ACCESS_HEADER:
        found = ",".join(rows[0]) if rows else "(empty file)"
        return [f"{where}:1: header must be {','.join(ACCESS_HEADER)}, got {found}"]
    problems = []
    seen_ids: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(ACCESS_HEADER):
            problems.append(
                f"{where}:{line}: {len(row)} columns, expected {len(ACCESS_HEADER)}"
            )
            continue
        xml_id, _name, model, group, *perms = row
        if xml_id in seen_ids:
            problems.append(
                f"{where}:{line}: duplicate id '{xml_id}' (line {seen_ids[xml_id]})"
            )
        seen_ids.setdefault(xml_id, line)
        if any(p not in {"0", "1"} for p in perms):
            problems.append(f"{where}:{line}: perms must be 0 or 1, got {perms}")
        reason = _resolve_ref(
            model,
            addon_dir,
            local_ids=known_models,
            closure=closure,
            local_ids_of=model_xml_ids,
            kind="model",
        )
        if reason:
            problems.append(f"{where}:{line}: {reason}")
        if group:
            reason = _resolve_ref(
                group,
                addon_dir,
                local_ids=known_groups,
                closure=closure,
                local_ids_of=group_xml_ids,
                kind="group",
            )
            if reason:
                problems.append(f"{where}:{line}: {reason}")
    return problems


# --------------------------------------------------------------------------
# Python


def _debugger_uses(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {a.name}")
                for a in node.names
                if a.name.split(".")[0] in DEBUGGER_MODULES
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if (node.module or "").split(".")[0] in DEBUGGER_MODULES:
                found.append((node.lineno, f"from {node.module} import"))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "breakpoint":
                found.append((node.lineno, "breakpoint()"))
            elif isinstance(func, ast.Attribute) and func.attr == "set_trace":
                found.append((node.lineno, "set_trace()"))
    return found


def check_python(addon_dir: Path) -> list[str]:
    """Every ``.py`` compiles; no debugger imports / breakpoints left over."""
    problems = []
    for path in iter_files(addon_dir, ".py"):
        rel = _rel(path, addon_dir)
        source = path.read_text(encoding="utf-8")
        try:
            code = compile(source, rel, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
            compile(code, rel, "exec", dont_inherit=True)
        except SyntaxError as exc:
            problems.append(f"{rel}:{exc.lineno}: does not compile: {exc.msg}")
            continue
        problems += [
            f"{rel}:{line}: debugger left in code: {what}"
            for line, what in _debugger_uses(code)
        ]
    return problems


def functional_cores(addon_dir: Path) -> list[Path]:
    """Top-level packages of the addon that must stay free of Odoo."""
    return [
        sub
        for sub in sorted(Path(addon_dir).iterdir())
        if sub.is_dir()
        and sub.name not in ODOO_FOLDERS
        and sub.name not in SKIP_DIRS
        and (sub / "__init__.py").is_file()
    ]


def _is_odoo(module: str) -> bool:
    return module == "odoo" or module.startswith("odoo.")


def _addon_level_targets(node: ast.ImportFrom) -> list[str]:
    """What an import at the addon package's level names: ``x`` of
    ``from ..x.y import z``, or ``a``, ``b`` of ``from .. import a, b``."""
    if node.module:
        return [node.module.split(".")[0]]
    return [alias.name for alias in node.names]


def _odoo_imports(
    tree: ast.AST, depth: int, cores: frozenset[str] = frozenset()
) -> list[tuple[int, str]]:
    """Imports of odoo, and relative imports leaving the functional cores.

    ``depth`` is how many packages deep the module sits below the addon
    (1 for ``core/x.py``): a relative import of a higher level reaches the
    addon package, i.e. Odoo-land, unless what it names at that level is
    one of the addon's ``cores`` (a core may use another core: ``from
    ..oidc import X``). Higher still leaves the addon.
    """
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, f"import {a.name}")
                for a in node.names
                if _is_odoo(a.name)
            ]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and _is_odoo(module):
                found.append((node.lineno, f"from {module} import"))
            elif node.level > depth and not (
                node.level == depth + 1 and set(_addon_level_targets(node)) <= cores
            ):
                dots = "." * node.level
                found.append((node.lineno, f"from {dots}{module} import (leaves it)"))
    return found


def plain_modules_outside_cores(addon_dir: Path) -> list[Path]:
    """The addon's top-level modules that do not touch Odoo.

    A module beside ``__init__.py`` is shell code when it imports odoo, or
    imports (relatively) the addon's Odoo folders or another such shell
    module. Any other is plain Python that the purity check would not see:
    it belongs in a functional core.
    """
    addon_dir = Path(addon_dir)
    cores = {core.name for core in functional_cores(addon_dir)}
    modules = {}
    for path in sorted(addon_dir.glob("*.py")):
        if path.name in ("__init__.py", "__manifest__.py"):
            continue
        try:
            modules[path.stem] = (path, ast.parse(path.read_text(encoding="utf-8")))
        except SyntaxError:
            continue  # reported by check_python
    # What each module reaches: "odoo", or the names it imports from the
    # addon package (folders, other modules), cores left out.
    reaches = {}
    for name, (_path, tree) in modules.items():
        targets = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                if any(_is_odoo(alias.name) for alias in node.names):
                    targets.add("odoo")
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and _is_odoo(node.module or ""):
                    targets.add("odoo")
                elif node.level >= 1:
                    targets.update(set(_addon_level_targets(node)) - cores)
        reaches[name] = targets
    shell = set()
    changed = True
    while changed:
        changed = False
        for name, targets in reaches.items():
            if name in shell:
                continue
            if any(
                target == "odoo" or target in shell or target not in modules
                for target in targets
            ):
                shell.add(name)
                changed = True
    return [path for name, (path, _tree) in modules.items() if name not in shell]


def check_pure_subpackages(addon_dir: Path) -> list[str]:
    """Functional cores (packages outside models/controllers/...) never use
    Odoo, and no plain module sits outside them (where this would not see it).
    """
    addon_dir = Path(addon_dir)
    problems = []
    cores = functional_cores(addon_dir)
    core_names = frozenset(core.name for core in cores)
    for core in cores:
        for path in iter_files(core, ".py"):
            rel = _rel(path, addon_dir)
            depth = len(path.relative_to(addon_dir).parts) - 1
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except SyntaxError:
                continue  # reported by check_python
            problems += [
                f"{rel}:{line}: functional core '{core.name}' imports odoo: {what}"
                for line, what in _odoo_imports(tree, depth, core_names)
            ]
    problems += [
        f"{_rel(path, addon_dir)}: plain module outside the functional cores "
        "(it imports no odoo): move it into a core package, where the purity "
        "check sees it"
        for path in plain_modules_outside_cores(addon_dir)
    ]
    return problems


# --------------------------------------------------------------------------
# readme / i18n

_PO_STRING = re.compile(r'^"(?:[^"\\]|\\.)*"$')
_PO_KEYWORD = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+(.*)$")


def parse_pot(text: str) -> tuple[list[str], list[str]]:
    """Minimal .po/.pot parser: return ``(msgids, problems)``."""
    msgids: list[str] = []
    problems: list[str] = []
    entry: set[str] = set()  # keywords seen in the current entry
    last = None

    def has_msgstr():
        return any(k.startswith("msgstr") for k in entry)

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PO_KEYWORD.match(line)
        if match:
            keyword, rest = match.groups()
            if keyword in {"msgctxt", "msgid"} and has_msgstr():
                entry = set()  # a new entry starts
            if keyword in entry:
                problems.append(f"{lineno}: {keyword} repeated, msgstr missing?")
            elif keyword.startswith("msgstr") and "msgid" not in entry:
                problems.append(f"{lineno}: {keyword} without msgid")
            entry.add(keyword)
            if keyword == "msgid":
                msgids.append(rest)
            last, line = keyword, rest
        elif last is None:
            problems.append(f"{lineno}: text outside of an entry")
            continue
        if not _PO_STRING.match(line):
            problems.append(f"{lineno}: not a quoted string: {raw!r}")
    if entry and not has_msgstr():
        problems.append("end: last entry has no msgstr")
    if not msgids:
        problems.append("no msgid at all")
    elif msgids[0] != '""':
        problems.append('first entry must be the header (msgid "")')
    return msgids, problems


def _first_existing(folder: Path, stem: str) -> Path | None:
    for suffix in (".md", ".rst"):
        if (folder / f"{stem}{suffix}").is_file():
            return folder / f"{stem}{suffix}"
    return None


def check_readme_i18n(addon_dir: Path) -> list[str]:
    """readme/{DESCRIPTION,USAGE,CONFIGURE}.md|rst and a parsable i18n/<addon>.pot."""
    addon_dir = Path(addon_dir)
    problems = []
    for stem in ("DESCRIPTION", "USAGE", "CONFIGURE"):
        path = _first_existing(addon_dir / "readme", stem)
        if path is None:
            problems.append(f"readme/{stem}.md (or .rst) is missing")
        elif not path.read_text(encoding="utf-8").strip():
            problems.append(f"{_rel(path, addon_dir)} is empty")
    pot = addon_dir / "i18n" / f"{addon_dir.name}.pot"
    if not pot.is_file():
        problems.append(f"i18n/{pot.name} is missing")
    else:
        _msgids, pot_problems = parse_pot(pot.read_text(encoding="utf-8"))
        problems += [f"i18n/{pot.name}:{p}" for p in pot_problems]
    return problems


def check_test_imports(addon_dir: Path) -> list[str]:
    """Every ``tests/test_*.py`` is imported by ``tests/__init__.py``: Odoo's
    own runner (``--test-enable``) only runs what the package imports, even
    where pytest-odoo finds the file by its name."""
    tests = addon_dir / "tests"
    if not tests.is_dir():
        return []
    init = tests / "__init__.py"
    if not init.is_file():
        return ["tests/__init__.py is missing"]
    imported = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                imported.add(node.module.split(".")[0])
            else:
                imported.update(alias.name for alias in node.names)
    return [
        f"tests/{path.name} is not imported by tests/__init__.py"
        for path in sorted(tests.glob("test_*.py"))
        if path.stem not in imported
    ]


MAX_PYTHON_LINES = 500


def check_file_length(addon_dir: Path) -> list[str]:
    """No shipped Python file a reader has to scroll through: each under
    ``MAX_PYTHON_LINES`` lines (tests excepted: they are not shipped
    logic)."""
    problems = []
    for path in sorted(addon_dir.rglob("*.py")):
        relative = path.relative_to(addon_dir)
        if relative.parts[0] == "tests":
            continue
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count >= MAX_PYTHON_LINES:
            problems.append(
                f"{relative}: {count} lines (split it by concern: at most "
                f"{MAX_PYTHON_LINES - 1})"
            )
    return problems


# --------------------------------------------------------------------------
# ruff

ADDON_CHECKS = {
    "manifest": check_manifest,
    "xml": check_xml,
    "access_csv": check_access_csv,
    "python": check_python,
    "pure_subpackages": check_pure_subpackages,
    "readme_i18n": check_readme_i18n,
    "test_imports": check_test_imports,
    "file_length": check_file_length,
}


def ruff_command() -> list[str] | None:
    """How to run ruff here (``python -m ruff`` preferred), None if absent."""
    if importlib.util.find_spec("ruff") is not None:
        return [sys.executable, "-m", "ruff"]
    exe = shutil.which("ruff")
    return [exe] if exe else None


def _run_ruff(ruff: list[str], args: list[str], repo_root: Path):
    return subprocess.run(
        [*ruff, *args],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def check_ruff(repo_root: Path = REPO_ROOT) -> list[str]:
    """``ruff check`` and ``ruff format --check`` on the repository are clean."""
    ruff = ruff_command()
    if ruff is None:
        raise FileNotFoundError("ruff is not installed")
    problems = []
    for args in (
        ["check", "--no-fix", "--output-format", "concise", "."],
        ["format", "--check", "--output-format", "concise", "."],
    ):
        proc = _run_ruff(ruff, args, repo_root)
        if proc.returncode == 2 and "--output-format" in proc.stderr:
            # older ruff: no concise output for ``format``
            proc = _run_ruff(
                ruff,
                [a for a in args if a not in {"--output-format", "concise"}],
                repo_root,
            )
        if proc.returncode != 0:
            lines = (proc.stdout + proc.stderr).strip().splitlines()
            problems += [f"ruff {args[0]}: {line}" for line in lines if line.strip()]
    return problems


def check_pylint_odoo(paths, repo_root: Path = REPO_ROOT) -> list[str] | None:
    """pylint-odoo's mandatory checks (the repo's .pylintrc) over ``paths``.

    Returns None when pylint-odoo is not installed.
    """
    try:
        import pylint_odoo  # noqa: F401
    except ImportError:
        return None
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pylint",
            f"--rcfile={repo_root / '.pylintrc'}",
            "--output-format=parseable",
            "--score=n",
            *[str(path) for path in paths],
        ],
        cwd=repo_root,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in result.stdout.splitlines() if line.strip()]
