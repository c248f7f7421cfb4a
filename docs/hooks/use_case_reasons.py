"""MkDocs hook: why each use case lands on its side, read from the template's use-case table.

`<!-- generated-use-case-reasons -->` becomes one row per use case of `includes/usecases.jinja`, in
copier.yml's order: its key, its side, and the reason `scaffold recommend` gives, so the page says
what the CLI says and a new row appears here without an edit.
"""

from __future__ import annotations

from pathlib import Path

from webscaffold.recommend import read_table

ROOT = Path(__file__).resolve().parents[2]
MARKER = "<!-- generated-use-case-reasons -->"
SIDES = {"django": "Django", "fastapi": "FastAPI"}


def reasons_table() -> str:
    """The Markdown table: use case, side, why."""
    lines = ["| Use case | Side | Why |", "| --- | --- | --- |"]
    for row in read_table(ROOT):
        reason = row["reason"][:1].upper() + row["reason"][1:]
        lines.append(f"| `{row['key']}` | {SIDES[row['side']]} | {reason}. |")
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: object) -> str:
    """MkDocs hook: replace the marker with the table."""
    return markdown.replace(MARKER, reasons_table())
