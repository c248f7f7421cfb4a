"""uv.lock from the first commit on: `scaffold new` locks, `scaffold update` re-locks (real uv)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from test_update_real import snapshot_repo

from history import ANSWERS_TEMPLATE, build_file_tree, generate, git, git_save, status
from support import project_env, run, scaffold
from webscaffold.lock import dependencies_changed

NAME = ["--data", "project_name=Bar Probe"]


def committed_files(project: Path) -> list[str]:
    return git(project, "ls-tree", "-r", "--name-only", "HEAD").splitlines()


def uv_lock_is_current(project: Path) -> None:
    """uv agrees the lock matches pyproject.toml (checked from the cache, never the network)."""
    run(project, "uv", "lock", "--locked", "--offline", env=project_env())


def test_new_puts_uv_lock_in_the_first_commit(tmp_path: Path) -> None:
    project = tmp_path / "bar"
    code, output = scaffold("new", str(project), *NAME)
    assert code == 0, output
    assert "Locking dependencies (uv lock)" in output
    assert "uv.lock" in committed_files(project)
    assert status(project) == []
    uv_lock_is_current(project)


def test_no_lock_skips_it(tmp_path: Path) -> None:
    project = tmp_path / "bar"
    code, output = scaffold("new", str(project), *NAME, "--no-lock")
    assert code == 0, output
    assert "Locking" not in output
    assert not (project / "uv.lock").exists()
    assert "pyproject.toml" in committed_files(project)
    # The next steps say to lock and commit; run that line as printed.
    steps = output.partition("Next steps:")[2].splitlines()
    (lock,) = [line.strip() for line in steps if line.strip().startswith("uv lock")]
    assert lock == 'uv lock && git add uv.lock && git commit -m "Lock dependencies"'
    run(project, "bash", "-c", lock, env=project_env())
    assert "uv.lock" in committed_files(project)
    assert status(project) == []


def test_no_lock_without_git_says_to_lock_and_commit(tmp_path: Path) -> None:
    code, output = scaffold("new", str(tmp_path / "bar"), *NAME, "--no-lock", "--no-git")
    assert code == 0, output
    assert "  uv lock              # then commit uv.lock with the project" in output


def test_new_inside_a_repository_says_it_nests_one(tmp_path: Path) -> None:
    git(tmp_path, "init", "--quiet")
    code, output = scaffold("new", str(tmp_path / "apps" / "bar"), *NAME, "--no-lock")
    assert code == 0, output
    (note,) = [line for line in output.splitlines() if line.startswith("note:")]
    assert f"nested inside the one at {tmp_path}" in note
    assert "pass --no-git" in note
    code, output = scaffold("new", str(tmp_path / "apps" / "two"), *NAME, "--no-lock", "--no-git")
    assert code == 0, output
    assert "nested" not in output


def test_a_lock_uv_cannot_make_is_one_line_and_the_project_is_still_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real uv, failing as it does offline: no network and nothing in its cache.
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-cache"))
    project = tmp_path / "bar"
    code, output = scaffold("new", str(project), *NAME)
    assert code == 0, output
    warnings = [line for line in output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1, output
    assert "uv lock failed" in warnings[0]
    assert "network was disabled" in warnings[0]
    assert f"run `uv lock` in {project}" in warnings[0]
    assert "Created Bar Probe" in output
    assert not (project / "uv.lock").exists()
    assert "pyproject.toml" in committed_files(project)
    assert 'uv lock && git add uv.lock && git commit -m "Lock dependencies"' in output


# ── scaffold update: a conflict in uv.lock is re-locked, never left to a human ──

PYPROJECT = """\
    [project]
    name = "demo"
    version = "0.1.0"
    description = "{{ name }}"
    requires-python = "PYTHON"
    dependencies = []

    [tool.uv]
    package = false
    """


def pyproject(python: str) -> str:
    return PYPROJECT.replace("PYTHON", python)


def lock_text(tmp_path: Path, python: str) -> str:
    """What uv writes for the tiny project (no dependencies: no network needed)."""
    scratch = tmp_path / f"lock-{python}"
    build_file_tree({"pyproject.toml": pyproject(python).replace("{{ name }}", "demo")}, scratch)
    run(scratch, "uv", "lock", "--offline", env=project_env())
    return (scratch / "uv.lock").read_text()


def tiny_template(tmp_path: Path) -> Path:
    """A template of one pyproject.toml (uncommitted: each test adds to it, then tags v1)."""
    template = tmp_path / "template"
    build_file_tree(
        {
            "copier.yml": "name:\n  type: str\n  default: demo\n",
            "{{_copier_conf.answers_file}}.jinja": ANSWERS_TEMPLATE,
            "pyproject.toml.jinja": pyproject(">=3.11"),
        },
        template,
    )
    return template


@pytest.mark.parametrize("conflict", ["inline", "rej"])
def test_update_relocks_a_conflicted_uv_lock(tmp_path: Path, conflict: str) -> None:
    """A template that ships uv.lock changes the lines the user's lock changed, too."""
    template = tiny_template(tmp_path)
    (template / "uv.lock").write_text(lock_text(tmp_path, ">=3.11"))
    git_save(template, "v1", tag="v1")
    project = generate(template, tmp_path / "project")
    # However the two locks came to differ, they differ on the line the template changes.
    lock = project / "uv.lock"
    lock.write_text(lock.read_text().replace('">=3.11"', '">=3.11.0"'))
    git_save(project, "my lock")
    build_file_tree({"pyproject.toml.jinja": pyproject(">=3.11.2")}, template)
    (template / "uv.lock").write_text(lock_text(tmp_path, ">=3.11.2"))
    git_save(template, "v2", tag="v2")

    code, output = scaffold("update", str(project), "--conflict", conflict, "--defaults")
    assert code == 0, output
    assert "Conflicts" not in output
    assert "uv.lock" in output  # listed with the update's changes
    relocked = lock.read_text()
    assert "<<<<<<<" not in relocked
    assert not (project / "uv.lock.rej").exists()
    assert 'requires-python = ">=3.11.2"' in relocked
    assert git(project, "ls-files", "--unmerged") == ""
    uv_lock_is_current(project)


