"""What a newcomer meets first in a generated project: its README, its pages, its API docs.

Render-only checks first (fast); then one served FastAPI real-time project and one served hybrid,
whose pages are checked as a browser gets them; then the PostgreSQL projects' commands without
DATABASE_URL.
"""

from __future__ import annotations

import ast
import http.client
import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from projects import RowProject, Rows, in_row, row_named, row_params
from support import (
    REPO_ROOT,
    copy_project,
    http_get,
    run,
    serve_app,
)

SLUG = "bar_probe"  # from the canonical answers' project name, "Bar Probe"
PROJECT_NAME = "Bar Probe"


# ── render only ──────────────────────────────────────────────────────────────

Render = Callable[..., Path]


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render a project once per set of answers in this module (tests only read them)."""
    rendered: dict[str, Path] = {}

    def render(**answers: Any) -> Path:
        key = json.dumps(answers, sort_keys=True)
        if key not in rendered:
            rendered[key] = copy_project(tmp_path_factory.mktemp("render") / "p", **answers)
        return rendered[key]

    return render


def readme_section(readme: str, title: str) -> str:
    """The text of a README's `## title` section ('' when it has none)."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |^---$|\Z)", readme, re.M | re.S)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    ("framework", "use_cases", "dropped", "keeper"),
    [
        pytest.param(
            "fastapi",
            ["e-commerce", "ml-api", "cms"],
            ["e-commerce", "cms"],
            "django",
            id="fastapi-drops-django-side",
        ),
        pytest.param(
            "django",
            ["e-commerce", "real-time"],
            ["real-time"],
            "fastapi",
            id="django-drops-fastapi-side",
        ),
    ],
)
def test_readme_lists_the_use_cases_the_framework_leaves_out(
    render: Render, framework: str, use_cases: list[str], dropped: list[str], keeper: str
) -> None:
    project = render(framework=framework, use_cases=use_cases)
    section = readme_section((project / "README.md").read_text(), "Not included")
    assert re.findall(r"^- `([a-z-]+)`$", section, re.M) == dropped
    assert f"`framework={keeper}` or `framework=hybrid` keeps them" in section


@pytest.mark.parametrize(
    ("framework", "use_cases"),
    [("hybrid", ["e-commerce", "ml-api"]), ("django", ["cms"]), ("fastapi", [])],
)
def test_readme_has_no_not_included_when_nothing_is_left_out(
    render: Render, framework: str, use_cases: list[str]
) -> None:
    project = render(framework=framework, use_cases=use_cases)
    assert "## Not included" not in (project / "README.md").read_text()


def first_code_block(readme: str) -> list[str]:
    """The commands of the README's first bash block, comments dropped."""
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("framework", "migrate"),
    [
        ("django", "manage.py migrate"),
        ("hybrid", "manage.py migrate"),
        ("fastapi", "alembic upgrade head"),
    ],
)
def test_readme_migrates_before_it_runs_the_server(
    render: Render, framework: str, migrate: str
) -> None:
    project = render(framework=framework)
    commands = first_code_block((project / "README.md").read_text())
    [migrate_at] = [i for i, command in enumerate(commands) if migrate in command]
    [serve_at] = [i for i, command in enumerate(commands) if "uvicorn" in command]
    assert migrate_at < serve_at, commands


@pytest.mark.parametrize("framework", ["django", "fastapi"])
def test_postgresql_readme_asks_for_database_url_first(render: Render, framework: str) -> None:
    project = render(framework=framework, database="postgresql")
    readme = (project / "README.md").read_text()
    assert readme.index("set `DATABASE_URL`") < readme.index("```bash")
    if framework == "fastapi":
        assert readme_section(readme, "Database").lstrip().startswith("Set `DATABASE_URL` first")


ENV_READERS = re.compile(r"""(?:os\.environ\.get|env_list|env_bool)\(\s*["']([A-Z0-9_]+)["']""")


def test_every_django_setting_reads_the_variable_its_readme_names(render: Render) -> None:
    project = render(framework="hybrid", use_cases=["e-commerce", "cms", "ml-api"])
    read = {
        name
        for module in (project / SLUG / "settings").glob("*.py")
        for name in ENV_READERS.findall(module.read_text())
    }
    assert {"API_ACCESS_TOKEN_MINUTES", "API_REFRESH_TOKEN_DAYS", "CURRENCY"} <= read
    readme = (project / "README.md").read_text()
    assert sorted(name for name in read if f"`{name}`" not in readme) == []


