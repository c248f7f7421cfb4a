"""FastAPI-side use cases (microservices, mobile-backend, real-time, ml-api) on `framework=fastapi`.

Each use case alone and all together: what the project holds and, when unselected, does not hold;
that it passes its own checks, migrates cleanly, and boots answering its probes.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from projects import RowProject, on_rows, row_named
from support import (
    copy_project,
    dependency_names,
    free_port,
    http_get,
    huge_header_status,
    readme_command,
    readme_commands_of,
    run,
    serve,
    uvicorn_command,
)
from usecases import USE_CASES as TABLE

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"


@dataclass(frozen=True)
class UseCase:
    """What one use case adds to a FastAPI project beyond its row in the table (tests/usecases.py:
    its routers and README section); none of it may exist when unselected."""

    files: tuple[str, ...]
    runtime: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()
    migrations: tuple[str, ...] = ()
    # Revisions added after the sign-in throttle's table, which they revise: existing projects
    # have it applied already, so a use case's new tables come after it.
    later_migrations: tuple[str, ...] = ()
    served: tuple[str, ...] = ()  # paths a booted server must answer with 200
    documented: frozenset[str] = frozenset()  # paths its OpenAPI schema must list


USE_CASES: dict[str, UseCase] = {
    "microservices": UseCase(
        files=(
            f"{SLUG}/routers/ops.py",
            f"{SLUG}/readiness.py",
            "tests/test_ops.py",
        ),
        served=("/ready", "/metrics"),
        documented=frozenset({"/ready"}),
    ),
    "mobile-backend": UseCase(
        files=(
            f"{SLUG}/refresh_tokens.py",
            f"{SLUG}/pagination.py",
            f"{SLUG}/routers/devices.py",
            f"{SLUG}/device_store.py",
            "tests/test_mobile.py",
            "migrations/versions/0002_mobile_refresh_tokens_and_devices.py",
            f"{SLUG}/push.py",  # push notifications: background jobs are on by default with it
            "tests/test_mobile_jobs.py",
            "migrations/versions/0003_push_tokens_unique.py",
        ),
        migrations=("0002_mobile", "0003_push_tokens"),
        documented=frozenset({"/v1/devices", "/v1/auth/logout", "/v1/users/me"}),
    ),
    "real-time": UseCase(
        files=(
            f"{SLUG}/realtime.py",
            f"{SLUG}/routers/rooms.py",
            f"{SLUG}/room_members.py",
            "tests/test_rooms.py",
            "tests/test_rooms_across_processes.py",  # two app servers on one Redis
            "migrations/versions/0005_rooms.py",
        ),
        settings=frozenset({"rooms_max_connections_per_user"}),
        later_migrations=("0005_rooms",),
    ),
    "ml-api": UseCase(
        files=(
            f"{SLUG}/ml/__init__.py",
            f"{SLUG}/ml/__main__.py",
            f"{SLUG}/ml/model.py",
            f"{SLUG}/routers/predictions.py",
            f"{SLUG}/prediction_log.py",
            "tests/test_predictions.py",
            # Batch scoring jobs: background jobs are on by default with this use case.
            f"{SLUG}/prediction_jobs.py",
            f"{SLUG}/routers/prediction_jobs.py",
            f"{SLUG}/prediction_job_store.py",
            f"{SLUG}/job_quota.py",
            "tests/test_prediction_jobs.py",
        ),
        runtime=frozenset({"scikit-learn", "skops"}),
        settings=frozenset(
            {
                "model_dir",
                "train_model_if_missing",
                "prediction_job_hours",
                "prediction_jobs_per_user",
                "prediction_rows_per_user",
            }
        ),
        migrations=("0003_prediction_jobs",),
    ),
}
ALL = sorted(USE_CASES)
# Each use case alone, all together, and none (the plain skeleton must carry no trace of them).
COMBINATIONS = {"none": [], **{name: [name] for name in ALL}, "all": ALL}


def imported_routers(project: Path) -> set[str]:
    """The router modules app.py imports from `<slug>.routers`."""
    tree = ast.parse((project / SLUG / "app.py").read_text())
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == f"{SLUG}.routers"
        for alias in node.names
    }


def settings_fields(project: Path) -> set[str]:
    """The annotated fields of the Settings class in config.py."""
    tree = ast.parse((project / SLUG / "config.py").read_text())
    (settings,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Settings"]
    return {
        node.target.id
        for node in settings.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def literal_assignments(path: Path) -> dict[str, object]:
    """Top-level `NAME = literal` and `NAME: type = literal` assignments of a Python file."""
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text()).body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.expr):
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found


def migration_chain(project: Path) -> list[tuple[object, object]]:
    """(revision, down_revision) of every migration, in upgrade order; fails on a fork."""
    revisions: dict[object, object] = {}
    for path in (project / "migrations" / "versions").glob("*.py"):
        constants = literal_assignments(path)
        revisions[constants["revision"]] = constants["down_revision"]
    chain: list[tuple[object, object]] = []
    parent: object = None
    while children := [rev for rev, down in revisions.items() if down == parent]:
        assert len(children) == 1, f"migrations fork after {parent}: {children}"
        chain.append((children[0], parent))
        parent = children[0]
    assert len(chain) == len(revisions), f"unreachable migrations: {revisions}"
    return chain


@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_selected_use_cases_are_wired_and_unselected_leave_no_trace(
    tmp_path: Path, combination: str
) -> None:
    selected = COMBINATIONS[combination]
    project = copy_project(tmp_path / "p", framework="fastapi", use_cases=selected)
    runtime, routers, fields = (
        dependency_names(project),
        imported_routers(project),
        settings_fields(project),
    )
    readme = (project / "README.md").read_text()
    for name, use_case in USE_CASES.items():
        chosen = name in selected
        for path in use_case.files:
            assert (project / path).is_file() == chosen, (name, path)
        assert (use_case.runtime & runtime) == (use_case.runtime if chosen else set()), name
        own_routers = TABLE[name].all_routers
        assert (own_routers & routers) == (own_routers if chosen else set()), name
        assert (use_case.settings & fields) == (use_case.settings if chosen else set()), name
        assert (TABLE[name].readme_heading() in readme) == chosen, name
    # One linear chain in every combination: each use case's migrations follow the users table,
    # then the sign-in throttle's table, then the use cases' tables added since, then the users'
    # email confirmation, two-factor sign-in and API keys.
    use_case_revisions = sorted(rev for name in selected for rev in USE_CASES[name].migrations)
    later = sorted(rev for name in selected for rev in USE_CASES[name].later_migrations)
    accounts = ["0006_email_verified_at", "0007_two_factor_and_api_keys"]
    expected = ["0001", *use_case_revisions, "0004_failed_logins", *later, *accounts]
    assert [revision for revision, _ in migration_chain(project)] == expected


# Database-independent modules the hybrid's API shares with the standalone app; every other file
# of a use case is standalone's own (SQLAlchemy, Alembic, Starlette's test client), and the hybrid
# has its own versions in `api/` (tests/test_hybrid_usecases.py checks those).
SHARED_WITH_HYBRID = {
    f"{SLUG}/pagination.py",
    f"{SLUG}/push.py",
    f"{SLUG}/realtime.py",
    f"{SLUG}/ml/__init__.py",
    f"{SLUG}/ml/__main__.py",
    f"{SLUG}/ml/model.py",
    f"{SLUG}/job_quota.py",
    "tests/test_rooms_across_processes.py",  # two app servers: the same for both stacks
}


@pytest.mark.parametrize("framework", ["django", "hybrid"])
def test_other_frameworks_get_none_of_the_standalone_modules(
    tmp_path: Path, framework: str
) -> None:
    project = copy_project(tmp_path / "p", framework=framework, use_cases=ALL)
    runtime = dependency_names(project)
    readme = (project / "README.md").read_text()
    in_api = framework == "hybrid"  # the hybrid's API carries every FastAPI-side use case
    for name, use_case in USE_CASES.items():
        own = [path for path in use_case.files if path not in SHARED_WITH_HYBRID]
        shared = [path for path in use_case.files if path in SHARED_WITH_HYBRID]
        assert not [path for path in own if (project / path).exists()], name
        assert all((project / path).is_file() == in_api for path in shared), name
        assert (use_case.runtime & runtime) == (use_case.runtime if in_api else set()), name
        assert (TABLE[name].readme_heading() in readme) == in_api, name
    assert not (project / "migrations").exists()  # Django's migrations only, per app


def check_migrate_and_serve(row: RowProject) -> None:
    """The project's own checks, a clean migration, then a boot answering its probes."""
    project, env, selected = row.path, row.env, list(row.combination.use_cases)
    row.own_checks()
    run(project, "uv", "run", "alembic", "upgrade", "head", env=env)
    run(project, "uv", "run", "alembic", "check", env=env)
    port = free_port()
    command = (  # as the README runs it in production
        readme_command(project, f"uv run uvicorn {SLUG}.asgi:application --host", port)
        if "microservices" in selected
        else uvicorn_command(SLUG, port)
    )
    with serve(project, command, env, port) as base:
        health = http_get(f"{base}/health")
        assert health.status == 200, health.body
        paths = set(json.loads(http_get(f"{base}/openapi.json").body)["paths"])
        for name in selected:
            assert USE_CASES[name].documented <= paths, name
        for name in selected:
            for path in USE_CASES[name].served:
                response = http_get(f"{base}{path}")
                assert response.status == 200, (path, response.body)
                assert "x-request-id" in {key.lower() for key in response.headers}
        if "microservices" in selected:
            assert json.loads(health.body) == {"status": "ok"}
            checks = json.loads(http_get(f"{base}/ready").body)["checks"]
            assert checks == {
                "database": "ok",
                **({"model": "ok"} if "ml-api" in selected else {}),
                **({"rooms": "ok"} if "real-time" in selected else {}),
            }
            metrics = http_get(f"{base}/metrics").body.decode()
            counted = re.findall(r"^http_requests_total\{([^}]*)\} (\S+)$", metrics, re.MULTILINE)
            routes = {
                dict(re.findall(r'(\w+)="([^"]*)"', labels))["route"] for labels, _ in counted
            }
            assert {"/health", "/ready"} <= routes
            assert huge_header_status(base) in {"HTTP/1.1 400 Bad Request", "closed"}
    if "microservices" in selected:  # SIGTERM: the app drained and closed its pool, logging JSON
        lines = [
            json.loads(line) for line in (project / f"server-{port}.log").read_text().splitlines()
        ]
        assert "shutting down: closing database connections" in [line["message"] for line in lines]


