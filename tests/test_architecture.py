"""docs/architecture.md stays true: every use case is in every place its checklist names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import test_hybrid_usecases
import test_recommend
import test_usecases_django
import test_usecases_fastapi
import yaml

from support import REPO_ROOT, scaffold
from webscaffold.recommend import REASONS, framework_for, read_table
from webscaffold.template import bundled_questions, choices_of

ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"
TEMPLATE = REPO_ROOT / "template"
SETTINGS = (
    TEMPLATE / "{{project_slug}}" / "{% if use_django %}settings{% endif %}" / "base.py.jinja"
)
FLAG_QUESTION = re.compile(
    r"\{\{ '(?P<key>[^']+)' in use_cases and use_(?P<side>django|fastapi) \}\}"
)


@dataclass(frozen=True)
class Row:
    """One row of the use-case table in docs/architecture.md."""

    key: str
    flag: str
    side: str
    tests: tuple[str, ...]
    readme: str
    docs: tuple[str, ...]


def code_spans(cell: str) -> tuple[str, ...]:
    return tuple(re.findall(r"`([^`]+)`", cell))


def table_rows() -> list[Row]:
    """The use-case table of docs/architecture.md, parsed."""
    lines = ARCHITECTURE.read_text(encoding="utf-8").splitlines()
    start = lines.index(
        "| use case | flag | side | apps / modules | template tests | README section | docs |"
    )
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        key, flag, side, _apps, tests, readme, docs = (
            c.strip() for c in line.strip("|").split("|")
        )
        rows.append(
            Row(
                key=code_spans(key)[0],
                flag=code_spans(flag)[0],
                side=side,
                tests=code_spans(tests),
                readme=code_spans(readme)[0],
                docs=code_spans(docs),
            )
        )
    return rows


USE_CASES = choices_of(bundled_questions()["use_cases"])
ROWS = {row.key: row for row in table_rows()}
FASTAPI_SIDE = [key for key in USE_CASES if framework_for([key]) == "fastapi"]


def template_paths() -> list[str]:
    return [path.relative_to(TEMPLATE).as_posix() for path in TEMPLATE.rglob("*")]


def test_the_table_has_one_row_per_use_case_in_copier_order() -> None:
    assert list(ROWS) == USE_CASES


def test_the_registry_has_one_row_per_choice_in_copier_order() -> None:
    choices = bundled_questions()["use_cases"]["choices"]
    assert [(row["label"], row["key"]) for row in read_table()] == list(choices.items())


@pytest.mark.parametrize("row", read_table(), ids=lambda row: row["key"])
def test_each_flag_is_its_registry_rows(row: dict[str, object]) -> None:
    """copier.yml keeps a `use_<case>` flag per use case (file names test it); the row names it."""
    question = bundled_questions()[str(row["flag"])]
    assert question.get("when") is False, f"{row['flag']} must be a derived flag (when: false)"
    match = FLAG_QUESTION.fullmatch(str(question["default"]))
    assert match, (
        f"{row['flag']}'s default must be \"{{{{ '{row['key']}' in use_cases and use_SIDE }}}}\""
    )
    assert (match["key"], match["side"]) == (row["key"], row["side"])


@pytest.mark.parametrize("key", USE_CASES)
def test_copier_yml_derives_the_flag_on_the_tables_side(key: str) -> None:
    row = ROWS[key]
    question = bundled_questions()[row.flag]
    assert question.get("when") is False, f"{row.flag} must be a derived flag (when: false)"
    match = FLAG_QUESTION.fullmatch(str(question["default"]))
    assert match, f"{row.flag}'s default must be \"{{{{ '{key}' in use_cases and use_SIDE }}}}\""
    assert match["key"] == key
    assert match["side"] == row.side == framework_for([key])


@pytest.mark.parametrize("key", USE_CASES)
def test_recommend_gives_a_reason(key: str) -> None:
    assert REASONS[key]


def test_recommend_lists_the_use_cases_in_copier_order() -> None:
    assert list(REASONS) == USE_CASES


# Files that list every use case's pieces loop over includes/usecases.jinja instead of naming them.
LOOPING = [
    TEMPLATE / "{{project_slug}}" / "{% if use_django %}templates{% endif %}" / "base.html.jinja",
    TEMPLATE
    / "{{project_slug}}"
    / "{% if use_django %}static{% endif %}"
    / "css"
    / "site.css.jinja",
    TEMPLATE / "README.md.jinja",
    TEMPLATE / "{{project_slug}}" / "{% if use_background_jobs %}celery.py{% endif %}.jinja",
    REPO_ROOT / "includes" / "readme" / "django_use_cases.md.jinja",
]


@pytest.mark.parametrize("path", LOOPING, ids=lambda path: path.name)
def test_cross_cutting_files_read_the_table_and_name_no_use_case(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "'includes/usecases.jinja'" in text
    for row in read_table():
        assert not re.search(rf"\b{row['flag']}\b", text), f"{path.name} names {row['flag']}"


@pytest.mark.parametrize("key", USE_CASES)
def test_template_files_and_tests_are_conditional_on_the_flag(key: str) -> None:
    row = ROWS[key]
    flagged = [path for path in template_paths() if re.search(rf"\b{row.flag}\b", path)]
    code = [path for path in flagged if not path.startswith("tests/")]
    assert code, f"no template file or folder name tests {row.flag}"
    test_files = {path.split("/", 1)[1] for path in flagged if path.startswith("tests/")}
    for name in row.tests:
        assert any(re.search(rf"%\}}{re.escape(name)}\{{%", path) for path in test_files), (
            f"template/tests/ has no {name} conditional on {row.flag}"
        )


@pytest.mark.parametrize("row", read_table(), ids=lambda row: row["key"])
def test_the_generated_readme_has_a_section(row: dict[str, str]) -> None:
    readme = REPO_ROOT / "includes" / "readme" / "usecases" / f"{row['readme']}.md.jinja"
    assert readme.is_file(), readme


@pytest.mark.parametrize("key", USE_CASES)
def test_the_docs_explain_it(key: str) -> None:
    row = ROWS[key]
    assert "docs/use-cases.md" in row.docs
    for page in row.docs:
        assert (REPO_ROOT / page).is_file(), page
    reasons = (REPO_ROOT / "docs" / "use-cases.md").read_text(encoding="utf-8")
    side = {"django": "Django", "fastapi": "FastAPI"}[row.side]
    why = rf"^\| `{re.escape(key)}` \| {side} \| "
    assert re.search(why, reasons, re.MULTILINE), f"docs/use-cases.md gives no reason for {key}"


def test_the_template_suites_cover_every_use_case() -> None:
    suites = set(test_usecases_django.USE_CASES) | set(test_usecases_fastapi.USE_CASES)
    assert suites == set(USE_CASES)
    assert set(test_usecases_fastapi.USE_CASES) == set(FASTAPI_SIDE)
    assert set(test_recommend.WEB) | set(test_recommend.API) == set(USE_CASES)
    assert set(test_recommend.API) == set(FASTAPI_SIDE)
    assert set(test_hybrid_usecases.FASTAPI_SIDE) == set(FASTAPI_SIDE)
    assert set(test_usecases_django.API_SIDE) == set(FASTAPI_SIDE)


def test_the_everything_fixture_has_every_use_case() -> None:
    fixture = REPO_ROOT / "tests" / "fixtures" / "hybrid-all-use-cases.yml"
    answers = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    assert answers["use_cases"] == USE_CASES


def test_the_matrix_doc_has_a_column_per_use_case() -> None:
    matrix = (REPO_ROOT / "docs" / "matrix.md").read_text(encoding="utf-8")
    header = next(line for line in matrix.splitlines() if line.startswith("| # | name |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert [column for column in columns if column in USE_CASES] == USE_CASES


def test_new_help_lists_every_use_case() -> None:
    code, output = scaffold("new", "--help")
    assert code == 0
    flat = " ".join(output.split())
    assert ", ".join(USE_CASES) in flat


def test_the_checklist_names_every_place_this_test_checks() -> None:
    checklist = ARCHITECTURE.read_text(encoding="utf-8").split("## Checklist: add a use case")[1]
    for place in (
        "copier.yml",
        "src/webscaffold/recommend.py",
        "includes/fastapi.jinja",
        "settings{% endif %}/base.py.jinja",
        "template/tests/",
        "includes/readme/django_use_cases.md.jinja",
        "includes/readme/usecases/",
        "docs/use-cases.md",
        "tests/test_usecases_django.py",
        "tests/test_usecases_fastapi.py",
        "tests/test_recommend.py",
        "tests/test_hybrid_usecases.py",
        "tests/fixtures/hybrid-all-use-cases.yml",
        "docs/matrix.md",
    ):
        assert place in checklist, place


def test_the_module_map_names_every_module() -> None:
    """A module added to the package gets a row in the map (and a removed one loses it)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    table = text.partition("## Module map (`src/webscaffold/`)")[2].partition("\n## ")[0]
    mapped = set(re.findall(r"^\| `(\w+\.py)` \|", table, re.MULTILINE))
    package = REPO_ROOT / "src" / "webscaffold"
    modules = {path.name for path in package.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert mapped == modules
