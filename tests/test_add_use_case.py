"""The checklist in docs/architecture.md is enough: a new row and the use case's own files.

In a copy of the template, one new Django-side use case (an app with one page) and one new
FastAPI-side one (a router) are added with a row each, their choice and flag in copier.yml, a
README section and their code, and nothing else. Rendered projects show each where users see it,
and the API's router is in the OpenAPI schema of the app booted in the project's own environment.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import copier
import pytest
import yaml

from support import CANONICAL_ANSWERS, REPO_ROOT, installed_apps, project_env, run
from usecases import use_cases
from webscaffold.recommend import recommend

SLUG = "bar_probe"
BLOG_ROW = """  {
    "key": "blog", "flag": "use_blog", "side": "django", "label": "Blog",
    "reason": "posts are pages with an editor behind them, which Django's admin gives",
    "jobs": false, "place": 9, "readme": "blog",
    "routers": [], "tests": [],
    "page": {"path": "/blog/", "status": 200, "text": "Blog"}, "api_page": {},
    "apps": [["blog", "blog/"]],
    "links": [["'blog:index'", "Blog"]]
  },
  {
    "key": "search", "flag": "use_search", "side": "fastapi", "label": "Search API",
    "reason": "a search endpoint is an API first, with typed queries",
    "jobs": false, "place": 10, "readme": "search",
    "routers": [{"name": "search", "only": ""}], "tests": [],
    "probes": "", "hybrid_app": "",
    "beat": []
  },
"""
FLAGS = """
use_blog:
  type: bool
  default: "{{ 'blog' in use_cases and use_django }}"
  when: false

use_search:
  type: bool
  default: "{{ 'search' in use_cases and use_fastapi }}"
  when: false
