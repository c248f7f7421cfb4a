"""Every generated file follows the chosen slug: nothing from the canonical test project leaks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from support import CANONICAL_ANSWERS, copy_project
from usecases import KEYS

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

ALL_USE_CASES = KEYS
CANONICAL_SLUG = "bar_probe"  # what every other template test generates


def imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("framework", ["django", "fastapi", "hybrid"])
def test_other_slug_everywhere(tmp_path: Path, framework: str) -> None:
    assert CANONICAL_ANSWERS["project_name"] == "Bar Probe"
    project = copy_project(
        tmp_path / "p",
        project_name="Other Thing",
        framework=framework,
        use_cases=ALL_USE_CASES,
    )
    python_files = list(project.rglob("*.py"))
    assert python_files
    for path in python_files:
        source = path.read_text()
        assert CANONICAL_SLUG not in imported_roots(source), path
    for path in project.rglob("*"):
        if path.is_file():
            assert CANONICAL_SLUG not in path.read_text(errors="ignore"), path
