"""`scaffold update`/`upgrade`: merging, conflicts, answers, versions and layouts."""

from __future__ import annotations

import shutil
from pathlib import Path

import copier
import pytest
import yaml

from history import build_file_tree, generate, git_save, snapshot, status
from support import scaffold
from update_cases import Case, edit, json_of, tag_v3


@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_update_merges_keeps_and_reports_conflicts(edited: Case, mode: str) -> None:
    project = edited.project
    code, output = scaffold("update", str(project), "--conflict", mode)
    assert code == 1, output  # never "success" with conflicts left
    assert "Conflicts remain in 1 file(s)" in output
    assert "  config.txt" in output
    assert "Updated" in output
    readme = (project / "README.md").read_text()
    assert "# probe (v2)" in readme  # the template's change
    assert "line c (mine)" in readme  # the user's edit, merged
    assert "Footer v2" in readme
    assert (project / "new.txt").read_text() == "new in v2\n"
    assert not (project / "obsolete.txt").exists()
    assert (project / "old-edited.txt").read_text() == "old edited\nmy notes\n"
    assert (project / "sub" / "legacy [1].txt").read_text() == "legacy\nmine\n"
    assert not (project / "sub" / "plain.txt").exists()
    assert not (project / "sub" / "legacy [1].txt.rej").exists()
    assert "kept" in output
    assert "old-edited.txt" in output
    assert not (project / "gone-by-user.txt").exists()  # deleted by the user: stays deleted
    assert (project / "my.py").read_text() == "print('mine')\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2"
    config = (project / "config.txt").read_text()
    lines = status(project)
    if mode == "inline":
        assert "<<<<<<< before updating" in config
        assert "setting = 99" in config
        assert "setting = 2" in config
        assert "UU config.txt" in lines  # git refuses to commit it unresolved
        assert "conflict markers" in output
    else:
        assert config == "setting = 2\nother = 1\n"  # the template's side...
        assert "+setting = 99" in (project / "config.txt.rej").read_text()  # ...yours beside it
        assert "?? config.txt.rej" in lines
        assert ".rej files" in output


