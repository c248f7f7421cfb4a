"""Projects `update`, `diff` and `check` refuse, and template sources that moved."""

from __future__ import annotations

import shutil
from pathlib import Path

import copier
import pytest
import yaml

import webscaffold.project
from history import build_file_tree, generate, git, git_save
from support import scaffold
from update_cases import V1

# --- bad projects -----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["update", "diff", "check"])
def test_not_a_generated_project(tmp_path: Path, command: str) -> None:
    code, output = scaffold(command, str(tmp_path))
    assert code == 2
    assert "not a generated project" in output


@pytest.mark.parametrize("command", ["update", "diff", "check"])
def test_missing_path(tmp_path: Path, command: str) -> None:
    code, output = scaffold(command, str(tmp_path / "nope"))
    assert code == 2
    assert "no such directory" in output


def test_project_outside_git(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    shutil.rmtree(project / ".git")
    code, output = scaffold("update", str(project))
    assert code == 2
    assert "not in a git repository" in output


def test_project_from_a_template_that_was_not_in_git(tmp_path: Path) -> None:
    src = tmp_path / "plain"
    build_file_tree(V1, src)
    project = tmp_path / "p"

    copier.run_copy(str(src), project, defaults=True, quiet=True)
    git_save(project, "generated")
    code, output = scaffold("update", str(project))
    assert code == 2
    assert "cannot be updated" in output


# --- template sources -------------------------------------------------------------------


def test_moved_template_needs_and_takes_template_option(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    moved = tmp_path / "moved"
    template.rename(moved)
    code, output = scaffold("update", str(project))
    assert code == 2
    assert "no longer exists" in output
    assert "--template" in output
    code, output = scaffold("diff", str(project), "--template", str(moved))
    assert code == 0, output
    assert f"+_src_path: {moved}" in output
    code, output = scaffold("update", str(project), "--template", str(moved))
    assert code == 0, output
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(moved)
    assert answers["_commit"] == "v2"


def test_project_from_an_old_install_updates_from_the_installed_bundle(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel's bundle moves with every install; a fresh machine has only its own."""
    old_install = tmp_path / "old-venv" / "webscaffold-template.bundle"
    old_install.parent.mkdir()
    git(template, "bundle", "create", str(old_install), "v1")
    project = generate(old_install, tmp_path / "p", vcs_ref="v1")
    shutil.rmtree(old_install.parent)  # the old install is gone
    new_install = tmp_path / "new-venv" / "webscaffold-template.bundle"
    new_install.parent.mkdir()
    git(template, "bundle", "create", str(new_install), "--tags", "HEAD")
    monkeypatch.setattr(webscaffold.project, "installed_bundle", lambda: new_install)
    code, output = scaffold("update", str(project))
    assert code == 0, output
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(new_install)
    assert answers["_commit"] == "v2"
    assert (project / "new.txt").exists()
