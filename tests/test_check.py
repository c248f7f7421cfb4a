"""`scaffold check`: behind (exit 1), drift (listed; exit 1 only with --strict), errors (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from history import ANSWERS_TEMPLATE, build_file_tree, generate, git_save
from support import scaffold

TEMPLATE = {
    "copier.yml": "name:\n  type: str\n  default: demo\n",
    "{{_copier_conf.answers_file}}.jinja": ANSWERS_TEMPLATE,
    "README.md.jinja": "# {{ name }}\n",
    "config.txt": "setting = 1\n",
    "notes.txt": "notes\n",
}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    root = tmp_path / "template"
    build_file_tree(TEMPLATE, root)
    git_save(root, "v1", tag="v1")
    return root


def test_up_to_date_and_clean(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p", name="probe")
    code, output = scaffold("check", str(project), "--strict")
    assert code == 0, output
    assert "Up to date at v1" in output
    assert "differ" not in output


def test_behind_exits_1_and_json_says_why(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    build_file_tree({"config.txt": "setting = 2\n"}, template)
    git_save(template, "v2", tag="v2")
    build_file_tree({"config.txt": "setting = 3\n"}, template)
    git_save(template, "v3rc", tag="v3.0rc1")  # pre-releases do not count
    code, output = scaffold("check", str(project), "--json")
    assert code == 1
    report = json.loads(output)
    assert report["current_version"] == "v1"
    assert report["latest_version"] == "v2"
    assert report["behind"] is True
    assert report["drifted_files"] == []
    code, output = scaffold("check", str(project))
    assert code == 1
    assert "Behind" in output
    assert "scaffold diff" in output


def test_untagged_commits_after_the_recorded_tag_are_not_newer(
    template: Path, tmp_path: Path
) -> None:
    build_file_tree({"config.txt": "setting = 2\n"}, template)
    git_save(template, "work in progress")
    project = generate(template, tmp_path / "p", vcs_ref="HEAD")
    code, output = scaffold("check", str(project), "--json")
    assert code == 0, output
    report = json.loads(output)
    assert report["current_version"].startswith("v1-1-g")
    assert report["behind"] is False


@pytest.mark.parametrize("strict", [False, True], ids=["informational", "strict"])
def test_drift_is_listed_by_name(template: Path, tmp_path: Path, strict: bool) -> None:
    project = generate(template, tmp_path / "p", name="probe")
    build_file_tree({"config.txt": "setting = 99\n", "mine.py": "x = 1\n"}, project)
    (project / "notes.txt").unlink()
    git_save(project, "my changes")
    code, output = scaffold("check", str(project), "--json", *(["--strict"] if strict else []))
    assert code == (1 if strict else 0), output
    report = json.loads(output)
    assert report["behind"] is False
    assert report["drifted_files"] == ["config.txt", "notes.txt"]  # not the user's own mine.py


def test_a_moved_template_is_an_error_or_given(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    moved = template.rename(tmp_path / "moved")
    code, output = scaffold("check", str(project))
    assert code == 2
    assert "--template" in output
    code, output = scaffold("check", str(project), "--template", str(moved))
    assert code == 0, output


def test_missing_version_is_an_error(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: v1", "_commit: v9"))
    git_save(project, "bad")
    code, output = scaffold("check", str(project))
    assert code == 2
    assert "cannot render" in output
