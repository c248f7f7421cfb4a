"""Matrix rows' projects, installed and checked once per test run, keyed by the rendered tree.

A matrix row (tests/matrix.py) is the only project that is installed and fully checked: `Rows`
installs each distinct rendered tree once, runs its own checks once, and gives every test
attached to that row the same installed project. Tests attached to a row share one xdist group,
so one worker installs it.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

from matrix import Combination, combinations, measures_coverage
from support import (
    FOREIGN_VARIABLES,
    create_database,
    production_env,
    project_env,
    render,
    run,
    run_project_checks,
)


def tree_digest(root: Path) -> str:
    """A digest of every file's path, mode and bytes under `root`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(oct(path.stat().st_mode & 0o777).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


# ── matrix rows ──────────────────────────────────────────────────────────────

Test = TypeVar("Test", bound=Callable[..., Any])
ROWS = {combination.name: combination for combination in combinations()}


@dataclass
class RowProject:
    """A matrix row's project, installed, with the environment its commands run in."""

    combination: Combination
    path: Path
    env: dict[str, str]
    slug: str
    _own_checks: str | None = field(default=None, repr=False)
    _own_checks_failure: AssertionError | None = field(default=None, repr=False)

    def own_checks(self) -> str:
        """Its own ruff, format check, mypy and pytest (with the coverage bar on the rows that
        measure it), run once; pytest's output. A failure is kept too: every test of the row
        reports it, and none runs the checks again."""
        if self._own_checks_failure is not None:
            raise self._own_checks_failure
        if self._own_checks is None:
            try:
                self._own_checks = run_project_checks(
                    self.path, self.env, coverage=measures_coverage(self.combination)
                )
            except AssertionError as failure:
                self._own_checks_failure = failure
                raise
        return self._own_checks

    @property
    def database(self) -> str:
        return self.combination.database

    def manage(self, *args: str, **env: str) -> str:
        """Run `manage.py` in the project; fail the test if it fails."""
        return run(self.path, "uv", "run", "python", "manage.py", *args, env={**self.env, **env})


class Rows:
    """This process's installed matrix rows, one per distinct rendered tree."""

    def __init__(self, root: Path, request: pytest.FixtureRequest) -> None:
        self.root = root
        self.request = request
        self.by_name: dict[str, RowProject] = {}
        self.by_tree: dict[str, RowProject] = {}

    def get(self, name: str) -> RowProject:
        """The installed project of the matrix row `name`."""
        if name in self.by_name:
            return self.by_name[name]
        combination = ROWS[name]
        rendered = render(**combination.answers())
        tree = tree_digest(rendered)
        if tree in self.by_tree:  # another row renders the same files: install them once
            self.by_name[name] = self.by_tree[tree]
            return self.by_tree[tree]
        path = self.root / name
        shutil.copytree(rendered, path, symlinks=True)
        env = project_env(ENVIRONMENT="development")  # the opt-in `scaffold new` writes into .env
        for variable in FOREIGN_VARIABLES:
            env.pop(variable, None)  # the developer's shell must not change what is tested
        if combination.database == "postgresql":
            env["DATABASE_URL"] = create_database(self.request.getfixturevalue("pg_server_url"))
        answers = yaml.safe_load((path / ".copier-answers.yml").read_text(encoding="utf-8"))
        project = RowProject(combination, path, env, answers["project_slug"])
        run(path, "uv", "sync", "--quiet", env=env)
        self.by_name[name] = self.by_tree[tree] = project
        return project


def row_named(framework: str, use_cases: Sequence[str], database: str = "sqlite") -> str:
    """The name of the matrix row with exactly these answers."""
    for combination in ROWS.values():
        if (combination.framework, set(combination.use_cases), combination.database) == (
            framework,
            set(use_cases),
            database,
        ):
            return combination.name
    raise AssertionError(
        f"no matrix row is {framework} {database} {sorted(use_cases)}: add it to "
        "tests/matrix.py's ATTACHED"
    )


def row_params(names: Sequence[str]) -> list[Any]:
    """`names` as parameters of a test attached to matrix rows: slow, grouped by row."""
    params = []
    for name in names:
        assert name in ROWS, f"{name} is not a row of the matrix (tests/matrix.py)"
        marks = [pytest.mark.slow, pytest.mark.xdist_group(name)]
        if ROWS[name].database == "postgresql":
            marks.append(pytest.mark.postgres)
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def on_rows(*names: str) -> pytest.MarkDecorator:
    """Attach a test to matrix rows: it takes the `row` fixture, one row's project per run."""
    return pytest.mark.parametrize("row", row_params(names), indirect=True)


def in_row(name: str) -> Callable[[Test], Test]:
    """Attach a test that reaches row `name`'s project through a fixture of its own."""
    (param,) = row_params([name])

    def attach(test: Test) -> Test:
        for mark in param.marks:
            test = mark(test)
        return test

    return attach


def row_weight(name: str) -> float:
    """How long a row's tests take, roughly: its use cases, jobs and database make it longer."""
    combination = ROWS[name]
    weight = 1.0 + len(combination.use_cases)
    if combination.framework == "hybrid":
        weight *= 1.5
    if combination.database == "postgresql":
        weight *= 1.2
    return weight


def skeleton_fixture(framework: str) -> Any:
    """A module-scoped fixture: `framework`'s project with no use case, on SQLite and on
    PostgreSQL (the matrix rows `<framework>-<database>-none`)."""

    @pytest.fixture(
        scope="module",
        params=row_params([f"{framework}-sqlite-none", f"{framework}-postgresql-none"]),
    )
    def project(rows: Rows, request: pytest.FixtureRequest) -> RowProject:
        return rows.get(request.param)

    return project


def assert_sound_django_project(project: RowProject) -> None:
    """Its own checks pass, its migrations are committed, and the deploy check is clean."""
    project.own_checks()
    assert "No changes detected" in project.manage("makemigrations", "--check", "--dry-run")
    deploy = project.manage(
        "check", "--deploy", "--fail-level", "WARNING", **production_env(project.slug)
    )
    assert "no issues" in deploy