def test_dependencies_changed_looks_only_at_what_uv_lock_records() -> None:
    base = '[project]\nname = "p"\ndependencies = ["a"]\n\n[tool.ruff]\nline-length = 100\n'
    assert not dependencies_changed(base, base.replace("100", "120"))
    assert dependencies_changed(base, base.replace('["a"]', '["a", "b"]'))
    assert dependencies_changed(base, base + '\n[dependency-groups]\ndev = ["c"]\n')
    assert dependencies_changed(base, base + "\n[tool.uv]\npackage = false\n")
    assert dependencies_changed(base, "<<<<<<< before\n" + base)
    assert dependencies_changed(None, base)


# ── the whole loop: new → uv sync → update and check, no dirty-tree refusal ──
# (That a project's own checks leave its tree clean is checked on every matrix row.)


@pytest.mark.slow
def test_synced_project_updates_and_relocks(tmp_path: Path) -> None:
    repo = snapshot_repo(tmp_path / "webscaffold", "v0.1.0")
    project = tmp_path / "project"
    code, output = scaffold(
        "new", str(project), "--template", str(repo), "--vcs-ref", "v0.1.0", *NAME
    )
    assert code == 0, output
    assert "uv.lock" in committed_files(project)
    run(project, "uv", "sync", "--quiet", env=project_env())
    assert status(project) == [], "installing must leave the work tree clean"

    # The next template version adds a dependency (one uv's cache already holds).
    dependencies = repo / "includes" / "dependencies.jinja"
    text = dependencies.read_text()
    dependencies.write_text(text.replace('"httpx>=0.28"]', '"httpx>=0.28", "types-pyyaml>=6"]', 1))
    assert dependencies.read_text() != text
    git_save(repo, "add a dependency", tag="v0.2.0")

    code, output = scaffold("check", str(project))
    assert code == 1, output
    assert "Behind" in output
    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert "uncommitted" not in output
    assert "Re-locking dependencies (uv lock)" in output
    assert {line[3:] for line in status(project)} >= {"pyproject.toml", "uv.lock"}
    assert 'name = "types-pyyaml"' in (project / "uv.lock").read_text()
    uv_lock_is_current(project)
    code, output = scaffold("check", str(project))
    assert code == 0, output
    assert "Up to date" in output


def test_sync_keeps_a_fresh_lock(tmp_path: Path) -> None:
    """`uv sync` right after `scaffold new` leaves uv.lock as committed (nothing to commit)."""
    project = tmp_path / "bar"
    code, output = scaffold("new", str(project), *NAME)
    assert code == 0, output
    subprocess.run(["uv", "sync", "--quiet"], cwd=project, env=project_env(), check=True)
    assert status(project) == []


def test_update_that_cannot_relock_says_so_and_keeps_the_committed_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = tiny_template(tmp_path)
    git_save(template, "v1", tag="v1")
    project = generate(template, tmp_path / "project")
    (project / "uv.lock").write_text(lock_text(tmp_path, ">=3.11"))
    git_save(project, "lock")
    committed = (project / "uv.lock").read_text()
    # The new version adds a dependency; uv, offline with an empty cache, cannot resolve it.
    text = pyproject(">=3.11").replace("dependencies = []", 'dependencies = ["six>=1.16"]')
    build_file_tree({"pyproject.toml.jinja": text}, template)
    git_save(template, "v2", tag="v2")
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-cache"))

    for command in (["diff"], ["update", "--defaults"]):  # the preview says so too
        code, output = scaffold(*command, str(project))
        assert code == 0, output
        warnings = [line for line in output.splitlines() if line.startswith("warning:")]
        assert len(warnings) == 1, output
        assert "uv lock failed" in warnings[0]
        assert "run `uv lock` before you commit" in warnings[0]
    assert (project / "uv.lock").read_text() == committed
    assert "six" in (project / "pyproject.toml").read_text()
