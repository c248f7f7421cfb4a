"""The hybrid (`framework=hybrid`): Django site and FastAPI API in one ASGI app, one database."""

from __future__ import annotations

import ast
import http.client
import json
import subprocess
import threading
import tomllib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from projects import RowProject, assert_sound_django_project, row_params, skeleton_fixture
from support import (
    admin_login_with_its_css,
    copy_project,
    dependency_names,
    free_port,
    get,
    huge_header_status,
    lowercase,
    on_port,
    production_env,
    refusal,
    run_deploy_steps,
    serve,
    serve_app,
    uvicorn_command,
)

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"  # from the canonical answers' project name, "Bar Probe"
API_FILES = [
    f"{SLUG}/api/app.py",
    f"{SLUG}/api/dependencies.py",
    f"{SLUG}/api/tokens.py",
    f"{SLUG}/api/routers/auth.py",
    f"{SLUG}/api/routers/health.py",
    f"{SLUG}/api/routers/users.py",
    "tests/test_api.py",
    "tests/conftest.py",
]
DJANGO_FILES = ["manage.py", f"{SLUG}/settings/base.py", f"{SLUG}/accounts/models.py"]


# ── structure (fast: render only) ────────────────────────────────────────────


def assigned_names(path: Path) -> set[str]:
    """Names a module assigns at top level."""
    return {
        target.id
        for node in ast.parse(path.read_text()).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_hybrid_project_structure(tmp_path: Path, database: str) -> None:
    project = copy_project(tmp_path / "p", framework="hybrid", database=database)
    for name in [*DJANGO_FILES, *API_FILES]:
        assert (project / name).is_file(), name
    for module in project.rglob("*.py"):
        compile(module.read_text(), str(module), "exec")  # every rendered module is valid Python

    names = dependency_names(project)
    assert {"django", "fastapi", "pyjwt", "uvicorn", "whitenoise"} <= names
    assert ("psycopg" in names) == (database == "postgresql")
    assert not {"sqlalchemy", "alembic", "aiosqlite", "pwdlib"} & names  # one ORM: Django's
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["mypy"]["plugins"] == ["mypy_django_plugin.main"]

    assert {"site", "api", "application"} <= assigned_names(project / SLUG / "asgi.py")
    base = assigned_names(project / SLUG / "settings" / "base.py")
    assert {"API_ACCESS_TOKEN_MINUTES", "API_REFRESH_TOKEN_DAYS"} <= base
    readme = (project / "README.md").read_text()
    assert f"uvicorn {SLUG}.asgi:application" in readme
    assert "/api/docs" in readme


@pytest.mark.parametrize("slug", ["api", "asgiref", "jwt", "multipart", "starlette"])
def test_slug_may_not_shadow_what_a_hybrid_project_imports(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ValueError, match="would shadow"):
        copy_project(tmp_path / "out", framework="hybrid", project_slug=slug)


def test_django_projects_get_no_api(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", framework="django")
    assert not (project / SLUG / "api").exists()
    assert not (project / "tests" / "test_api.py").exists()
    assert not {"fastapi", "pyjwt"} & dependency_names(project)
    assert "API_ACCESS_TOKEN_MINUTES" not in assigned_names(project / SLUG / "settings" / "base.py")


# ── the generated project, checked and served (slow) ─────────────────────────


hybrid_project = skeleton_fixture("hybrid")


def test_passes_its_checks_with_committed_migrations_and_a_clean_deploy_check(
    hybrid_project: RowProject,
) -> None:
    assert_sound_django_project(hybrid_project)


@contextmanager
def served(project: RowProject, *, production: bool, **extra: str) -> Iterator[str]:
    """The project, migrated and served by uvicorn (with `extra` variables); yields its base URL."""
    env = {**project.env, **(production_env(SLUG) if production else {}), **extra}
    if production:
        project.manage("collectstatic", "--noinput", **env)
    project.manage("migrate", "--noinput", **env)
    if not production:
        with serve_app(project.path, SLUG, env) as base:
            yield base
        return
    port = free_port()  # production: the README's "Deploying" commands, its server on a free port
    server = run_deploy_steps(project.path, env)
    with serve(project.path, on_port(server, port), env, port) as base:
        yield base


@pytest.mark.parametrize("production", [False, True], ids=["local", "production"])
def test_one_server_answers_for_the_site_and_the_api(
    hybrid_project: RowProject, production: bool
) -> None:
    # In production TLS ends at a proxy, which says so in X-Forwarded-Proto.
    headers = {"X-Forwarded-Proto": "https"} if production else {}
    with served(hybrid_project, production=production) as base:
        for path in ("/health", "/api/health"):
            health = get(f"{base}{path}", {})
            assert health.status == 200, (path, health.body)
            assert json.loads(health.body) == {"status": "ok", "database": "ok"}

        admin_login_with_its_css(base, headers, hybrid_project.path, production=production)

        docs = get(f"{base}/api/docs", headers)
        if production:  # the schema and docs show every route to anyone: off in production
            assert docs.status == 404
            assert get(f"{base}/api/openapi.json", headers).status == 404
            api_headers = lowercase(get(f"{base}/api/health", headers).headers.items())
            assert api_headers["strict-transport-security"].startswith("max-age=")
            assert api_headers["x-content-type-options"] == "nosniff"
            assert huge_header_status(base) in {"HTTP/1.1 400 Bad Request", "closed"}
        else:
            assert docs.status == 200
            assert b"/api/openapi.json" in docs.body
            schema = json.loads(get(f"{base}/api/openapi.json", headers).body)
            assert {"/api/health", "/api/auth/token", "/api/users/me"} <= set(schema["paths"])
        assert get(f"{base}/api/users/me", headers).status == 401


def test_a_server_started_unconfigured_refuses_in_one_line(hybrid_project: RowProject) -> None:
    """The composed app defaults to production settings; without a SECRET_KEY it stops."""
    output = refusal(hybrid_project, uvicorn_command(SLUG, free_port()))
    assert "\n" not in output, output
    assert "Traceback" not in output
    assert output.startswith(f"Refusing to start with {SLUG}.settings.production:")
    assert "SECRET_KEY must be set" in output


# ── connection hygiene under load, on PostgreSQL (slow) ──────────────────────

CONCURRENCY = 16
POOL_MAX_SIZE = 10  # DATABASE_POOL_MAX_SIZE's default: connections one server process may hold


def psql(server_url: str, query: str) -> str:
    """Run one query on the test server's maintenance database; its output, unaligned."""
    return subprocess.run(
        ["psql", server_url, "-Atc", query], capture_output=True, text=True, check=True
    ).stdout.strip()


def hammer(base: str, path: str, total: int) -> Counter[int]:
    """`total` GETs of `path` from CONCURRENCY threads, each on a kept-alive connection."""
    host, port = base.removeprefix("http://").split(":")

    def worker(count: int) -> Counter[int]:
        statuses: Counter[int] = Counter()
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            for _ in range(count):
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                statuses[response.status] += 1
        finally:
            connection.close()
        return statuses

    shares = [total // CONCURRENCY + (i < total % CONCURRENCY) for i in range(CONCURRENCY)]
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        return sum(pool.map(worker, shares), Counter())


@contextmanager
def peak_connections(server_url: str, database: str) -> Iterator[list[int]]:
    """Sample the database's server-side connection count until the block ends; yields [peak]."""
    peak = [0]
    stop = threading.Event()
    query = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"  # noqa: S608 (our name)

    def sample() -> None:
        while not stop.wait(0.1):
            peak[0] = max(peak[0], int(psql(server_url, query)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join(timeout=10)


def terminate_backends(server_url: str, database: str) -> int:
    """What a server restart, failover or idle timeout does: drop every connection to `database`."""
    query = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "  # noqa: S608 (our name)
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
    )
    return int(psql(server_url, query))


@pytest.mark.parametrize("hybrid_project", row_params(["hybrid-postgresql-none"]), indirect=True)
def test_api_connections_stay_bounded_and_survive_a_server_purge(
    hybrid_project: RowProject, pg_server_url: str
) -> None:
    database = hybrid_project.env["DATABASE_URL"].rsplit("/", 1)[1]
    with served(hybrid_project, production=False) as base:
        with peak_connections(pg_server_url, database) as peak:
            statuses = hammer(base, "/api/health", 2000)
        assert statuses == Counter({200: 2000})
        assert 0 < peak[0] <= POOL_MAX_SIZE, peak  # one uvicorn process, one pool

        terminate_backends(pg_server_url, database)
        assert hammer(base, "/api/health", 400) == Counter({200: 400})
        assert hammer(base, "/health", 100) == Counter({200: 100})


@pytest.mark.parametrize("hybrid_project", row_params(["hybrid-postgresql-none"]), indirect=True)
def test_kept_connections_are_replaced_after_a_server_purge(
    hybrid_project: RowProject, pg_server_url: str
) -> None:
    """Without the pool, with CONN_MAX_AGE > 0 connections outlive requests; the purge kills them,
    and the API's next requests notice (Django's connection health checks) and reconnect, serving
    no errors. (The pool's own replacing is the generated project's test_database_timeouts.py.)"""
    database = hybrid_project.env["DATABASE_URL"].rsplit("/", 1)[1]
    with served(
        hybrid_project, production=False, DATABASE_POOL_MAX_SIZE="0", CONN_MAX_AGE="600"
    ) as base:
        assert hammer(base, "/api/health", 200) == Counter({200: 200})
        assert terminate_backends(pg_server_url, database) >= 1
        assert hammer(base, "/api/health", 400) == Counter({200: 400})
