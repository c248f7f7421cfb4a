"""Which framework fits a set of use cases, and why."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from webscaffold.answers import not_among
from webscaffold.errors import BadInputError, ScaffoldError
from webscaffold.template import (
    bundled_questions,
    bundled_template_dir,
    choices_of,
    questions_of,
    read_copier_yml,
)

# The use-case table every part of the template reads; its rows are a JSON list, so reading
# them needs no Jinja (`scaffold --help` lists the keys).
TABLE = Path("includes") / "usecases.jinja"
_ROWS = re.compile(r"\{%-? set usecases = (\[.*?\]) -?%\}", re.DOTALL)


def read_table(template_dir: Path | None = None) -> list[dict[str, Any]]:
    """A template's use-case table (the bundled one by default): its rows, in copier.yml's order."""
    path = (template_dir or bundled_template_dir()) / TABLE
    match = _ROWS.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ScaffoldError(f"{path} sets no `usecases` list")
    rows: list[dict[str, Any]] = json.loads(match[1])
    return rows


# Our own one-line reasons, from the table's rows, after "FastAPI vs Django: Which Python
# Framework Should You Choose?" (Django's batteries versus FastAPI's async, typed APIs).
REASONS: dict[str, str] = {row["key"]: row["reason"] for row in read_table()}

FRAMEWORK_SUMMARY: dict[str, str] = {
    "django": "Django: every use case is a full web application with users and an admin.",
    "fastapi": "FastAPI: every use case is an API where speed and typed validation matter.",
    "hybrid": "Hybrid: Django runs the site, admin and users; FastAPI serves the "
    "high-performance API from the same app, database and user model.",
}

NO_USE_CASE_SUMMARY = "FastAPI: with no use case given, a lean API is the smallest useful start."


@dataclass(frozen=True)
class UseCaseReason:
    """Why one use case points at one framework."""

    use_case: str
    framework: str
    reason: str


@dataclass(frozen=True)
class Recommendation:
    """The framework for a set of use cases, with the reasons behind it."""

    framework: str
    summary: str
    reasons: tuple[UseCaseReason, ...]

    def to_json(self) -> dict[str, Any]:
        """What `recommend --json` prints."""
        return asdict(self)


def _questions(template_dir: Path | None) -> dict[str, dict[str, Any]]:
    """The questions of a template (the bundled one by default)."""
    if template_dir is None:
        return bundled_questions()
    return questions_of(read_copier_yml(template_dir))


def use_case_names(template_dir: Path | None = None) -> list[str]:
    """The use cases the template offers, in its order."""
    return choices_of(_questions(template_dir)["use_cases"])


def framework_for(use_cases: Sequence[str], template_dir: Path | None = None) -> str:
    """Evaluate the template's own default expression for `framework` (it reads the table)."""
    from jinja2 import FileSystemLoader  # lazy: `--help` lists REASONS' keys
    from jinja2.sandbox import SandboxedEnvironment

    expression = str(_questions(template_dir)["framework"]["default"])
    loader = FileSystemLoader(template_dir or bundled_template_dir())
    rendered = SandboxedEnvironment(loader=loader).from_string(expression)
    return rendered.render(use_cases=list(use_cases)).strip()


def check_use_cases(use_cases: Sequence[str]) -> list[str]:
    """Reject unknown use cases; return them deduplicated, in the template's order."""
    known = use_case_names()
    for name in use_cases:
        if name not in known:
            raise BadInputError(f"unknown use case '{name}'; {not_among(name, known)}")
    return [name for name in known if name in use_cases]


def recommend(use_cases: Sequence[str], template_dir: Path | None = None) -> Recommendation:
    """Recommend a framework for the given use cases, with one reason per use case."""
    chosen = check_use_cases(use_cases) if template_dir is None else list(use_cases)
    reasons_of = {row["key"]: row["reason"] for row in read_table(template_dir)}
    framework = framework_for(chosen, template_dir)
    reasons = tuple(
        UseCaseReason(name, framework_for([name], template_dir), reasons_of[name])
        for name in chosen
    )
    summary = FRAMEWORK_SUMMARY[framework] if chosen else NO_USE_CASE_SUMMARY
    return Recommendation(framework=framework, summary=summary, reasons=reasons)


SIDE_NAMES = {"django": "Django", "fastapi": "FastAPI"}
# The one framework that runs both sides, so it keeps every use case.
KEEPS_ALL = "hybrid"


@dataclass(frozen=True)
class LeftOut:
    """A chosen use case whose module lives on a side the chosen framework does not run."""

    use_case: str
    side: str  # "django" or "fastapi"

    def advice(self, how: str) -> str:
        """One line for the user; `how` is the option that changes the framework."""
        return (
            f"{self.use_case} needs {SIDE_NAMES[self.side]}'s side: "
            f"pass {how}{KEEPS_ALL} to keep it"
        )


def left_out(use_cases: Sequence[str], framework: str) -> tuple[LeftOut, ...]:
    """The use cases `framework` leaves out: each lives on its row's side of the table."""
    if framework == KEEPS_ALL:
        return ()
    sides = {row["key"]: row["side"] for row in read_table()}
    chosen = ((name, sides[name]) for name in use_cases if name in sides)
    return tuple(LeftOut(name, side) for name, side in chosen if side != framework)