"""
ROUTER = '''"""Search."""

from fastapi import APIRouter

router = APIRouter(tags=["search"])


@router.get("/search")
async def search(q: str = "") -> list[str]:
    """Nothing matches yet."""
    return []
'''
OWN_FILES = {
    "template/{{project_slug}}/{% if use_blog %}blog{% endif %}/__init__.py": "",
    "template/{{project_slug}}/{% if use_blog %}blog{% endif %}/urls.py": (
        '"""The blog\'s pages."""\n\nfrom django.urls import path\nfrom django.views.generic '
        'import TemplateView\n\napp_name = "blog"\nurlpatterns = [path("", '
        'TemplateView.as_view(template_name="home.html"), name="index")]\n'
    ),
    "includes/readme/usecases/blog.md.jinja": "### Blog: `blog`\n\n- `/blog/`: the posts.",
    "includes/readme/usecases/search.md.jinja": "## Search\n\n`GET /search?q=`: matches.\n",
    "template/{{project_slug}}/{% if use_sqlalchemy %}routers{% endif %}/"
    "{% if use_search %}search.py{% endif %}": ROUTER,
    "template/{{project_slug}}/{% if use_hybrid %}api{% endif %}/routers/"
    "{% if use_search %}search.py{% endif %}": ROUTER,
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template with the two new use cases: rows, choices, flags and their own files."""
    root = tmp_path_factory.mktemp("template")
    shutil.copy(REPO_ROOT / "copier.yml", root)
    for folder in ("template", "includes"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    table = root / "includes" / "usecases.jinja"
    text = table.read_text(encoding="utf-8")
    last_row = text.index("\n] -%}")
    table.write_text(text[:last_row] + ",\n" + BLOG_ROW.rstrip(",\n") + text[last_row:])
    copier_yml = root / "copier.yml"
    text = copier_yml.read_text(encoding="utf-8")
    text = text.replace(
        '    "Mobile app backend": mobile-backend\n',
        '    "Mobile app backend": mobile-backend\n    "Blog": blog\n    "Search API": search\n',
    )
    text = text.replace(
        "\n# The chosen use cases this framework leaves out",
        FLAGS + "\n# The chosen use cases this framework leaves out",
    )
    copier_yml.write_text(text, encoding="utf-8")
    for name, content in OWN_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root


def render(template: Path, dest: Path, framework: str) -> Path:
    copier.run_copy(
        str(template),
        dest,
        data={**CANONICAL_ANSWERS, "framework": framework, "use_cases": ["blog", "search"]},
        defaults=True,
        quiet=True,
    )
    return dest


# The API's OpenAPI schema, from the app as its server builds it, printed by the project's Python.
OPENAPI = {
    "fastapi": f"import json; from {SLUG}.app import create_app; "
    "print(json.dumps(create_app().openapi()))",
    "hybrid": f"import json; from {SLUG}.asgi import api; print(json.dumps(api.openapi()))",
}


def included_routers(app_py: Path) -> set[str]:
    """The router modules an app.py includes (`x.router` passed to include_router)."""
    return set(re.findall(r"include_router\((\w+)\.router", app_py.read_text(encoding="utf-8")))


def not_included(readme: str) -> list[str]:
    section = readme.partition("## Not included")[2].partition("\n## ")[0]
    return re.findall(r"^- `([a-z-]+)`$", section, re.MULTILINE)


def test_the_rows_join_the_table_and_recommend(template: Path) -> None:
    cases = use_cases(template)
    assert [cases["blog"].side, cases["search"].side] == ["django", "fastapi"]
    advice = recommend(["blog", "search"], template)
    assert advice.framework == "hybrid"
    assert [(r.use_case, r.framework) for r in advice.reasons] == [
        ("blog", "django"),
        ("search", "fastapi"),
    ]
    assert "Django's admin" in advice.reasons[0].reason


def test_a_django_project_shows_the_site_use_case(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "p", "django")
    assert f"{SLUG}.blog" in installed_apps(project)
    assert 'path("blog/", include(blog_urls))' in (project / SLUG / "urls.py").read_text()
    base_html = (project / SLUG / "templates" / "base.html").read_text()
    assert "<a href=\"{% url 'blog:index' %}\">Blog</a>" in base_html
    readme = (project / "README.md").read_text()
    assert "## Use cases" in readme
    assert "### Blog: `blog`" in readme
    assert "## Search" not in readme
    assert not_included(readme) == ["search"]
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["background_jobs"] is False


def test_a_fastapi_project_shows_the_api_use_case(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "p", "fastapi")
    assert (project / SLUG / "routers" / "search.py").is_file()
    app = (project / SLUG / "app.py").read_text()
    assert "search" in re.search(r"from bar_probe\.routers import (.*)", app)[1]  # type: ignore[index]
    assert "search" in included_routers(project / SLUG / "app.py")
    readme = (project / "README.md").read_text()
    assert "\n## Search\n" in readme
    assert not (project / SLUG / "blog").exists()
    assert not_included(readme) == ["blog"]


def test_the_hybrid_shows_both(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "p", "hybrid")
    assert f"{SLUG}.blog" in installed_apps(project)
    assert "search" in included_routers(project / SLUG / "api" / "app.py")
    readme = (project / "README.md").read_text()
    assert "### Blog: `blog`" in readme
    assert "\n## Search\n" in readme
    assert "## Not included" not in readme


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "path"),
    [("fastapi", "/search"), ("hybrid", "/api/search")],
    ids=["fastapi", "hybrid"],
)
def test_the_api_use_case_is_in_openapi(
    template: Path, tmp_path: Path, framework: str, path: str
) -> None:
    """The router is served: the app, booted in the project's own environment, documents it."""
    project = render(template, tmp_path / "p", framework)
    env = project_env(ENVIRONMENT="test", DJANGO_SETTINGS_MODULE=f"{SLUG}.settings.test")
    run(project, "uv", "sync", "--quiet", env=env)
    schema = json.loads(run(project, "uv", "run", "python", "-c", OPENAPI[framework], env=env))
    operation = schema["paths"][path]["get"]
    assert operation["tags"] == ["search"]
    assert operation["summary"] == "Search"
