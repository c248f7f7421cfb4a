"""Every template suite's view of a use case, from the one table: includes/usecases.jinja.

A suite that needs the use cases, their sides or what one adds reads them here, never from a list
of its own; a row added to the table joins every suite that loops over these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support import REPO_ROOT
from webscaffold.recommend import read_table

SIDES = ("django", "fastapi")


@dataclass(frozen=True)
class Served:
    """A page a served project answers: its path, status, and a text in its body."""

    path: str
    status: int
    text: bytes


@dataclass(frozen=True)
class UseCase:
    """One row of the table, as the suites use it."""

    key: str
    flag: str
    side: str  # "django" or "fastapi"
    jobs: bool  # turns background jobs on by default
    readme: str  # includes/readme/usecases/<readme>.md.jinja
    tests: tuple[str, ...]  # the generated project's test modules for it
    routers: tuple[str, ...]  # FastAPI routers it adds (a site use case's: the hybrid's read API)
    apps: tuple[str, ...] = ()  # Django side: its apps, under the project package
    prefixes: tuple[str, ...] = ()  # Django side: URL prefixes of its apps' pages
    url_names: tuple[str, ...] = ()  # Django side: the URL names its navigation links use
    page: Served | None = None  # Django side: a page a served project answers
    api_page: Served | None = None  # a site use case's read API in the hybrid, under the API root
    probes: str = ""  # FastAPI side: the operations router it puts in place of `health`
    hybrid_app: str = ""  # FastAPI side: the Django app holding its tables in the hybrid

    @property
    def readme_path(self) -> str:
        """Its README section, relative to the repository."""
        return f"includes/readme/usecases/{self.readme}.md.jinja"

    def readme_heading(self, template_dir: Path = REPO_ROOT) -> str:
        """The heading its README section starts with, as the generated README shows it."""
        lines = (template_dir / self.readme_path).read_text(encoding="utf-8").splitlines()
        return next(line for line in lines if line.startswith("#"))

    @property
    def all_routers(self) -> frozenset[str]:
        """Every router it adds where FastAPI runs alone: its API's and its probes'."""
        return frozenset(self.routers) | ({self.probes} if self.probes else frozenset())


def _served(spec: dict[str, Any] | None) -> Served | None:
    if not spec:
        return None
    return Served(spec["path"], spec["status"], spec["text"].encode())


def use_case(row: dict[str, Any]) -> UseCase:
    """A table row as a `UseCase`."""
    apps = row.get("apps", [])
    return UseCase(
        key=row["key"],
        flag=row["flag"],
        side=row["side"],
        jobs=row["jobs"],
        readme=row["readme"],
        tests=tuple(row["tests"]),
        routers=tuple(router["name"] for router in row["routers"]),
        apps=tuple(app for app, _ in apps),
        prefixes=tuple(prefix for _, prefix in apps if prefix),
        # A link's url tag arguments start with the quoted URL name: "'social:feed'".
        url_names=tuple(args.split("'")[1] for args, _ in row.get("links", [])),
        page=_served(row.get("page")),
        api_page=_served(row.get("api_page")),
        probes=row.get("probes", ""),
        hybrid_app=row.get("hybrid_app", ""),
    )


def use_cases(template_dir: Path | None = None) -> dict[str, UseCase]:
    """A template's use cases (the bundled one by default), by key, in copier.yml's order."""
    return {row["key"]: use_case(row) for row in read_table(template_dir)}


USE_CASES = use_cases()
KEYS = list(USE_CASES)
DJANGO_SIDE = [key for key, case in USE_CASES.items() if case.side == "django"]
FASTAPI_SIDE = [key for key, case in USE_CASES.items() if case.side == "fastapi"]


def side_of(key: str) -> str:
    """The side a use case's code lives on."""
    return USE_CASES[key].side


def left_out(framework: str, chosen: list[str]) -> list[str]:
    """The chosen use cases `framework` leaves out (the README's "Not included"), in order."""
    runs = {"django": ["django"], "fastapi": ["fastapi"], "hybrid": list(SIDES)}[framework]
    return [key for key in chosen if side_of(key) not in runs]


def _code(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def what_it_adds(case: UseCase) -> str:
    """The "apps / routers" cell of docs/architecture.md's use-case table."""
    parts = []
    if case.apps:
        parts.append(f"apps {_code(case.apps)}")
    if case.routers:
        where = "hybrid API routers" if case.side == "django" else "routers"
        parts.append(f"{where} {_code(case.routers)}")
    if case.probes:
        parts.append(f"router `{case.probes}` in place of `health`")
    if case.hybrid_app:
        parts.append(f"hybrid: app `{case.hybrid_app}`")
    return "; ".join(parts)


TABLE_HEADER = (
    "| use case | flag | side | apps / routers | template tests | README section | docs |\n"
    "| --- | --- | --- | --- | --- | --- | --- |\n"
)


def architecture_table() -> str:
    """docs/architecture.md's use-case table, from the table in includes/usecases.jinja."""
    lines = [
        f"| `{case.key}` | `{case.flag}` | {case.side} | {what_it_adds(case)} | "
        f"{_code(case.tests)} | `{case.readme_path}` | "
        f"`docs/use-cases/{case.key}.md`, `docs/decisions/{case.side}-use-cases.md` |\n"
        for case in USE_CASES.values()
    ]
    return TABLE_HEADER + "".join(lines)


if __name__ == "__main__":
    print(architecture_table(), end="")
