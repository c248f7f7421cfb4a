"""bandit finds nothing of medium or high severity in our package or in generated projects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import REPO_ROOT, copy_project

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

# Every use case the template offers.
QUESTIONS = yaml.safe_load((REPO_ROOT / "copier.yml").read_text(encoding="utf-8"))
ALL_USE_CASES = list(QUESTIONS["use_cases"]["choices"].values())


def medium_or_worse(target: Path) -> list[str]:
    """bandit's findings of medium or high severity under `target`, one line each."""
    command = [sys.executable, "-m", "bandit", "--recursive", "--severity-level", "medium"]
    result = subprocess.run(
        [*command, "--format", "json", "--quiet", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    assert report["metrics"]["_totals"]["loc"] > 0, "bandit scanned nothing"
    return [
        f"{item['filename']}:{item['line_number']}: {item['test_id']} {item['issue_text']}"
        for item in report["results"]
    ]


def test_our_package() -> None:
    assert medium_or_worse(REPO_ROOT / "src") == []


@pytest.mark.parametrize("framework", ["django", "fastapi", "hybrid"])
def test_generated_projects(tmp_path: Path, framework: str) -> None:
    """Every use case, on PostgreSQL: the most code each framework generates."""
    project = copy_project(
        tmp_path / "p", framework=framework, database="postgresql", use_cases=ALL_USE_CASES
    )
    assert medium_or_worse(project) == []
