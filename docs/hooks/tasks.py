"""MkDocs hook: a use case's background tasks, read from the template and a golden fixture.

`<!-- generated-tasks USE-CASE -->` becomes the Celery tasks that use case adds (with
`background_jobs` on), each with its docstring's first clause, and which of them beat runs on a
schedule. Which module belongs to a use case comes from the template's file names
(`{% if use_ecommerce %}orders{% endif %}/{% if use_background_jobs %}tasks.py…`) and copier.yml's
flags (`use_ecommerce` is `'e-commerce' in use_cases`); the tasks themselves from the
`hybrid-all-use-cases` fixture, which has every use case's module. An unknown use case fails the
build.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "hybrid-all-use-cases"
MARKER = re.compile(r"<!-- generated-tasks (?P<use_case>[\w-]+) -->")
TASK_DIR = re.compile(r"\{% if (?:use_hybrid and )?(?P<flag>use_\w+) %\}(?P<dir>\w+)\{% endif %\}")
SCHEDULED = re.compile(r'"task": "[\w.]+\.(?P<name>\w+)",\s*"schedule": (?P<when>crontab\([^)]*\))')


class UnknownUseCaseError(LookupError):
    """A page names a use case copier.yml does not offer."""


def use_case_flags() -> dict[str, str]:
    """Each use case's flag in copier.yml, e.g. {"e-commerce": "use_ecommerce"}."""
    questions = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    flags = {}
    for key, spec in questions.items():
        default = spec.get("default") if isinstance(spec, dict) else None
        match = re.fullmatch(r"\{\{ '([\w-]+)' in use_cases and use_\w+ \}\}", str(default))
        if match:
            flags[match[1]] = key
    return flags


def task_modules() -> dict[str, str]:
    """Flag → the package directory whose tasks.py it switches on."""
    modules = {}
    for path in (ROOT / "template").rglob("*tasks.py*"):
        match = TASK_DIR.fullmatch(path.parent.name)
        if match:
            modules[match["flag"]] = match["dir"]
    return modules


def tasks(use_case: str) -> list[tuple[str, str, str | None]]:
    """(task, what it does, its beat schedule or None) for each task the use case adds."""
    flags = use_case_flags()
    if use_case not in flags:
        raise UnknownUseCaseError(f"no use case {use_case!r} in copier.yml: {', '.join(flags)}")
    directory = task_modules().get(flags[use_case])
    if directory is None:
        return []
    (package,) = [p for p in FIXTURE.iterdir() if (p / "celery.py").is_file()]
    scheduled = dict(SCHEDULED.findall((package / "celery.py").read_text(encoding="utf-8")))
    module = ast.parse((package / directory / "tasks.py").read_text(encoding="utf-8"))
    found = []
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and any(map(is_task, node.decorator_list)):
            doc = (ast.get_docstring(node) or "").split(";")[0].split(". ")[0].rstrip(".")
            found.append((node.name, doc[:1].lower() + doc[1:], scheduled.get(node.name)))
    return found


def is_task(decorator: ast.expr) -> bool:
    """Whether a decorator makes a Celery task (`@app.task`, `@app.task(...)`), not, say, a
    signal handler (`@worker_init.connect`)."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "task"


def jobs_by_default(use_case: str) -> bool:
    """Whether copier.yml's `background_jobs` defaults to on for this use case."""
    questions = yaml.safe_load((ROOT / "copier.yml").read_text(encoding="utf-8"))
    return use_case_flags()[use_case] in str(questions["background_jobs"]["default"])


def task_names(use_case: str) -> list[str]:
    """The names of the tasks a use case adds."""
    return [name for name, _doc, _when in tasks(use_case)]


def tasks_text(use_case: str) -> str:
    """One table cell's worth of Markdown."""
    found = tasks(use_case)
    if not found:
        return "no background tasks"
    parts = []
    for name, doc, when in found:
        schedule = f", run by beat on `{when}`" if when else ""
        parts.append(f"`{name}` ({doc}){schedule}")
    default = " (on by default here)" if jobs_by_default(use_case) else ""
    return f"Celery tasks with `background_jobs`{default}: " + "; ".join(parts)


def on_page_markdown(markdown: str, **_: object) -> str:
    """MkDocs hook: replace every marker with its use case's tasks."""
    return MARKER.sub(lambda m: tasks_text(m["use_case"]), markdown)