@on_rows(*(row_named("fastapi", COMBINATIONS[name]) for name in COMBINATIONS if name != "none"))
def test_use_cases_pass_their_checks_and_serve_on_sqlite(row: RowProject) -> None:
    check_migrate_and_serve(row)


@on_rows(row_named("fastapi", ALL, "postgresql"))
def test_all_use_cases_pass_their_checks_and_serve_on_postgresql(row: RowProject) -> None:
    check_migrate_and_serve(row)


@on_rows("fastapi-sqlite-ml-api", "hybrid-sqlite-ml-api")
def test_training_as_the_readme_says_writes_the_next_model_version(row: RowProject) -> None:
    (command,) = {line for line in readme_commands_of(row.path) if line.endswith(".ml train")}
    assert command == f"uv run python -m {SLUG}.ml train"
    artifacts = row.path / "artifacts"
    before = set(artifacts.glob("*")) if artifacts.is_dir() else set()
    try:
        trained = subprocess.run(
            shlex.split(command),
            cwd=row.path,
            env=row.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert trained.returncode == 0, trained.stdout + trained.stderr
        card = json.loads(trained.stdout)  # the model's card; logs go to stderr
        written = {path.name for path in set(artifacts.glob("*")) - before}
        version = card["version"]
        assert written == {f"iris-v{version}.skops", f"iris-v{version}.json"}
        assert f"iris-v{version - 1}.json" in {path.name for path in before} or version == 1
    finally:  # the row's other tests expect the model they found
        for path in set(artifacts.glob("*")) - before:
            path.unlink()
