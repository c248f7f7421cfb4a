"""`scaffold diff`: the whole update, shown; nothing in the project written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from history import generate, snapshot
from support import scaffold
from update_cases import Case, json_of


def git_dir_bytes(project: Path) -> dict[str, bytes]:
    git_dir = project / ".git"
    return {str(p.relative_to(git_dir)): p.read_bytes() for p in git_dir.rglob("*") if p.is_file()}


def test_diff_shows_the_whole_update_and_writes_nothing(edited: Case) -> None:
    touch = edited.project / "README.md"
    os.utime(touch, (1, 1))  # a stale stat cache, which `git status` would refresh
    before = snapshot(edited.project)
    git_before = git_dir_bytes(edited.project)
    code, output = scaffold("diff", str(edited.project))
    assert code == 0, output
    assert "Update from v1 to v2" in output
    assert "+new in v2" in output  # a new file
    assert "-old\n" in output  # a deleted file
    assert "+# probe (v2)" in output
    assert "line c (mine)" not in output.split("README.md", 2)[-1].split("\n+")[0]
    assert "+<<<<<<< before updating" in output  # the conflict, marked
    assert "conflicts in config.txt" in output
    assert snapshot(edited.project) == before
    assert git_dir_bytes(edited.project) == git_before  # not even git's own caches


def test_diff_json_lists_every_kind_of_change(edited: Case) -> None:
    code, output = scaffold("diff", str(edited.project), "--json")
    assert code == 0, output
    report = json_of(output)
    assert report["current_version"] == "v1"
    assert report["target_version"] == "v2"
    assert report["added"] == ["new.txt"]
    assert sorted(report["modified"]) == [".copier-answers.yml", "README.md", "config.txt"]  # type: ignore[call-overload]
    assert report["deleted"] == ["obsolete.txt", "sub/plain.txt"]
    assert report["conflicted"] == ["config.txt"]
    assert report["kept"] == ["old-edited.txt", "sub/legacy [1].txt"]
    assert report["changed"] is True


def test_diff_stat_and_exit_code(edited: Case) -> None:
    code, output = scaffold("diff", str(edited.project), "--stat", "--exit-code")
    assert code == 1
    assert "new.txt" in output
    assert "files changed" in output
    assert "@@" not in output


def test_diff_of_an_up_to_date_project_exits_0_with_exit_code(
    template: Path, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "p", vcs_ref="v2")
    code, output = scaffold("diff", str(project), "--exit-code")
    assert code == 0, output
    assert "no changes" in output


def test_diff_previews_a_dirty_project_from_its_last_commit(edited: Case) -> None:
    (edited.project / "scratch.txt").write_text("untracked\n")
    before = snapshot(edited.project)
    code, output = scaffold("diff", str(edited.project), "--json")
    assert code == 0, output
    assert "uncommitted or untracked file(s) are not included" in output
    assert json_of(output)["uncommitted"] == ["scratch.txt"]
    assert json_of(output)["added"] == ["new.txt"]
    assert snapshot(edited.project) == before


@pytest.mark.parametrize(
    ("line", "style"),
    [
        ("+<<<<<<< before updating", "bold yellow"),
        ("+>>>>>>> after updating", "bold yellow"),
        ("diff --git a/x b/x", "bold"),
        ("@@ -1 +1 @@", "cyan"),
        ("+added", "green"),
        ("-removed", "red"),
        (" context", ""),
    ],
)
def test_diff_colours_on_a_terminal(line: str, style: str) -> None:
    from webscaffold.console import diff_style

    assert diff_style(line) == style
