"""`scaffold update`/`upgrade`/`diff`: the engine on tiny templates with tagged histories."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import copier
import pytest
import yaml

import webscaffold.project
import webscaffold.update
from history import ANSWERS_TEMPLATE, build_file_tree, generate, git, git_save, snapshot, status
from support import scaffold
from webscaffold import gitutil

V1 = {
    "copier.yml": """\
        name:
          type: str
          default: demo
        extras:
          type: str
          multiselect: true
          default: []
          choices: [docs, ci]
        """,
    "{{_copier_conf.answers_file}}.jinja": ANSWERS_TEMPLATE,
    "README.md.jinja": """\
        # {{ name }}

        Intro.

        line a
        line b
        line c
        line d
        line e
        line f

        Footer v1
        """,
    "config.txt": "setting = 1\nother = 1\n",
    "obsolete.txt": "old\n",
    "old-edited.txt": "old edited\n",
    "gone-by-user.txt": "x\n",
    "{% if 'docs' in extras %}docs.md{% endif %}.jinja": "Docs for {{ name }}\n",
    "sub/legacy [1].txt": "legacy\n",
    "sub/plain.txt": "plain\n",
}
V2 = {
    "README.md.jinja": V1["README.md.jinja"]
    .replace("# {{ name }}", "# {{ name }} (v2)")
    .replace("Footer v1", "Footer v2"),
    "config.txt": "setting = 2\nother = 1\n",
    "obsolete.txt": None,
    "old-edited.txt": None,
    "gone-by-user.txt": "x v2\n",
    "new.txt": "new in v2\n",
    "sub/legacy [1].txt": None,
    "sub/plain.txt": None,
}
V3 = {
    "copier.yml": textwrap.dedent(V1["copier.yml"] or "")
    + "region:\n  type: str\n  help: Where it runs\n",
    "region.txt.jinja": "{{ region }}\n",
}
USER_EDITS = {
    "README.md": None,  # replaced below: an edit the template's changes do not touch
    "config.txt": "setting = 99\nother = 1\n",  # overlaps the template's change
    "old-edited.txt": "old edited\nmy notes\n",
    "sub/legacy [1].txt": "legacy\nmine\n",
    "my.py": "print('mine')\n",
}


def json_of(output: str) -> dict[str, object]:
    loaded = json.loads(output[output.index("{") :])
    assert isinstance(loaded, dict)
    return loaded


@dataclass(frozen=True)
class Case:
    template: Path
    project: Path


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """A template with tags v1 and v2 (and v3 on demand, see `tag_v3`)."""
    root = tmp_path / "template"
    build_file_tree(V1, root)
    git_save(root, "v1", tag="v1")
    build_file_tree(V2, root)
    git_save(root, "v2", tag="v2")
    return root


def tag_v3(template: Path) -> None:
    build_file_tree(V3, template)
    git_save(template, "v3", tag="v3")


def edit(project: Path, repo: Path | None = None) -> None:
    """The user's own committed work on a v1 project (in `repo`, by default the project)."""
    readme = (project / "README.md").read_text().replace("line c", "line c (mine)")
    build_file_tree({**USER_EDITS, "README.md": readme}, project)
    (project / "gone-by-user.txt").unlink()
    git_save(repo or project, "my work")


@pytest.fixture
def edited(template: Path, tmp_path: Path) -> Case:
    project = generate(template, tmp_path / "project", name="probe")
    edit(project)
    return Case(template, project)


# --- diff -----------------------------------------------------------------------------


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


# --- update ---------------------------------------------------------------------------


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


# --- removed files: the user's edits decide -------------------------------------------------

# A template with a payload folder whose v2 removes files rendered in the ways that make
# "is this the template's text?" hard: from includes (literal, computed, inside the
# payload), from a conditional name, and from values that depend on the template's source.
REMOVALS_V1 = {
    "copier.yml": """\
        _subdirectory: payload
        name:
          type: str
          default: demo
        """,
    "includes/greeting.jinja": "Hello from {{ name }}\n",
    "payload/{{_copier_conf.answers_file}}.jinja": ANSWERS_TEMPLATE,
    "payload/greeting.txt.jinja": "{% include 'includes/greeting.jinja' %}",
    "payload/computed.txt.jinja": "{% include 'includes/' ~ 'greeting' ~ '.jinja' %}",
    "payload/{% if name %}named.txt{% endif %}.jinja": "Named {{ name }}\n",
    "payload/parts/{{ name }}-part.txt.jinja": "{% include 'payload/shared.part' %}",
    "payload/shared.part": "shared by {{ name }}\n",
    "payload/versioned.txt.jinja": "made by template version {{ _commit }}\n",
    "payload/stays.txt": "stays\n",
}
REMOVED = ["greeting.txt", "computed.txt", "named.txt", "parts/probe-part.txt", "versioned.txt"]


def removals_template(root: Path, kind: str, extra: dict[str, str | None]) -> str:
    """REMOVALS_V1 (plus `extra`) tagged v1, then v2 without the removed files; its source."""
    template = root / "removals"
    build_file_tree({**REMOVALS_V1, **extra}, template)
    git_save(template, "v1", tag="v1")
    for relative in [*REMOVALS_V1, *extra]:
        if relative.startswith("payload/") and relative.split("/", 1)[1].startswith(
            ("greeting", "computed", "{%", "parts/", "versioned", "footer")
        ):
            (template / relative).unlink()
    (template / "payload" / "stays.txt").write_text("stays, v2\n")
    git_save(template, "v2", tag="v2")
    if kind == "repository":
        return str(template)
    bundle = root / "removals.bundle"
    git(template, "bundle", "create", str(bundle), "--tags", "HEAD")
    return str(bundle)


