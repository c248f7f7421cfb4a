"""The template's test matrix: named combinations of framework x use cases x database.

The options come from copier.yml, so a new use case or database joins the matrix by itself.
How the rows are chosen (see docs/matrix.md):

1. Seeds: every framework x database with no use case, and with every use case.
2. Then greedy rows (tests/pairwise.py) until every framework value has met every pair of
   values of two other options: pairwise coverage, and 3-wise wherever the framework is one
   of the three, because each use case is built once per framework.

`uv run python tests/matrix.py` prints the table for docs/matrix.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pairwise import Row, cover
from webscaffold.template import bundled_questions, choices_of

FRAMEWORK = "framework"
DATABASE = "database"


@dataclass(frozen=True)
class Combination:
    """One named row of the matrix."""

    name: str
    framework: str
    use_cases: tuple[str, ...]
    database: str

    def answers(self) -> dict[str, Any]:
        """Copier answers for this combination (the rest are the canonical answers)."""
        return {
            FRAMEWORK: self.framework,
            "use_cases": list(self.use_cases),
            DATABASE: self.database,
        }


def options() -> tuple[list[str], list[str], list[str]]:
    """Frameworks, use cases and databases, in copier.yml's order."""
    questions = bundled_questions()
    return (
        choices_of(questions[FRAMEWORK]),
        choices_of(questions["use_cases"]),
        choices_of(questions[DATABASE]),
    )


def parameters() -> dict[str, list[Any]]:
    """The matrix's parameters: the framework, each use case off/on, the database."""
    frameworks, use_cases, databases = options()
    return {
        FRAMEWORK: frameworks,
        **{use_case: [False, True] for use_case in use_cases},
        DATABASE: databases,
    }


def seeds() -> list[Row]:
    """All off and all on, for every framework x database."""
    frameworks, use_cases, databases = options()
    return [
        {FRAMEWORK: framework, **dict.fromkeys(use_cases, on), DATABASE: database}
        for framework in frameworks
        for on in (False, True)
        for database in databases
    ]


def name_of(framework: str, on: list[str], off: list[str], database: str) -> str:
    """`hybrid-postgresql-cms+ml-api`; `none`, `all`, or `all-but-...` when shorter."""
    if not on:
        uses = "none"
    elif not off:
        uses = "all"
    elif len(off) < len(on):
        uses = "all-but-" + "+".join(off)
    else:
        uses = "+".join(on)
    return f"{framework}-{database}-{uses}"


def combinations() -> list[Combination]:
    """The matrix, seeds first."""
    _, use_cases, _ = options()
    result = []
    for row in cover(parameters(), seeds(), anchor=FRAMEWORK):
        on = [use_case for use_case in use_cases if row[use_case]]
        off = [use_case for use_case in use_cases if not row[use_case]]
        name = name_of(row[FRAMEWORK], on, off, row[DATABASE])
        result.append(Combination(name, row[FRAMEWORK], tuple(on), row[DATABASE]))
    return result


def markdown_table(rows: list[Combination]) -> str:
    """The table docs/matrix.md shows: one row per combination, one column per use case."""
    _, use_cases, _ = options()
    header = ["#", "name", FRAMEWORK, DATABASE, *use_cases]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(" --- " for _ in header) + "|",
    ]
    for number, row in enumerate(rows, start=1):
        marks = ["x" if use_case in row.use_cases else "" for use_case in use_cases]
        cells = [str(number), f"`{row.name}`", row.framework, row.database, *marks]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(combinations()), end="")
