"""The Django skeleton (`framework=django`): its structure, its own checks, and that it serves."""

from __future__ import annotations

import ast
import json
import shlex
import socket
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from projects import RowProject, assert_sound_django_project, on_rows, row_named, skeleton_fixture
from support import (
    admin_login_with_its_css,
    copy_project,
    free_port,
    get,
    http_get,
    on_port,
    production_env,
    refusal,
    run,
    run_deploy_steps,
    serve,
    serve_app,
    uvicorn_command,
)
from webscaffold.generate import write_env_file

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"  # from the canonical answers' project name, "Bar Probe"


# ── structure (fast: render only) ────────────────────────────────────────────


def settings_assignments(path: Path) -> dict[str, object]:
    """The literal values a settings module assigns at top level (others are skipped)."""
    values: dict[str, object] = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return values


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_django_project_structure(tmp_path: Path, database: str) -> None:
    project = copy_project(tmp_path / "p", framework="django", database=database)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())

    dependencies = pyproject["project"]["dependencies"]
    assert "django>=5.2,<5.3" in dependencies
    assert {"whitenoise>=6.8", "dj-database-url>=2.3", "gunicorn>=23"} <= set(dependencies)
    # Django's connection pool is psycopg's (psycopg_pool).
    assert ("psycopg[binary,pool]>=3.3.6" in dependencies) == (database == "postgresql")
    assert "pytest-django>=4.9" in pyproject["dependency-groups"]["dev"]
    assert pyproject["tool"]["mypy"]["plugins"] == ["mypy_django_plugin.main"]
    test_settings = f"{SLUG}.settings.test"
    assert pyproject["tool"]["django-stubs"]["django_settings_module"] == test_settings
    assert pyproject["tool"]["pytest"]["ini_options"]["DJANGO_SETTINGS_MODULE"] == test_settings

    for path in project.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")  # every rendered module is valid Python
    base = settings_assignments(project / SLUG / "settings" / "base.py")
    assert base["AUTH_USER_MODEL"] == "accounts.User"
    assert f"{SLUG}.accounts" in base["INSTALLED_APPS"]  # type: ignore[operator]
    assert base["SITE_NAME"] == "Bar Probe"
    production = settings_assignments(project / SLUG / "settings" / "production.py")
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is production["CSRF_COOKIE_SECURE"] is True
    assert (project / SLUG / "accounts" / "migrations" / "0001_initial.py").is_file()

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert not any("secret" in key.lower() for key in answers)


def test_every_module_follows_the_chosen_name_and_slug(tmp_path: Path) -> None:
    name = 'Bob\'s "Café" \\ Shop'
    project = copy_project(
        tmp_path / "p", framework="django", project_name=name, project_slug="shop"
    )
    base = settings_assignments(project / "shop" / "settings" / "base.py")
    assert base["SITE_NAME"] == name
    assert base["ROOT_URLCONF"] == "shop.urls"
    assert "shop.accounts" in base["INSTALLED_APPS"]  # type: ignore[operator]
    for path in project.rglob("*"):
        if path.is_file():
            assert "bar_probe" not in path.read_text(), path
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--quiet", "."],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.parametrize("slug", ["accounts", "dotenv", "dj_database_url", "pytest_django"])
def test_slug_may_not_shadow_what_a_django_project_imports(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ValueError, match="would shadow"):
        copy_project(tmp_path / "out", framework="django", project_slug=slug)


