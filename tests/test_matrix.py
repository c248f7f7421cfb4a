"""The template's matrix: each named combination generates, passes its own checks and boots.

Run one combination: `uv run pytest tests/test_matrix.py -k 'fastapi-sqlite-none]'`
(the closing bracket stops `-k` matching longer names). The table: docs/matrix.md.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations as pairs_of
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml

from matrix import Combination, combinations, markdown_table, options
from support import (
    REPO_ROOT,
    assert_worker_tests_passed,
    copy_project,
    create_database,
    dependency_names,
    http_get,
    project_env,
    run,
    run_project_checks,
    serve_app,
)

COMBINATIONS = combinations()


def as_options(combination: Combination) -> dict[str, Any]:
    """A row as option -> value, each use case on (True) or off (False)."""
    _, use_cases, _ = options()
    return {
        "framework": combination.framework,
        **{use_case: use_case in combination.use_cases for use_case in use_cases},
        "database": combination.database,
    }


def all_values() -> dict[str, list[Any]]:
    frameworks, use_cases, databases = options()
    return {
        "framework": frameworks,
        **{use_case: [False, True] for use_case in use_cases},
        "database": databases,
    }


def params(
    marks: Callable[[Combination], list[pytest.MarkDecorator]],
) -> list[Any]:
    return [
        pytest.param(combination, id=combination.name, marks=marks(combination))
        for combination in COMBINATIONS
    ]


# ── the table itself: checked here, independently of how tests/pairwise.py built it ──


def test_the_matrix_is_big_enough_and_named() -> None:
    names = [combination.name for combination in COMBINATIONS]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    assert len({tuple(as_options(c).items()) for c in COMBINATIONS}) == len(names)


def test_every_pair_of_option_values_appears() -> None:
    values = all_values()
    rows = [as_options(combination) for combination in COMBINATIONS]
    for first, second in pairs_of(values, 2):
        seen = {(row[first], row[second]) for row in rows}
        missing = set(product(values[first], values[second])) - seen
        assert not missing, f"{first} x {second}: never {sorted(missing, key=str)}"


def test_each_framework_meets_every_pair_of_other_values() -> None:
    """Use cases are built once per framework: their pairs are covered per framework too."""
    values = all_values()
    others = [name for name in values if name != "framework"]
    for framework in values["framework"]:
        rows = [row for c in COMBINATIONS if (row := as_options(c))["framework"] == framework]
        for first, second in pairs_of(others, 2):
            seen = {(row[first], row[second]) for row in rows}
            missing = set(product(values[first], values[second])) - seen
            assert not missing, f"{framework}: {first} x {second} never {sorted(missing, key=str)}"


def test_all_on_and_all_off_for_every_framework_and_database() -> None:
    frameworks, use_cases, databases = options()
    present = {(c.framework, c.database, c.use_cases) for c in COMBINATIONS}
    for framework, database in product(frameworks, databases):
        assert (framework, database, ()) in present
        assert (framework, database, tuple(use_cases)) in present


def test_docs_show_the_current_table() -> None:
    docs = (REPO_ROOT / "docs" / "matrix.md").read_text(encoding="utf-8")
    assert markdown_table(COMBINATIONS) in docs, (
        "docs/matrix.md is out of date: paste in the output of `uv run python tests/matrix.py`"
    )


# ── every combination renders with the answers it names (fast: Copier only) ──


@pytest.mark.parametrize("combination", params(lambda _c: []))
def test_combination_renders(combination: Combination, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", **combination.answers())
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["framework"] == combination.framework
    assert answers["use_cases"] == list(combination.use_cases)
    assert answers["database"] == combination.database
    names = dependency_names(project)
    assert ("django" in names) == (combination.framework in {"django", "hybrid"})
    assert ("fastapi" in names) == (combination.framework in {"fastapi", "hybrid"})


# ── every combination works: its own checks, then a boot (slow; PostgreSQL where named) ──


def slow_marks(combination: Combination) -> list[pytest.MarkDecorator]:
    marks = [pytest.mark.slow]
    if combination.database == "postgresql":
        marks.append(pytest.mark.postgres)
    return marks


# pre-commit on one row per framework: the one with every use case, so every file is checked.
PRE_COMMIT_ROWS = {
    c.name for c in COMBINATIONS if c.database == "sqlite" and len(c.use_cases) == len(options()[1])
}


def run_pre_commit(project: Path, env: dict[str, str], home: Path) -> None:
    """`pre-commit run --all-files` as a user would after `git init`: every hook must pass."""
    run(project, "git", "init", "--quiet", env=env)
    run(project, "git", "add", "--all", env=env)
    output = run(
        project,
        "uv",
        "run",
        "pre-commit",
        "run",
        "--all-files",
        env={**env, "PRE_COMMIT_HOME": str(home)},
    )
    assert "Failed" not in output, output


@pytest.mark.parametrize("combination", params(slow_marks))
def test_combination(
    combination: Combination, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    project = copy_project(tmp_path / "p", **combination.answers())
    slug = yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"]
    env = project_env()
    env.pop("DATABASE_URL", None)  # SQLite combinations use the project's own default
    env["ENVIRONMENT"] = "development"  # the opt-in `scaffold new` writes into .env
    if combination.database == "postgresql":
        env["DATABASE_URL"] = create_database(request.getfixturevalue("pg_server_url"))

    # pytest's coverage bar (fail_under) included; with jobs, the worker tests must have run
    assert_worker_tests_passed(project, run_project_checks(project, env))
    if combination.name in PRE_COMMIT_ROWS:
        run_pre_commit(project, env, tmp_path / "pre-commit")

    with serve_app(project, slug, env) as base:
        assert http_get(f"{base}/health").status == 200
