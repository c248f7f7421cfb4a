"""docs/architecture.md stays true, and every use case's row is in every place that reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import test_docs
import test_usecases_django
import test_usecases_fastapi
import yaml

from support import REPO_ROOT, scaffold
from usecases import FASTAPI_SIDE, KEYS, USE_CASES, UseCase, architecture_table
from webscaffold.recommend import REASONS, framework_for, read_table
from webscaffold.template import bundled_questions

ARCHITECTURE = REPO_ROOT / "docs" / "architecture.md"
TEMPLATE = REPO_ROOT / "template"
FLAG_QUESTION = re.compile(
    r"\{\{ '(?P<key>[^']+)' in use_cases and use_(?P<side>django|fastapi) \}\}"
)
CASES = [pytest.param(case, id=key) for key, case in USE_CASES.items()]


def template_paths() -> list[str]:
    return [path.relative_to(TEMPLATE).as_posix() for path in TEMPLATE.rglob("*")]


def test_the_table_has_one_row_per_choice_in_copier_order() -> None:
    choices = bundled_questions()["use_cases"]["choices"]
    assert [(row["label"], row["key"]) for row in read_table()] == list(choices.items())


@pytest.mark.parametrize("case", CASES)
def test_each_flag_is_its_rows(case: UseCase) -> None:
    """copier.yml keeps a `use_<case>` flag per use case (file names test it); the row names it."""
    question = bundled_questions()[case.flag]
    assert question.get("when") is False, f"{case.flag} must be a derived flag (when: false)"
    match = FLAG_QUESTION.fullmatch(str(question["default"]))
    assert match, (
        f"{case.flag}'s default must be \"{{{{ '{case.key}' in use_cases and use_SIDE }}}}\""
    )
    assert (match["key"], match["side"]) == (case.key, case.side)
    assert framework_for([case.key]) == case.side


def test_recommend_gives_each_rows_reason_in_copier_order() -> None:
    assert list(REASONS) == KEYS
    assert all(REASONS.values())


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
    for case in USE_CASES.values():
        assert not re.search(rf"\b{case.flag}\b", text), f"{path.name} names {case.flag}"


@pytest.mark.parametrize("case", CASES)
def test_template_files_and_tests_are_conditional_on_the_flag(case: UseCase) -> None:
    flagged = [path for path in template_paths() if re.search(rf"\b{case.flag}\b", path)]
    code = [path for path in flagged if not path.startswith("tests/")]
    assert code, f"no template file or folder name tests {case.flag}"
    test_files = {path.split("/", 1)[1] for path in flagged if path.startswith("tests/")}
    for name in case.tests:
        assert any(re.search(rf"%\}}{re.escape(name)}\{{%", path) for path in test_files), (
            f"template/tests/ has no {name} conditional on {case.flag}"
        )


@pytest.mark.parametrize("case", CASES)
def test_the_generated_readme_has_a_section(case: UseCase) -> None:
    assert (REPO_ROOT / case.readme_path).is_file(), case.readme_path
    assert case.readme_heading().startswith("#")


@pytest.mark.parametrize("case", CASES)
def test_the_docs_explain_it(case: UseCase) -> None:
    assert (REPO_ROOT / "docs" / "use-cases" / f"{case.key}.md").is_file()
    assert (REPO_ROOT / "docs" / "decisions" / f"{case.side}-use-cases.md").is_file()
    # The page's reasons are generated from the rows, as the site shows them.
    reasons = test_docs.site_page("use-cases.md", test_docs.load_hook("use_case_table"))
    side = {"django": "Django", "fastapi": "FastAPI"}[case.side]
    why = rf"^\| `{re.escape(case.key)}` \| {side} \| "
    assert re.search(why, reasons, re.MULTILINE), (
        f"docs/use-cases.md gives no reason for {case.key}"
    )


def test_the_architecture_table_is_generated_from_the_rows() -> None:
    assert architecture_table() in ARCHITECTURE.read_text(encoding="utf-8"), (
        "docs/architecture.md's use-case table is out of date: paste in the output of "
        "`uv run python tests/usecases.py`"
    )


def test_the_template_suites_cover_every_use_case() -> None:
    suites = set(test_usecases_django.USE_CASES) | set(test_usecases_fastapi.USE_CASES)
    assert suites == set(KEYS)
    assert set(test_usecases_fastapi.USE_CASES) == set(FASTAPI_SIDE)


def test_the_everything_fixture_has_every_use_case() -> None:
    fixture = REPO_ROOT / "tests" / "fixtures" / "hybrid-all-use-cases.yml"
    answers = yaml.safe_load(fixture.read_text(encoding="utf-8"))
    assert answers["use_cases"] == KEYS


def test_the_matrix_doc_has_a_column_per_use_case() -> None:
    matrix = (REPO_ROOT / "docs" / "matrix.md").read_text(encoding="utf-8")
    header = next(line for line in matrix.splitlines() if line.startswith("| # | name |"))
    columns = [cell.strip() for cell in header.strip("|").split("|")]
    assert [column for column in columns if column in KEYS] == KEYS


def test_new_help_lists_every_use_case() -> None:
    code, output = scaffold("new", "--help")
    assert code == 0
    flat = " ".join(output.split())
    assert ", ".join(KEYS) in flat


def test_the_checklist_names_every_place_a_new_use_case_needs() -> None:
    checklist = ARCHITECTURE.read_text(encoding="utf-8").split("## Checklist: add a use case")[1]
    for place in (
        "includes/usecases.jinja",
        "copier.yml",
        "tests/test_architecture.py",
        "tests/test_add_use_case.py",
        "includes/readme/usecases/",
        "template/tests/",
        "docs/use-cases.md",
        "tests/fixtures/hybrid-all-use-cases.yml",
        "uv run scaffold fixtures regen tests/fixtures",
        "uv run python tests/matrix.py",
        "uv run python tests/usecases.py",
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


def test_the_conventions_name_everything_in_includes() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    for path in (REPO_ROOT / "includes").iterdir():
        name = f"{path.name}/" if path.is_dir() else path.name
        assert f"`{name}" in text, f"docs/architecture.md does not name includes/{name}"