def test_one_import_style_absolute(render: Render) -> None:
    project = render(framework="hybrid", use_cases=["e-commerce", "cms", "ml-api"])
    relative = [
        str(path.relative_to(project))
        for path in project.rglob("*.py")
        if re.search(r"^\s*from \.", path.read_text(), re.M)
    ]
    assert relative == []
    ruff = tomllib.loads((project / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "TID" in ruff["select"]  # the project's own `ruff check` keeps it so
    assert ruff["flake8-tidy-imports"]["ban-relative-imports"] == "all"


def installed_apps(project: Path) -> list[str]:
    """INSTALLED_APPS, parsed from the rendered base settings."""
    tree = ast.parse((project / SLUG / "settings" / "base.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "INSTALLED_APPS":
            assert isinstance(node.value, ast.List)
            return [ast.literal_eval(element) for element in node.value.elts]
    raise AssertionError("no INSTALLED_APPS")


def test_installed_apps_are_grouped_django_third_party_then_the_project(render: Render) -> None:
    project = render(framework="django", use_cases=["cms"])

    def group(app: str) -> int:
        if app.startswith("django.") or app == "whitenoise.runserver_nostatic":
            return 0  # WhiteNoise's hook must sit right before staticfiles (WhiteNoise's docs)
        return 2 if app.startswith(f"{SLUG}.") else 1

    groups = [group(app) for app in installed_apps(project)]
    assert groups == sorted(groups)
    assert set(groups) == {0, 1, 2}


def test_each_framework_gets_only_the_pieces_it_uses(render: Render) -> None:
    fastapi = render(framework="fastapi")
    django = render(framework="django")
    hybrid = render(framework="hybrid")
    assert "/staticfiles/" not in (fastapi / ".gitignore").read_text().splitlines()
    assert "/staticfiles/" in (django / ".gitignore").read_text().splitlines()

    def runtime(project: Path) -> str:
        return " ".join(
            tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
        )

    assert "gunicorn" in runtime(django)
    assert "gunicorn" in (django / "README.md").read_text()  # the README uses it
    assert "gunicorn" not in runtime(hybrid)
    assert "gunicorn" not in (hybrid / "README.md").read_text()
    assert "benchmark" not in (hybrid / SLUG / "asgi.py").read_text()


INTERNAL_WORDS = re.compile(r"\bissues? #?\d+\b|seed article|lead's prototype|\bthe lead\b", re.I)
PUBLIC_TEXT = ("README.md", "copier.yml", "docs", "benchmarks", "src", "includes", "template")


def test_the_repository_speaks_of_the_project_alone() -> None:
    """No internal tracker numbers or internal people; public sources are cited by name."""
    found = []
    for top in PUBLIC_TEXT:
        root = REPO_ROOT / top
        for path in [root] if root.is_file() else sorted(root.rglob("*")):
            if path.is_file() and path.suffix not in {".pyc", ".png"}:
                try:
                    text = path.read_text()
                except UnicodeDecodeError:
                    continue  # binary data (e.g. the shipped common-passwords list) holds no prose
                for number, line in enumerate(text.splitlines(), 1):
                    # Public issues of other projects (e.g. FastAPI's) may be cited by name.
                    if INTERNAL_WORDS.search(line) and "FastAPI issues" not in line:
                        found.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
    assert found == []


# ── served projects, checked as a browser gets them ──────────────────────────


class _Links(HTMLParser):
    """Every URL a page loads or links (src and href attributes), and its <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_title = tag == "title"
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False


def links(html: bytes) -> _Links:
    """The URLs and title of an HTML page."""
    parser = _Links()
    parser.feed(html.decode())
    return parser


def script_urls(html: bytes) -> list[str]:
    """URLs a page's inline scripts load (Swagger UI names its schema and assets in JavaScript)."""
    return re.findall(r"""(?:url|href|src)\s*:\s*['"]([^'"]+)['"]""", html.decode())


def assert_docs_are_served_locally(base: str, docs_path: str) -> None:
    """The docs page names no other host, and every asset it loads answers from this app."""
    page = http_get(f"{base}{docs_path}")
    assert page.status == 200, page.body[:500]
    urls = links(page.body).urls + script_urls(page.body)
    assert any(url.endswith(".js") for url in urls), urls
    if docs_path.endswith("/docs"):  # Swagger UI has a stylesheet too (ReDoc styles itself)
        assert any(url.endswith(".css") for url in urls), urls
    assert not re.search(rb"https?://", page.body), "the docs page names another host"
    for url in urls:
        assert not urlsplit(url).netloc, url
        assert url.startswith("/"), url
        assert http_get(f"{base}{url}").status == 200, url


def websocket_handshake_status(base: str, path: str) -> int:
    """The HTTP status a WebSocket handshake gets (101 when the socket opens)."""
    host, port = urlsplit(base).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(
            "GET",
            path,
            headers={
                "Upgrade": "websocket",
                "Connection": "Upgrade",
                "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version": "13",
            },
        )
        return connection.getresponse().status
    finally:
        connection.close()


@contextmanager
def served(row: RowProject, migrate: tuple[str, ...]) -> Iterator[str]:
    """The row's project, migrated as its README says, and served; yields its base URL."""
    run(row.path, "uv", "run", *migrate, env=row.env)
    with serve_app(row.path, SLUG, row.env) as base:
        yield base


REALTIME = row_named("fastapi", ["real-time"])
HYBRID_SHOP = row_named("hybrid", ["e-commerce", "ml-api"])


@pytest.fixture(scope="module")
def realtime(rows: Rows) -> Iterator[tuple[Path, str]]:
    """A FastAPI real-time project, installed, migrated as its README says, and served."""
    row = rows.get(REALTIME)
    with served(row, ("alembic", "upgrade", "head")) as base:
        yield row.path, base


@in_row(REALTIME)
def test_fastapi_docs_load_nothing_from_another_host(realtime: tuple[Path, str]) -> None:
    _, base = realtime
    assert_docs_are_served_locally(base, "/docs")
    assert_docs_are_served_locally(base, "/redoc")


@in_row(REALTIME)
def test_realtime_behaves_as_its_readme_says(realtime: tuple[Path, str]) -> None:
    project, base = realtime
    readme = (project / "README.md").read_text()
    assert "the client gets HTTP 403" in readme
    assert "answers 401 without one" in readme
    assert websocket_handshake_status(base, "/rooms/lobby") == 403
    assert http_get(f"{base}/rooms").status == 401


@pytest.fixture(scope="module")
def hybrid(rows: Rows) -> Iterator[tuple[Path, str]]:
    """A hybrid shop with an ML API, installed, migrated as its README says, and served."""
    row = rows.get(HYBRID_SHOP)
    with served(row, ("python", "manage.py", "migrate")) as base:
        yield row.path, base


@in_row(HYBRID_SHOP)
def test_hybrid_api_docs_load_nothing_from_another_host(hybrid: tuple[Path, str]) -> None:
    _, base = hybrid
    assert_docs_are_served_locally(base, "/api/docs")


@in_row(HYBRID_SHOP)
def test_hybrid_api_docs_render_in_a_browser(hybrid: tuple[Path, str]) -> None:
    """Headless Chromium draws the docs' routes: Swagger UI ran, from the app's own assets.

    CI has no network beyond package registries, so a CDN-loaded page would stay blank here.
    """
    _, base = hybrid
    chromium = shutil.which("chromium")
    assert chromium, "the browser checks need Chromium (.ci/run installs Debian's chromium)"
    dom = subprocess.run(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{base}/api/docs",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert 'data-path="/api/products"' in dom, dom[-2000:]


@in_row(HYBRID_SHOP)
def test_hybrid_home_page_links_the_api_docs(hybrid: tuple[Path, str]) -> None:
    _, base = hybrid
    home = links(http_get(f"{base}/").body)
    assert "/api/docs" in home.urls
    assert http_get(f"{base}/api/docs").status == 200


@in_row(HYBRID_SHOP)
@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/", "/shop/"]
)
def test_pages_name_the_project_not_the_host(hybrid: tuple[Path, str], path: str) -> None:
    _, base = hybrid
    page = http_get(f"{base}{path}")
    assert page.status == 200
    title = links(page.body).title
    assert title.endswith(f"· {PROJECT_NAME}"), title
    assert "127.0.0.1" not in title
    assert f'<a class="brand" href="/">{PROJECT_NAME}</a>'.encode() in page.body


@in_row(HYBRID_SHOP)
def test_products_api_carries_the_currency(hybrid: tuple[Path, str]) -> None:
    _, base = hybrid
    schema = http_get(f"{base}/api/openapi.json")
    assert b'"currency"' in schema.body


# ── PostgreSQL projects without DATABASE_URL ─────────────────────────────────


@pytest.mark.parametrize(
    ("row", "command"),
    [
        pytest.param(row.values[0], command, id=row.id, marks=row.marks)
        for row, command in [
            (
                row_params(["django-postgresql-none"])[0],
                ("uv", "run", "python", "manage.py", "migrate"),
            ),
            (
                row_params(["fastapi-postgresql-none"])[0],
                ("uv", "run", "alembic", "upgrade", "head"),
            ),
        ]
    ],
    indirect=["row"],
)
def test_migrating_without_database_url_says_so_in_one_line(
    row: RowProject, command: tuple[str, ...]
) -> None:
    # A developer's setup, as the .env `scaffold new` writes opts in; only DATABASE_URL is missing.
    env = {**row.env, "PGCONNECT_TIMEOUT": "3"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        command, cwd=row.path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL is not set" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr
