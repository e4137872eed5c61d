"""Build each addon's README.rst from its readme/ fragments (OCA layout).

OCA generates README.rst with oca-gen-addon-readme; this is the same idea for
the fragments this repository uses (Markdown paragraphs and bullets with
``code``). The static suite checks that every README.rst is up to date:

    python3 tests/static/readme.py        # rewrite the five README.rst files
"""

import ast
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    ("DESCRIPTION", None),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
)
_INLINE_CODE = re.compile(r"(?<!`)`([^`]+)`(?!`)")


def markdown_to_rst(text):
    """Paragraphs, bullets, *emphasis* and `code`: what our fragments use."""
    return _INLINE_CODE.sub(r"``\1``", text.strip())


def _heading(title, mark, overline=False):
    line = mark * len(title)
    return f"{line}\n{title}\n{line}\n" if overline else f"{title}\n{line}\n"


def render_readme(addon_dir):
    addon_dir = Path(addon_dir)
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text())
    parts = [
        ".. !! This file is generated from readme/*.md by tests/static/readme.py.",
        "   Edit the fragments, then run the script. !!",
        "",
        _heading(manifest["name"], "=", overline=True),
        f"{manifest['summary']}",
        "",
        f"| **Version:** {manifest['version']} · **License:** {manifest['license']}"
        f" · **Maturity:** {manifest.get('development_status', 'Beta')}",
        "",
    ]
    for fragment, title in SECTIONS:
        path = addon_dir / "readme" / f"{fragment}.md"
        if not path.is_file():
            continue
        if title:
            parts.append(_heading(title, "="))
        parts.append(markdown_to_rst(path.read_text(encoding="utf-8")))
        parts.append("")
    parts.append(_heading("Credits", "="))
    parts.append(_heading("Authors", "~"))
    parts.extend(f"* {author.strip()}" for author in manifest["author"].split(","))
    parts.append("")
    return "\n".join(parts)


def addon_dirs(root=REPO_ROOT):
    return sorted(p.parent for p in Path(root).glob("g2p_*/__manifest__.py"))


def main():
    for addon_dir in addon_dirs():
        (addon_dir / "README.rst").write_text(
            render_readme(addon_dir), encoding="utf-8"
        )
        print(f"wrote {addon_dir.name}/README.rst")  # pylint: disable=print-used
    return 0


if __name__ == "__main__":
    sys.exit(main())