@pytest.fixture(params=["repository", "bundle"])
def removals_source(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return removals_template(tmp_path, request.param, {})


def test_removed_files_the_user_left_alone_are_deleted(
    removals_source: str, tmp_path: Path
) -> None:
    project = generate(removals_source, tmp_path / "p", name="probe")
    assert {path for path in REMOVED if (project / path).is_file()} == set(REMOVED)
    code, output = scaffold("diff", str(project), "--json")
    assert code == 0, output
    assert sorted(json_of(output)["deleted"]) == sorted(REMOVED)  # type: ignore[call-overload]
    assert json_of(output)["kept"] == []
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert not [path for path in REMOVED if (project / path).exists()]
    assert (project / "stays.txt").read_text() == "stays, v2\n"


def test_removed_files_the_user_edited_are_kept(removals_source: str, tmp_path: Path) -> None:
    project = generate(removals_source, tmp_path / "p", name="probe")
    for path in REMOVED:
        with (project / path).open("a") as file:
            file.write("my line\n")
    git_save(project, "my work")
    code, output = scaffold("diff", str(project), "--json")
    assert code == 0, output
    assert sorted(json_of(output)["kept"]) == sorted(REMOVED)  # type: ignore[call-overload]
    code, output = scaffold("update", str(project))
    assert code == 0, output
    for path in REMOVED:
        assert (project / path).read_text().endswith("my line\n"), path


@pytest.mark.parametrize("kind", ["repository", "bundle"])
def test_an_edit_matching_a_render_from_another_source_is_still_kept(
    kind: str, tmp_path: Path
) -> None:
    """Only the recorded source's own render counts: a copy outside git renders `_commit` empty.

    `versioned.txt` uses `_commit` itself; `footer.txt` through an include.
    """
    source = removals_template(
        tmp_path,
        kind,
        {
            "includes/version.jinja": "built from {{ _commit }}\n",
            "payload/footer.txt.jinja": "{% include 'includes/version.jinja' %}",
        },
    )
    project = generate(source, tmp_path / "p", name="probe")
    unversioned = tmp_path / "unversioned-template"
    git(tmp_path, "clone", "--quiet", "--branch", "v1", source, str(unversioned))
    shutil.rmtree(unversioned / ".git")
    elsewhere = tmp_path / "elsewhere"
    copier.run_copy(str(unversioned), elsewhere, data={"name": "probe"}, defaults=True, quiet=True)
    edited = {path: (elsewhere / path).read_text() for path in ("versioned.txt", "footer.txt")}
    for path, text in edited.items():
        assert text != (project / path).read_text()
        (project / path).write_text(text)
    git_save(project, "my work")
    code, output = scaffold("diff", str(project), "--json")
    assert code == 0, output
    assert json_of(output)["kept"] == ["footer.txt", "versioned.txt"]
    code, output = scaffold("update", str(project))
    assert code == 0, output
    for path, text in edited.items():
        assert (project / path).read_text() == text


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
    import copier

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


# --- interruption -----------------------------------------------------------------------


def test_ctrl_c_while_computing_changes_nothing(
    edited: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(webscaffold.update, "_keep_edited_removals", interrupted)
    before = snapshot(edited.project)
    code, output = scaffold("update", str(edited.project))
    assert code == 130
    assert "nothing was changed" in output
    assert snapshot(edited.project) == before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_writing_rolls_back(
    edited: Case, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    """A signal that lands while git switches the work tree undoes the switch."""
    real_git = gitutil.git

    def git_then_signal(cwd: Path, *args: str, **kwargs: object) -> object:
        if args[:1] == ("read-tree",) and cwd == edited.project:
            os.kill(os.getpid(), signum)  # held until git is done
        return real_git(cwd, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(webscaffold.update, "git", git_then_signal)
    before = snapshot(edited.project)
    code, output = scaffold("update", str(edited.project))
    assert code == 130, output
    assert "nothing was changed" in output
    assert snapshot(edited.project) == before
    assert status(edited.project) == []


@pytest.mark.parametrize("delay", [0.2, 0.6, 1.0])
def test_real_sigterm_leaves_the_project_before_or_after(edited: Case, delay: float) -> None:
    """A real process, terminated at some point: the project is either untouched or updated."""
    before = snapshot(edited.project)
    process = subprocess.Popen(
        [sys.executable, "-m", "webscaffold", "update", str(edited.project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert "Traceback" not in output
    # Interrupted: 130 from our handler, or death by the signal (SIGTERM before our handler
    # is installed; SIGINT when Python re-raises an interrupt that reached the top level).
    if process.returncode in {130, -signal.SIGTERM, -signal.SIGINT}:
        assert snapshot(edited.project) == before
    else:
        assert process.returncode == 1, output  # finished first: updated, with its conflict
        assert (edited.project / "new.txt").exists()


# --- layouts and defaults -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["inline", "rej"])
def test_project_in_a_subdirectory_of_a_repository(
    template: Path, tmp_path: Path, mode: str
) -> None:
    import copier

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
