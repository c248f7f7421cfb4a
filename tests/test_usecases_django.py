"""Django-side use cases (e-commerce, social network, SaaS dashboard, CMS): each adds its apps,
alone or all together, and an unselected one leaves no trace."""

from __future__ import annotations

import ast
import re
import secrets
from pathlib import Path

import pytest

import usecases
from projects import RowProject, on_rows, row_named
from support import (
    copy_project,
    create_database,
    dependency_names,
    http_get,
    installed_apps,
    run,
    serve_app,
)
from usecases import DJANGO_SIDE, FASTAPI_SIDE

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"


USE_CASES = {key: usecases.USE_CASES[key] for key in DJANGO_SIDE}
ALL = DJANGO_SIDE
# What the table does not say: Wagtail's own URL prefixes and distribution, which only the CMS adds.
WAGTAIL_PREFIXES = {"cms": ("cms/", "pages/", "documents/")}
DEPENDENCIES = {"cms": ("wagtail",)}


# ── structure (fast: render only) ────────────────────────────────────────────


@pytest.mark.parametrize("chosen", [[name] for name in ALL] + [[], ALL], ids=str)
def test_chosen_use_cases_and_only_those_leave_apps(tmp_path: Path, chosen: list[str]) -> None:
    project = copy_project(tmp_path / "p", framework="django", use_cases=chosen)
    apps = installed_apps(project)
    base_html = (project / SLUG / "templates" / "base.html").read_text()
    urls = (project / SLUG / "urls.py").read_text()
    tests = {path.name for path in (project / "tests").iterdir()}
    dependencies = dependency_names(project)
    for name, use_case in USE_CASES.items():
        selected = name in chosen
        for app in use_case.apps:
            assert (f"{SLUG}.{app}" in apps) is selected, (name, app)
            assert (project / SLUG / app).exists() is selected, (name, app)
        for prefix in use_case.prefixes + WAGTAIL_PREFIXES.get(name, ()):
            assert (f'path("{prefix}", include(' in urls) is selected, prefix
        for url_name in use_case.url_names:
            assert (f"{{% url '{url_name}'" in base_html) is selected, url_name
        for module in use_case.tests:
            assert (module in tests) is selected, module
        for dependency in DEPENDENCIES.get(name, ()):
            assert (dependency in dependencies) is selected, dependency
    for path in project.rglob("*"):
        if path.is_file():
            assert "{%" not in path.read_text() or path.suffix == ".html", path  # no Jinja left
    if not chosen:
        assert not (project / SLUG / "accounts" / "http.py").exists()
        assert not (project / SLUG / "templates" / "includes" / "pagination.html").exists()


@pytest.mark.parametrize("chosen", [[], ALL], ids=str)
def test_hybrid_read_apis_follow_the_use_cases(tmp_path: Path, chosen: list[str]) -> None:
    project = copy_project(tmp_path / "p", framework="hybrid", use_cases=chosen)
    routers = {path.stem for path in (project / SLUG / "api" / "routers").glob("*.py")}
    assert ({"products", "feed"} <= routers) is bool(chosen)
    app = ast.parse((project / SLUG / "api" / "app.py").read_text())
    included = {
        node.args[0].value.id
        for node in ast.walk(app)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", None) == "include_router"
        and isinstance(node.args[0], ast.Attribute)
        and isinstance(node.args[0].value, ast.Name)
    }
    # `metrics` is the observability question's default, whatever the use cases.
    always = {"health", "auth", "users", "metrics"}
    assert included == always | ({"products", "feed"} if chosen else set())


def test_fastapi_projects_get_no_django_use_case_apps(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", framework="fastapi", use_cases=ALL)
    for use_case in USE_CASES.values():
        for app in use_case.apps:
            assert not (project / SLUG / app).exists(), app
    assert not any(dep.startswith(("django", "wagtail")) for dep in dependency_names(project))


# ── generated projects, checked and served (slow) ────────────────────────────

COMBINATIONS = [
    *(row_named("django", [name]) for name in ALL),
    row_named("django", ALL),
    row_named("django", ALL, "postgresql"),
    row_named("hybrid", ALL + FASTAPI_SIDE),
]


@on_rows(*COMBINATIONS)
def test_use_cases_pass_their_checks_and_serve(
    row: RowProject, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    project, env = row.path, row.env
    framework, chosen = row.combination.framework, list(row.combination.use_cases)
    output = row.own_checks()
    if "e-commerce" in chosen:  # the concurrent-checkout test ran on either database, not skipped
        concurrent = re.findall(r"^(\w+) (tests/\S*concurrent\S*)", output, re.MULTILINE)
        assert concurrent, output[-3000:]
        assert {outcome for outcome, _ in concurrent} == {"PASSED"}, concurrent
    manage = ("uv", "run", "python", "manage.py")
    assert "No changes detected" in run(
        project, *manage, "makemigrations", "--check", "--dry-run", env=env
    )
    production = {
        "DJANGO_SETTINGS_MODULE": f"{SLUG}.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.com",
        "EMAIL_HOST": "smtp.example.com",
        "MEDIA_S3_BUCKET": "media",  # media_storage=s3 requires it
    }
    deploy = run(
        project, *manage, "check", "--deploy", "--fail-level", "WARNING", env={**env, **production}
    )
    assert "no issues" in deploy
    # The pages are checked empty, as a new project shows them: on a database of this test's own,
    # not the row's, which other tests attached to the row have signed users up in.
    fresh = (
        create_database(request.getfixturevalue("pg_server_url"))
        if row.database == "postgresql"
        else f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    )
    env = {**env, "DATABASE_URL": fresh}
    run(project, *manage, "migrate", "--noinput", env=env)

    # With the mobile backend the hybrid's API routes are versioned.
    api_root = "/api/v1" if "mobile-backend" in chosen else "/api"
    with serve_app(project, SLUG, env) as base:
        assert http_get(f"{base}/health").status == 200
        for name in set(chosen) & set(USE_CASES):
            use_case = USE_CASES[name]
            assert use_case.page, name
            pages = [(use_case.page.path, use_case.page)]
            if framework == "hybrid" and use_case.api_page:
                pages.append((f"{api_root}{use_case.api_page.path}", use_case.api_page))
            for path, served in pages:
                response = http_get(f"{base}{path}")
                assert response.status == served.status, (path, response.body[:2000])
                assert served.text in response.body, path
        if "cms" in chosen:
            assert b"csrfmiddlewaretoken" in http_get(f"{base}/cms/login/").body
        assert http_get(f"{base}/admin/login/").status == 200
