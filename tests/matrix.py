"""The template's test matrix: named combinations of framework x use cases x database.

The matrix rows are the only projects the suite installs and fully checks; deeper checks attach
to a row (tests/projects.py). The options come from copier.yml, so a new use case or database
joins the matrix by itself. How the rows are chosen, per framework (see docs/matrix.md):

1. Seeds: every database with no use case, and with every use case the framework keeps; then
   the rows deeper checks are attached to (`ATTACHED`).
2. Then greedy rows (tests/pairwise.py) until the framework has met every pair of values of two
   of its options: its use cases (only those it keeps: a use case the framework drops renders
   the same project as leaving it out) and the database.

`uv run python tests/matrix.py` prints the table for docs/matrix.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pairwise import Row, cover
from usecases import DJANGO_SIDE, FASTAPI_SIDE
from webscaffold.recommend import left_out
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
    features: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def answers(self) -> dict[str, Any]:
        """Copier answers for this combination (the rest are the canonical answers)."""
        return {
            FRAMEWORK: self.framework,
            "use_cases": list(self.use_cases),
            DATABASE: self.database,
            **self.features,
        }


def options() -> tuple[list[str], list[str], list[str]]:
    """Frameworks, use cases and databases, in copier.yml's order."""
    questions = bundled_questions()
    return (
        choices_of(questions[FRAMEWORK]),
        choices_of(questions["use_cases"]),
        choices_of(questions[DATABASE]),
    )


def kept_use_cases(framework: str) -> list[str]:
    """The use cases `framework` builds, in copier.yml's order."""
    _, use_cases, _ = options()
    dropped = {item.use_case for item in left_out(use_cases, framework)}
    return [use_case for use_case in use_cases if use_case not in dropped]


def parameters(framework: str) -> dict[str, list[Any]]:
    """A framework's matrix parameters: each use case it keeps off/on, the database."""
    _, _, databases = options()
    return {
        **{use_case: [False, True] for use_case in kept_use_cases(framework)},
        DATABASE: databases,
    }


# Feature questions' answers that each framework's rows with every use case turn on too, on every
# database: a feature is checked where the most of a project meets it, without a row of its own.
EVERY_FRAMEWORK = {"media_storage": "s3", "observability": ["sentry", "tracing", "metrics"]}
SOCIAL_LOGIN = {"social_login": ["github", "google"]}
FEATURE_ANSWERS: dict[str, dict[str, Any]] = {
    "django": {**EVERY_FRAMEWORK, **SOCIAL_LOGIN},
    "fastapi": {**EVERY_FRAMEWORK},
    "hybrid": {**EVERY_FRAMEWORK, **SOCIAL_LOGIN},
}

API_SIDE = tuple(FASTAPI_SIDE)
# Rows that deeper checks attach to, besides the extremes: (framework, use cases, database).
# Each use case alone, on each framework that keeps it (the use-case suites' pages and probes);
# the hybrid's API on its own (schemathesis); a hybrid shop with a model (the first-run pages).
ATTACHED: list[tuple[str, tuple[str, ...], str]] = [
    *(("django", (name,), "sqlite") for name in DJANGO_SIDE),
    *((framework, (name,), "sqlite") for framework in ("fastapi", "hybrid") for name in API_SIDE),
    ("hybrid", API_SIDE, "sqlite"),
    ("hybrid", ("e-commerce", "ml-api"), "sqlite"),
]


def seeds(framework: str) -> list[Row]:
    """All off and all on for every database, then the rows deeper checks need."""
    _, _, databases = options()
    kept = kept_use_cases(framework)
    rows: list[Row] = [
        {**dict.fromkeys(kept, on), DATABASE: database}
        for on in (False, True)
        for database in databases
    ]
    for attached_framework, chosen, database in ATTACHED:
        if attached_framework == framework:
            row = {**{use_case: use_case in chosen for use_case in kept}, DATABASE: database}
            if row not in rows:
                rows.append(row)
    return rows


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
    """The matrix, framework by framework, seeds first."""
    frameworks, _, _ = options()
    result = []
    for framework in frameworks:
        kept = kept_use_cases(framework)
        for row in cover(parameters(framework), seeds(framework)):
            on = [use_case for use_case in kept if row[use_case]]
            off = [use_case for use_case in kept if not row[use_case]]
            name = name_of(framework, on, off, row[DATABASE])
            features = FEATURE_ANSWERS[framework] if not off else {}
            result.append(Combination(name, framework, tuple(on), row[DATABASE], dict(features)))
    return result


def measures_coverage(combination: Combination) -> bool:
    """Whether a row's own pytest measures coverage against the bar (`uv run pytest --cov`, as the
    generated CI runs it): the rows with no use case, the least covered (76% at the last measure,
    docs/decisions/automation.md), and the SQLite rows with every use case the framework keeps,
    the most code. The measurement costs about a third of a suite's time, so the rows between
    them run the plain `uv run pytest` the README shows."""
    everything = tuple(kept_use_cases(combination.framework))
    return not combination.use_cases or (
        combination.use_cases == everything and combination.database == "sqlite"
    )


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
