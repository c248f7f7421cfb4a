"""The template's matrix: each named combination generates, passes its own checks and boots.

Run one combination with every check attached to it: `uv run pytest -k 'fastapi-sqlite-none]'`
(the closing bracket stops `-k` matching longer names). The table: docs/matrix.md.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Callable
from itertools import combinations as pairs_of
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import yaml

from matrix import Combination, combinations, kept_use_cases, markdown_table, options
from projects import ROWS, RowProject, on_rows
from support import (
    REPO_ROOT,
    Terminal,
    assert_worker_tests_passed,
    copy_project,
    dependency_names,
    free_port,
    http_get,
    project_env,
    readme_commands_of,
    render,
    run,
    serve,
    serve_app,
)

COMBINATIONS = combinations()


def as_options(combination: Combination) -> dict[str, Any]:
    """A row as option -> value: each use case its framework keeps on (True) or off (False)."""
    return {
        **{
            use_case: use_case in combination.use_cases
            for use_case in kept_use_cases(combination.framework)
        },
        "database": combination.database,
    }


def values_of(framework: str) -> dict[str, list[Any]]:
    _, _, databases = options()
    return {
        **{use_case: [False, True] for use_case in kept_use_cases(framework)},
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


def test_rows_are_distinct_projects_and_named() -> None:
    names = [combination.name for combination in COMBINATIONS]
    assert len(set(names)) == len(names)
    distinct = {(c.framework, tuple(as_options(c).items())) for c in COMBINATIONS}
    assert len(distinct) == len(names)


def test_no_row_names_a_use_case_its_framework_drops() -> None:
    """A dropped use case renders the same project as none: such a row would check it twice."""
    for combination in COMBINATIONS:
        kept = kept_use_cases(combination.framework)
        assert set(combination.use_cases) <= set(kept), combination.name


def test_each_framework_meets_every_pair_of_its_option_values() -> None:
    """Use cases are built once per framework: their pairs are covered per framework."""
    frameworks, _, _ = options()
    for framework in frameworks:
        values = values_of(framework)
        rows = [as_options(c) for c in COMBINATIONS if c.framework == framework]
        for first, second in pairs_of(values, 2):
            seen = {(row[first], row[second]) for row in rows}
            missing = set(product(values[first], values[second])) - seen
            assert not missing, f"{framework}: {first} x {second} never {sorted(missing, key=str)}"


def test_all_on_and_all_off_for_every_framework_and_database() -> None:
    frameworks, _, databases = options()
    present = {(c.framework, c.database, c.use_cases) for c in COMBINATIONS}
    for framework, database in product(frameworks, databases):
        assert (framework, database, ()) in present
        assert (framework, database, tuple(kept_use_cases(framework))) in present


def test_docs_show_the_current_table() -> None:
    docs = (REPO_ROOT / "docs" / "matrix.md").read_text(encoding="utf-8")
    assert markdown_table(COMBINATIONS) in docs, (
        "docs/matrix.md is out of date: paste in the output of `uv run python tests/matrix.py`"
    )


# ── every combination renders with the answers it names (Copier only) ──


def extreme(combination: Combination) -> bool:
    """No use case or every use case its framework keeps: between them they render every file."""
    return combination.use_cases in {(), tuple(kept_use_cases(combination.framework))}


# The quick loop renders the extremes; the full suite every row (sharing the rows' own renders).
@pytest.mark.parametrize("combination", params(lambda c: [] if extreme(c) else [pytest.mark.slow]))
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


def test_a_project_runs_its_own_tests_whatever_options_this_suite_was_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This suite's `PYTEST_ADDOPTS="-k ..."` must not select a generated suite's tests too."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-k nothing_matches -x")
    assert "PYTEST_ADDOPTS" not in project_env()
    assert project_env(PYTEST_ADDOPTS="-rA")["PYTEST_ADDOPTS"] == "-rA"  # a test's own choice stays


# pre-commit on one row per framework: the one with every use case, so every file is checked.
PRE_COMMIT_ROWS = [
    c.name
    for c in COMBINATIONS
    if c.database == "sqlite" and c.use_cases and c.use_cases == tuple(kept_use_cases(c.framework))
]


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


def untracked_files(project: Path, rendered_root: Path) -> list[str]:
    """What `git status` would show a user of the project as new, had they committed the
    rendered files and the lock (`scaffold new` does); what this suite's own tools write aside
    (the test servers' logs, schemathesis's cache)."""
    env = project_env()
    run(project, "git", "init", "--quiet", env=env)
    listed = run(project, "git", "status", "--porcelain", "--untracked-files=all", env=env)
    paths = [line[3:] for line in listed.splitlines()]
    rendered = {str(path.relative_to(rendered_root)) for path in rendered_root.rglob("*")}
    return [
        path
        for path in paths
        if path != "uv.lock"
        and not path.startswith(("server-", ".schemathesis/"))
        and path not in rendered
    ]


# The README's first steps, run as it shows them; `uv run pytest` is the project's own checks.
FIRST_STEPS = {
    "uv sync",
    "uv lock",
    "uv run python manage.py migrate",
    "uv run alembic upgrade head",
    "uv run alembic check",
}


def run_first_steps(row: RowProject) -> None:
    """The README's install, lock, migration and superuser commands, as shown, in its order."""
    shown = readme_commands_of(row.path)
    steps = [command for command in dict.fromkeys(shown) if command in FIRST_STEPS]
    assert {"uv sync", "uv lock"} <= set(steps), shown
    for command in steps:
        run(row.path, *shlex.split(command), env=row.env)
    if "manage.py" in {path.name for path in row.path.iterdir()}:
        superuser = "uv run python manage.py createsuperuser"
        assert superuser in shown
        password = secrets.token_urlsafe(16)
        term = Terminal(shlex.split(superuser), cwd=row.path, env=row.env)
        for prompt, typed in (
            ("Username", f"admin{secrets.token_hex(4)}"),  # a name no other test of the row took
            ("Email address:", "admin@example.com"),
            ("Password:", password),
            ("Password (again):", password),
        ):
            term.wait_for(prompt)
            term.type(f"{typed}\r")
        assert term.finish() == 0, term.screen
        assert "Superuser created successfully." in term.screen


@on_rows(*ROWS)
def test_combination(row: RowProject) -> None:
    # pytest's coverage bar (fail_under) included; with jobs, the worker tests must have run
    assert_worker_tests_passed(row.path, row.own_checks())
    run_first_steps(row)
    if not row.combination.use_cases:
        # The README's development server, as shown, on the rows with no use case (one per
        # framework and database); on a free port, which uvicorn reads from UVICORN_PORT.
        (command,) = {line for line in readme_commands_of(row.path) if line.endswith(" --reload")}
        port = free_port()
        env = {**row.env, "UVICORN_PORT": str(port)}
        with serve(row.path, shlex.split(command), env, port) as base:
            assert http_get(f"{base}/health").status == 200
    else:  # the same app, served with the plain command: one server a row keeps the run short
        with serve_app(row.path, row.slug, row.env) as base:
            assert http_get(f"{base}/health").status == 200
    # What the checks, the migrations and the server wrote, git ignores.
    assert untracked_files(row.path, render(**row.combination.answers())) == []


@on_rows(*PRE_COMMIT_ROWS)
def test_pre_commit_hooks_pass(row: RowProject, tmp_path: Path) -> None:
    run_pre_commit(row.path, row.env, tmp_path / "pre-commit")