def test_update_without_conflicts_exits_0(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p", name="probe")
    build_file_tree({"my.py": "print('mine')\n"}, project)
    git_save(project, "mine")
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert "Updated" in output
    assert "from v1 to v2" in output
    assert "new.txt" in output
    assert "Review with `git diff`" in output
    assert (project / "new.txt").exists()
    assert not (project / "old-edited.txt").exists()  # unedited: removed with the template
    assert not any(line.startswith("UU") for line in status(project))


def test_a_copied_project_with_stale_git_stat_data_updates(template: Path, tmp_path: Path) -> None:
    original = generate(template, tmp_path / "p")
    project = tmp_path / "copied"
    shutil.copytree(original, project)  # new inodes and times: git's stat cache is stale
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert (project / "new.txt").exists()
    assert status(original) == []


def test_update_then_nothing_left_to_do(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    assert scaffold("update", str(project)).code == 0
    git_save(project, "update to v2")
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert "Already up to date at v2" in output


def test_upgrade_is_update(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    code, output = scaffold("upgrade", str(project), "--vcs-ref", "v2")
    assert code == 0, output
    assert "from v1 to v2" in output
    assert (project / "new.txt").exists()


@pytest.mark.parametrize(
    "dirt",
    [
        pytest.param({"config.txt": "changed\n"}, id="uncommitted"),
        pytest.param({"notes.txt": "untracked\n"}, id="untracked"),
    ],
)
def test_update_refuses_a_dirty_tree(edited: Case, dirt: dict[str, str]) -> None:
    build_file_tree(dirt, edited.project)
    before = snapshot(edited.project)
    code, output = scaffold("update", str(edited.project))
    assert code == 2
    assert next(iter(dirt)) in output
    assert "commit them, or stash them" in output
    assert snapshot(edited.project) == before


def test_ignored_files_do_not_make_a_tree_dirty(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    build_file_tree({".gitignore": ".env\n"}, project)
    git_save(project, "ignore .env")
    (project / ".env").write_text("SECRET=1\n")
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert (project / ".env").read_text() == "SECRET=1\n"


@pytest.mark.parametrize("command", ["update", "diff"])
def test_answer_change_regenerates(template: Path, tmp_path: Path, command: str) -> None:
    project = generate(template, tmp_path / "p", name="probe")
    code, output = scaffold(command, str(project), "--vcs-ref", "v1", "--data", "extras=[docs]")
    assert code == 0, output
    assert "docs.md" in output
    if command == "update":
        assert (project / "docs.md").read_text() == "Docs for probe\n"
        answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
        assert answers["extras"] == ["docs"]
    else:
        assert not (project / "docs.md").exists()


def test_unknown_data_key_is_refused(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    before = snapshot(project)
    code, output = scaffold("update", str(project), "--data", "nmae=typo")
    assert code == 2
    assert "unknown answer key 'nmae'" in output
    assert snapshot(project) == before


@pytest.mark.parametrize("command", ["update", "diff"])
def test_new_question_without_default_fails_before_touching_anything(
    edited: Case, command: str
) -> None:
    tag_v3(edited.template)
    before = snapshot(edited.project)
    code, output = scaffold(command, str(edited.project))
    assert code == 2
    assert "'region'" in output
    assert "--data region=" in output
    assert snapshot(edited.project) == before


def test_new_question_answered_with_data(template: Path, tmp_path: Path) -> None:
    tag_v3(template)
    project = generate(template, tmp_path / "p")
    code, output = scaffold("update", str(project), "--data", "region=eu-west")
    assert code == 0, output
    assert (project / "region.txt").read_text() == "eu-west\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v3"


def test_vcs_ref_picks_an_intermediate_version(template: Path, tmp_path: Path) -> None:
    tag_v3(template)
    project = generate(template, tmp_path / "p")
    code, output = scaffold("update", str(project), "--vcs-ref", "v2")
    assert code == 0, output
    assert "from v1 to v2" in output
    assert not (project / "region.txt").exists()


# --- layouts and defaults -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_project_in_a_subdirectory_of_a_repository(
    template: Path, tmp_path: Path, mode: str
) -> None:

    repo = tmp_path / "monorepo"
    build_file_tree({"other/keep.txt": "not ours\n"}, repo)
    project = repo / "app"
    copier.run_copy(str(template), project, data={"name": "probe"}, vcs_ref="v1", defaults=True)
    git_save(repo, "monorepo with a generated app")
    edit(project, repo)
    code, output = scaffold("diff", str(project), "--json")
    assert code == 0, output
    report = json_of(output)
    assert report["added"] == ["new.txt"]
    assert report["conflicted"] == ["config.txt"]
    code, output = scaffold("update", str(project), "--conflict", mode)
    assert code == 1, output
    assert (project / "new.txt").exists()
    assert (repo / "other" / "keep.txt").read_text() == "not ours\n"
    assert (project / "old-edited.txt").exists()
    if mode == "inline":
        assert "UU app/config.txt" in status(repo)
    else:
        assert (project / "config.txt.rej").exists()


def test_installed_wheel_renders_from_its_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webscaffold.template as template_module

    bundle = tmp_path / "webscaffold-template.bundle"
    bundle.write_bytes(b"")
    monkeypatch.setattr(template_module, "bundled_template_dir", lambda: tmp_path / "_template")
    monkeypatch.setattr(template_module, "installed_bundle", lambda: bundle)
    assert template_module.default_source() == (str(bundle), "HEAD")
    monkeypatch.setattr(template_module, "installed_bundle", lambda: None)
    assert template_module.default_source() == (str(tmp_path / "_template"), None)


def test_unknown_conflict_mode_is_bad_input(template: Path, tmp_path: Path) -> None:
    project = generate(template, tmp_path / "p")
    code, output = scaffold("update", str(project), "--conflict", "ours")
    assert code == 2
    assert "--conflict: 'ours' is not one of inline, rej" in output


@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_a_file_added_by_both_sides_conflicts(template: Path, tmp_path: Path, mode: str) -> None:
    project = generate(template, tmp_path / "p")
    build_file_tree({"new.txt": "mine, not the template's\n"}, project)
    git_save(project, "my own new.txt")
    code, output = scaffold("update", str(project), "--conflict", mode)
    assert code == 1, output
    assert "  new.txt" in output
    text = (project / "new.txt").read_text()
    if mode == "inline":
        assert "mine, not the template's" in text
        assert "new in v2" in text
        assert any(
            line.endswith(" new.txt") and line[:2] in {"UU", "AA"} for line in status(project)
        )
    else:
        assert (project / "new.txt.rej").exists()


def test_interactive_update_without_a_terminal_says_so(template: Path, tmp_path: Path) -> None:
    from webscaffold.errors import BadInputError
    from webscaffold.update import UpdateOptions, apply_update

    tag_v3(template)
    project = generate(template, tmp_path / "p")
    before = snapshot(project)
    with pytest.raises(BadInputError, match="no terminal to ask on"):
        apply_update(project, UpdateOptions(interactive=True))
    assert snapshot(project) == before


@pytest.mark.parametrize("command", ["update", "diff"])
def test_a_list_answer_given_as_text_is_bad_input(
    template: Path, tmp_path: Path, command: str
) -> None:
    project = generate(template, tmp_path / "p")
    before = snapshot(project)
    code, output = scaffold(command, str(project), "--data", "use_cases=cms")
    assert code == 2, output
    assert output.strip().splitlines() == [
        "error: use_cases must be a list, e.g. --data 'use_cases=[e-commerce, cms]'"
    ]
    assert snapshot(project) == before