def test_fastapi_project_has_no_django_files(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", framework="fastapi")
    assert not (project / "manage.py").exists()
    for name in ("settings", "accounts", "templates", "static", "urls.py", "wsgi.py"):
        assert not (project / SLUG / name).exists(), name
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert not any(dep.startswith("django") for dep in pyproject["project"]["dependencies"])
    assert "django-stubs" not in pyproject["tool"]


@pytest.mark.parametrize("framework", ["django", "hybrid"])
def test_an_email_provider_sends_through_anymail_in_production(
    tmp_path: Path, framework: str
) -> None:
    """`email_provider=postmark`: django-anymail's Postmark backend, its key from the environment
    (required, as the one line production refuses with says), documented in .env.example."""
    project = copy_project(tmp_path / "p", framework=framework, email_provider="postmark")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert any(
        dep.startswith("django-anymail[postmark]") for dep in pyproject["project"]["dependencies"]
    )
    production = (project / SLUG / "settings" / "production.py").read_text()
    assert 'EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"' in production
    assert '"POSTMARK_SERVER_TOKEN": os.environ.get("POSTMARK_SERVER_TOKEN", "")' in production
    assert '"POSTMARK_SERVER_TOKEN must be set in production' in production
    assert "# POSTMARK_SERVER_TOKEN=" in (project / ".env.example").read_text()
    assert "email_provider: postmark" in (project / ".copier-answers.yml").read_text()


def test_smtp_needs_no_anymail_and_fastapi_is_not_asked(tmp_path: Path) -> None:
    django = copy_project(tmp_path / "d", framework="django")
    assert "anymail" not in (django / "pyproject.toml").read_text()
    assert "anymail" not in (django / SLUG / "settings" / "production.py").read_text()
    fastapi = copy_project(tmp_path / "f", framework="fastapi")
    assert "email_provider" not in (fastapi / ".copier-answers.yml").read_text()


# ── the generated project, checked and served (slow) ─────────────────────────


django_project = skeleton_fixture("django")


def test_passes_its_checks_with_committed_migrations_and_a_clean_deploy_check(
    django_project: RowProject,
) -> None:
    assert_sound_django_project(django_project)


def test_production_reads_the_secret_scaffold_new_writes(django_project: RowProject) -> None:
    env_file = django_project.path / ".env"
    write_env_file(django_project.path)
    try:
        settings = {**production_env(SLUG), "SECRET_KEY": ""}
        env = {k: v for k, v in {**django_project.env, **settings}.items() if v}
        output = run(
            django_project.path,
            *("uv", "run", "python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"),
            env=env,
        )
        assert "no issues" in output
    finally:
        env_file.unlink()


@pytest.mark.parametrize(
    ("missing", "fallback"),
    [
        ("SECRET_KEY", ""),
        ("SECRET_KEY", "django-insecure-" + "x" * 50),
        ("ALLOWED_HOSTS", ""),
        ("EMAIL_HOST", ""),  # no mail server assumed on the machine
    ],
)
def test_production_refuses_unsafe_settings(
    django_project: RowProject, missing: str, fallback: str
) -> None:
    env = {**django_project.env, **production_env(SLUG), missing: fallback}
    result = subprocess.run(
        ["uv", "run", "python", "manage.py", "check"],
        cwd=django_project.path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {missing}" in result.stderr


SERVERS = {
    "uvicorn-local": ("uvicorn", False),
    "uvicorn-production": ("uvicorn", True),
    "gunicorn-production": ("gunicorn", True),
}


@pytest.fixture(params=list(SERVERS))
def served(
    request: pytest.FixtureRequest, django_project: RowProject
) -> Iterator[tuple[str, bool]]:
    """The project, migrated and served; yields its base URL and whether it is production."""
    server, production = SERVERS[request.param]
    env = {**django_project.env, **(production_env(SLUG) if production else {})}
    if production:
        django_project.manage("collectstatic", "--noinput", **env)
    django_project.manage("migrate", "--noinput", **env)
    port = free_port()
    command = uvicorn_command(SLUG, port)
    if server == "gunicorn":  # the README's "Deploying" commands, as shown; gunicorn on a free port
        command = on_port(run_deploy_steps(django_project.path, env), port)
    with serve(django_project.path, command, env, port) as base:
        yield base, production


def test_serves_health_admin_and_its_css(
    served: tuple[str, bool], django_project: RowProject
) -> None:
    base, production = served
    # In production TLS ends at a proxy, which says so in X-Forwarded-Proto.
    headers = {"X-Forwarded-Proto": "https"} if production else {}

    health = get(f"{base}/health", {})  # load balancers probe over plain HTTP
    assert health.status == 200, health.body
    assert json.loads(health.body) == {"status": "ok", "database": "ok"}

    login = admin_login_with_its_css(base, headers, django_project.path, production=production)

    if production:
        plain = get(f"{base}/admin/login/", {})
        assert plain.status == 301
        assert plain.headers["location"].startswith("https://")
        assert "max-age=" in login.headers["strict-transport-security"]


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_a_server_started_unconfigured_refuses_in_one_line(
    django_project: RowProject, server: str
) -> None:
    """Servers default to production settings; without a SECRET_KEY they stop, saying so."""
    port = free_port()
    command = (
        uvicorn_command(SLUG, port)
        if server == "uvicorn"
        else ["uv", "run", "gunicorn", f"{SLUG}.wsgi", "--bind", f"127.0.0.1:{port}"]
    )
    output = refusal(django_project, command)
    errors = [line for line in output.splitlines() if "Refusing to start" in line]
    assert len(errors) == 1, output
    assert "SECRET_KEY must be set" in errors[0]
    assert f"DJANGO_SETTINGS_MODULE={SLUG}.settings.local" in errors[0]
    assert "Traceback" not in output
    if server == "uvicorn":
        assert output == errors[0]  # nothing but that line


def test_health_is_503_when_the_database_is_unreachable(django_project: RowProject) -> None:
    unreachable = (
        "sqlite:////nonexistent-folder/db.sqlite3"
        if django_project.database == "sqlite"
        else f"postgresql://postgres@127.0.0.1:{free_port()}/gone"  # nobody listens there
    )
    # PostgreSQL: the pool waits DATABASE_CONNECT_TIMEOUT for a connection, retrying meanwhile.
    env = {**django_project.env, "DATABASE_URL": unreachable, "DATABASE_CONNECT_TIMEOUT": "1"}
    with serve_app(django_project.path, SLUG, env) as base:
        health = get(f"{base}/health", {})
    assert health.status == 503
    assert json.loads(health.body) == {"status": "unavailable", "database": "unreachable"}
    assert int(health.headers["retry-after"]) > 0


# Requests that stop half-way: in the head, and in the body (CSRF reads the form for its token, so
# the site waits for the body; production wants HTTPS from the proxy and a matching Referer).
SLOW_REQUESTS = {
    "head": b"GET /health HTTP/1.1\r\nHost: example.com\r\nX-Padd",
    "body": (
        b"POST /accounts/login/ HTTP/1.1\r\nHost: example.com\r\nX-Forwarded-Proto: https\r\n"
        b"Referer: https://example.com/\r\nCookie: __Secure-csrftoken=" + b"a" * 32 + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nuser"
    ),
}


@on_rows(row_named("django", ["saas-dashboard"]))
def test_gunicorn_as_the_readme_runs_it_cuts_slow_clients_off(row: RowProject) -> None:
    """A client that stops sending its request is cut off once REQUEST_HEAD_TIMEOUT (or, for the
    body, REQUEST_BODY_TIMEOUT) passes, not when gunicorn kills the stuck worker (30 s); then the
    site answers at once."""
    readme = (row.path / "README.md").read_text()
    start = "uv run --no-dev gunicorn"
    (line,) = [line.strip() for line in readme.splitlines() if line.strip().startswith(start)]
    command = shlex.split(line, comments=True)
    assert command[command.index("--bind") + 1] == "0.0.0.0:8000"
    port = free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    bound = 1
    env = {
        **row.env,
        **production_env(SLUG),
        "REQUEST_HEAD_TIMEOUT": str(bound),
        "REQUEST_BODY_TIMEOUT": str(bound),
    }
    row.manage("migrate", "--noinput", **env)
    with serve(row.path, command, env, port) as base:
        for request in SLOW_REQUESTS.values():
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(request)
                sock.settimeout(bound + 5)  # a busy machine gets 5 s more; gunicorn's kill takes 30
                while sock.recv(4096):  # a refusal may come first; then the server hangs up
                    pass
            assert http_get(f"{base}/health").status == 200
