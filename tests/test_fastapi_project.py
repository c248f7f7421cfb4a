"""The FastAPI skeleton (framework=fastapi): what it holds; that it passes its checks and serves."""

from __future__ import annotations

import ast
import configparser
import json
import re
import secrets
import shlex
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest

from projects import RowProject, on_rows
from readme_commands import commands
from support import (
    REPO_ROOT,
    copy_project,
    dependency_names,
    free_port,
    http_get,
    on_port,
    readme_commands_of,
    run,
    serve,
    serve_app,
)

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"
USER_ROUTES = {
    "/auth/register",
    "/auth/token",
    "/auth/token/mfa",
    "/auth/refresh",
    "/auth/password",
    "/auth/totp",
    "/api-keys",
    "/users/me",
}
# The standalone FastAPI project owns its settings, database layer and users.
FASTAPI_FILES = [
    f"{SLUG}/app.py",
    f"{SLUG}/config.py",
    f"{SLUG}/db.py",
    f"{SLUG}/models.py",
    f"{SLUG}/routers/auth.py",
    "alembic.ini",
    "migrations/env.py",
    "tests/conftest.py",
]
# Of those, the ones no other project may have (Django and the hybrid use the Django ORM).
SQLALCHEMY_ONLY = [f"{SLUG}/config.py", f"{SLUG}/db.py", "alembic.ini", "migrations/env.py"]
JINJA_LEFTOVER = re.compile(r"\{\{|\{%|\{#")


def runtime_and_dev(project: Path) -> tuple[set[str], set[str]]:
    """Runtime and dev dependency names from the project's pyproject.toml."""
    return dependency_names(project), dependency_names(project, "dev")


def module_constants(path: Path) -> dict[str, object]:
    """Top-level `NAME = literal` and `NAME: type = literal` assignments of a Python file."""
    constants: dict[str, object] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            try:
                constants[target.id] = ast.literal_eval(value)
            except ValueError:
                constants[target.id] = ...  # assigned, but not a literal (e.g. a call)
    return constants


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_fastapi_project_layout(tmp_path: Path, database: str) -> None:
    project = copy_project(tmp_path / "p", framework="fastapi", database=database)

    for path in [f"{SLUG}/asgi.py", *FASTAPI_FILES]:
        assert (project / path).is_file(), path
    assert not (project / "manage.py").exists()
    assert not (project / SLUG / "settings").exists()

    runtime, dev = runtime_and_dev(project)
    assert {"fastapi", "sqlalchemy", "alembic", "aiosqlite", "pydantic-settings"} <= runtime
    assert {"pyjwt", "pwdlib", "uvicorn"} <= runtime
    assert ("psycopg" in runtime) == (database == "postgresql")
    assert "django" not in runtime
    assert {"pytest", "ruff", "mypy", "httpx2"} <= dev
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert "pydantic.mypy" in pyproject["tool"]["mypy"]["plugins"]

    for source in project.rglob("*.py"):
        text = source.read_text()
        ast.parse(text, filename=str(source))
        assert not JINJA_LEFTOVER.search(text), source
    assert not list(project.rglob("*.jinja"))

    assert "application" in module_constants(project / SLUG / "asgi.py")


