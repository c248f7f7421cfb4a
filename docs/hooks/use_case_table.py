"""MkDocs hook: the use cases on the site, read from the template's use-case table.

The nav's "Use cases" section lists one page per row of `includes/usecases.jinja`
(`use-cases/KEY.md`, titled by its heading), and `<!-- generated-use-case-reasons -->` becomes one
row per use case: its key, its side, and the reason `scaffold recommend` gives. So the site says
what the CLI says, in copier.yml's order, and a new row appears without an edit here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from webscaffold.recommend import read_table

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- generated-use-case-reasons -->"
NAV_SECTION = "Use cases"
SIDES = {"django": "Django", "fastapi": "FastAPI"}


class NavSectionNotFoundError(LookupError):
    """mkdocs.yml's nav has no section for the use cases' pages."""


def use_case_pages() -> list[str]:
    """Each use case's page, in the table's order."""
    return [f"use-cases/{row['key']}.md" for row in read_table(ROOT)]


def reasons_table() -> str:
    """The Markdown table: use case, side, why."""
    lines = ["| Use case | Side | Why |", "| --- | --- | --- |"]
    for row in read_table(ROOT):
        reason = row["reason"][:1].upper() + row["reason"][1:]
        lines.append(f"| `{row['key']}` | {SIDES[row['side']]} | {reason}. |")
    return "\n".join(lines)


def on_config(config: Any, **_: object) -> Any:
    """MkDocs hook: fill the nav's "Use cases" section with the use cases' pages."""
    for item in config["nav"]:
        if isinstance(item, dict) and NAV_SECTION in item:
            item[NAV_SECTION] = use_case_pages()
            return config
    raise NavSectionNotFoundError(f"mkdocs.yml's nav has no {NAV_SECTION!r} section")


def on_page_markdown(markdown: str, **_: object) -> str:
    """MkDocs hook: replace the marker with the table."""
    return markdown.replace(MARKER, reasons_table())