def test_fastapi_project_migrations_are_wired(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", framework="fastapi")
    alembic = configparser.ConfigParser(interpolation=None)
    alembic.read(project / "alembic.ini")
    assert alembic["alembic"]["script_location"] == "%(here)s/migrations"

    migrations = [
        module_constants(path) for path in (project / "migrations" / "versions").glob("*.py")
    ]
    chain = sorted((m["revision"], m["down_revision"]) for m in migrations)
    assert chain == [
        ("0001", None),
        ("0004_failed_logins", "0001"),
        ("0006_email_verified_at", "0004_failed_logins"),
        ("0007_two_factor_and_api_keys", "0006_email_verified_at"),
    ]


@pytest.mark.parametrize("framework", ["django", "hybrid"])
def test_other_frameworks_get_no_sqlalchemy_layer(tmp_path: Path, framework: str) -> None:
    project = copy_project(tmp_path / "p", framework=framework)
    for path in SQLALCHEMY_ONLY:
        assert not (project / path).exists(), path
    runtime = dependency_names(project)
    assert not {"sqlalchemy", "alembic", "aiosqlite"} & runtime


def check_and_serve(row: RowProject) -> str:
    """The project's own checks, migrations, production guard, then a boot answering /health;
    the output of the project's tests."""
    project, env = row.path, row.env
    tested = row.own_checks()
    run(project, "uv", "run", "alembic", "upgrade", "head", env=env)
    run(project, "uv", "run", "alembic", "check", env=env)

    # No configuration at all (no .env, no ENVIRONMENT), or production without a key: the app
    # refuses to start, in one line naming SECRET_KEY.
    unconfigured = {k: v for k, v in env.items() if k not in {"ENVIRONMENT", "SECRET_KEY"}}
    for refused_env in (unconfigured, {**unconfigured, "ENVIRONMENT": "production"}):
        refused = subprocess.run(
            ["uv", "run", "python", "-c", f"import {SLUG}.asgi"],
            cwd=project,
            env=refused_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert refused.returncode != 0
        assert "SECRET_KEY" in refused.stderr
        assert "Traceback" not in refused.stderr, refused.stderr

    with serve_app(project, SLUG, env) as base:
        health = http_get(f"{base}/health")
        assert health.status == 200, health.body
        assert json.loads(health.body) == {"status": "ok", "database": "ok"}
        paths = set(json.loads(http_get(f"{base}/openapi.json").body)["paths"])
        assert {"/health", *USER_ROUTES} <= paths
        assert http_get(f"{base}/docs").status == 200
    return tested


@on_rows("fastapi-sqlite-none")
def test_fastapi_sqlite_project_passes_its_checks_and_serves(row: RowProject) -> None:
    check_and_serve(row)
    assert (row.path / f"{SLUG}.sqlite3").is_file()  # the default database lives in the project


@on_rows("fastapi-postgresql-none")
def test_fastapi_postgresql_project_passes_its_checks_and_serves(row: RowProject) -> None:
    tested = check_and_serve(row)
    # The frozen-server and ended-connection tests need PostgreSQL: they ran here, and passed.
    assert "PASSED tests/test_database.py::test_a_server_that_freezes" in tested
    assert "PASSED tests/test_database.py::test_pooled_connections_the_server_ended" in tested

    # The deadline overrides psycopg's AsyncConnection.wait: the oldest psycopg the project
    # accepts must take the same arguments, or every query fails.
    project, env = row.path, row.env
    pyproject = (project / "pyproject.toml").read_text()
    (lowest,) = re.findall(r'"psycopg\[binary\]>=([\d.]+)"', pyproject)
    run(project, "uv", "pip", "install", "--quiet", f"psycopg[binary]=={lowest}", env=env)
    pytest_args = ("uv", "run", "--no-sync", "pytest", "-q", "-p", "no:cacheprovider")
    try:
        assert "4 passed" in run(project, *pytest_args, "tests/test_database.py", env=env)
    finally:
        run(project, "uv", "sync", "--quiet", env=env)  # the row's other tests get the lock's


@on_rows("fastapi-postgresql-none")
def test_a_postgresql_project_tests_itself_unconfigured_and_with_database_url_in_env_file(
    row: RowProject,
) -> None:
    """`uv run pytest` passes as generated: on SQLite with nothing configured (the tests that need
    PostgreSQL skip, saying why), and on the server `.env` names, as the README says to set it,
    before the database it names exists (the tests create theirs beside it, as Django's do)."""
    project = row.path
    env = dict(row.env)
    server = env.pop("DATABASE_URL").rsplit("/", 1)[0]
    database_url = f"{server}/not_created_{uuid.uuid4().hex[:8]}"
    pytest_args = ("uv", "run", "pytest", "-q", "-rA", "-p", "no:cacheprovider")

    unconfigured = run(project, *pytest_args, env=env)
    reasons = re.findall(r"^SKIPPED \[1\] tests/test_database\.py:\d+: (.*)$", unconfigured, re.M)
    assert len(reasons) == 2, unconfigured[-3000:]
    assert all("needs a PostgreSQL server: set DATABASE_URL" in reason for reason in reasons)

    # The whole suite passed on this server already (the row's own checks, DATABASE_URL in the
    # environment); from `.env`, the database tests show the setting is read and theirs created.
    (project / ".env").write_text(f"DATABASE_URL={database_url}\n")
    try:
        configured = run(project, *pytest_args, "tests/test_database.py", env=env)
    finally:
        (project / ".env").unlink()  # the row's other tests set their own environment
    assert "SKIPPED" not in configured, configured[-3000:]
    assert "PASSED tests/test_database.py::test_a_server_that_freezes" in configured
    assert "PASSED tests/test_database.py::test_pooled_connections_the_server_ended" in configured


@pytest.mark.parametrize(
    "name",
    ['Bob\'s "Quoted" API', 'Say "hi"', "Back\\slash <&> Café"],
    ids=["both-quotes", "double-quotes", "backslash-html-unicode"],
)
def test_free_text_answers_render_to_clean_python(tmp_path: Path, name: str) -> None:
    project = copy_project(tmp_path / "p", project_name=name, project_slug=SLUG)
    app = ast.parse((project / SLUG / "app.py").read_text())
    titles = [
        ast.literal_eval(keyword.value)
        for node in ast.walk(app)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "title"
    ]
    assert titles == [name]
    # Our own ruff, with the generated project's configuration: no `uv sync` needed.
    for check in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *check],
            cwd=project,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


ORDERS_MODEL = '''

class Order(Base):
    """An order: the model change the README's revision command is shown after."""

    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
'''


@on_rows("fastapi-sqlite-none")
def test_a_model_change_gets_its_migration_as_the_readme_says(row: RowProject) -> None:
    project, env = row.path, row.env
    shown = readme_commands_of(project)
    (revision,) = [line for line in shown if line.startswith("uv run alembic revision")]
    assert shlex.split(revision)[-2:] == ["-m", "add orders"]
    models = project / SLUG / "models.py"
    original = models.read_text(encoding="utf-8")
    versions = project / "migrations" / "versions"
    before = set(versions.glob("*.py"))
    try:
        run(project, "uv", "run", "alembic", "upgrade", "head", env=env)  # the README's order
        models.write_text(original + ORDERS_MODEL, encoding="utf-8")
        run(project, *shlex.split(revision), env=env)
        (written,) = set(versions.glob("*.py")) - before
        assert written.name.endswith("_add_orders.py"), written.name
        migration = written.read_text(encoding="utf-8")
        assert "op.create_table(" in migration
        assert '"orders"' in migration
    finally:  # the row's other tests check the project as generated
        models.write_text(original, encoding="utf-8")
        for path in set(versions.glob("*.py")) - before:
            path.unlink()


@on_rows("fastapi-sqlite-none")
def test_production_serves_as_the_deploying_page_says(row: RowProject) -> None:
    page = (REPO_ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    (command,) = [line for line in commands(page) if line.startswith("uv run --no-dev uvicorn")]
    env = {
        **row.env,
        "ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "EMAIL_HOST": "smtp.example.com",  # required, as the page says; nothing is sent here
    }
    port = free_port()
    with serve(row.path, on_port(command.replace("<slug>", SLUG), port), env, port) as base:
        assert http_get(f"{base}/health").status == 200
        assert http_get(f"{base}/docs").status == 404  # production turns the API docs off
