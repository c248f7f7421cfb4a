"""The real template through a release: generate at one tag, change the template, tag, update."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from history import git, git_save
from support import REPO_ROOT, project_env, scaffold

# Each test builds a git repository of the whole template and releases it: the full suite's, not
# the quick loop's (CONTRIBUTING.md).
pytestmark = pytest.mark.slow

FRAMEWORKS = ["fastapi", "django", "hybrid"]
TEMPLATE_CHANGE = "Upgrading: see `scaffold diff` before `scaffold update`.\n"


# What a template source needs is copier.yml, template/ and includes/ (and the package, for the
# wheel tests); the suite, the docs and the golden fixtures would only make each clone slower.
NOT_SNAPSHOTTED = {"tests", "docs", "benchmarks", "scripts"}


def snapshot_repo(dest: Path, tag: str) -> Path:
    """A git repository holding this checkout's working tree (edits included), tagged."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for relative in filter(None, listed.split("\0")):
        if relative.split("/", 1)[0] in NOT_SNAPSHOTTED:
            continue
        source = REPO_ROOT / relative
        if source.is_file():
            (dest / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / relative)
    git_save(dest, "snapshot", tag=tag)
    return dest


def change_template(repo: Path, tag: str) -> None:
    """A small template change, released as `tag`: a README line and a new file."""
    readme = repo / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\n" + TEMPLATE_CHANGE)
    (repo / "template" / "UPGRADING.md").write_text("# Upgrading\n\n" + TEMPLATE_CHANGE)
    git_save(repo, "template change", tag=tag)


def generate_and_update(repo: Path, project: Path, framework: str) -> None:
    code, output = scaffold(
        "new",
        str(project),
        "--template",
        str(repo),
        "--vcs-ref",
        "v0.1.0",
        "--data",
        "project_name=Bar Probe",
        "--framework",
        framework,
    )
    assert code == 0, output
    # The user's own work, away from what the template changes.
    (project / "NOTES.md").write_text("my notes\n")
    git_save(project, "my notes")
    change_template(repo, "v0.2.0")

    code, output = scaffold("check", str(project), "--json")
    assert code == 1, output
    assert json.loads(output)["latest_version"] == "v0.2.0"

    code, output = scaffold("diff", str(project), "--json")
    assert code == 0, output
    report = json.loads(output[output.index("{") :])
    assert report["added"] == ["UPGRADING.md"]
    assert sorted(report["modified"]) == [".copier-answers.yml", "README.md"]
    assert report["conflicted"] == []

    code, output = scaffold("update", str(project))
    assert code == 0, output
    assert TEMPLATE_CHANGE in (project / "README.md").read_text()
    assert (project / "UPGRADING.md").exists()
    assert (project / "NOTES.md").read_text() == "my notes\n"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.2.0"
    assert answers["framework"] == framework


def test_use_cases_the_framework_leaves_out_are_named(tmp_path: Path) -> None:
    repo = snapshot_repo(tmp_path / "webscaffold", "v0.1.0")
    project = tmp_path / "project"
    code, output = scaffold(
        "new", str(project), "--template", str(repo), "-d", "project_name=Shop", "-u", "e-commerce"
    )
    assert code == 0, output
    advice = "ml-api needs FastAPI's side: pass --data framework=hybrid to keep it"
    for command in ("diff", "update"):
        code, output = scaffold(command, str(project), "--data", "use_cases=[e-commerce, ml-api]")
        assert code == 0, output
        assert f"note: {advice}" in output.splitlines(), output
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["use_cases"] == ["e-commerce", "ml-api"]
    assert answers["framework"] == "django"
    assert not (project / "shop" / "ml").exists()


def tree(root: Path, leave_out: set[str]) -> dict[str, bytes]:
    """Every file under `root` but git's, by path."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
        and ".git" not in path.relative_to(root).parts
        and str(path.relative_to(root)) not in leave_out
    }


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_real_template_updates_across_a_release_to_what_it_generates(
    tmp_path: Path, framework: str
) -> None:
    """A real update across a release (the diff first, the user's notes kept), landing the project
    byte for byte where a new project of the release would be, the user's own files aside; the
    matrix checks that project (`<framework>-sqlite-none`)."""
    repo = snapshot_repo(tmp_path / "webscaffold", "v0.1.0")
    project = tmp_path / "project"
    generate_and_update(repo, project, framework)
    fresh = tmp_path / "fresh"
    code, output = scaffold(
        "new",
        str(fresh),
        "--template",
        str(repo),
        "--vcs-ref",
        "v0.2.0",
        "--data",
        "project_name=Bar Probe",
        "--framework",
        framework,
    )
    assert code == 0, output
    # uv.lock: each was locked when it was made (tests/test_lock.py checks the update's lock);
    # .env: each project's own secret.
    leave_out = {"NOTES.md", "uv.lock", ".env"}
    updated, expected = tree(project, leave_out), tree(fresh, leave_out)
    assert sorted(updated) == sorted(expected)
    assert [name for name in expected if updated[name] != expected[name]] == []


def test_installed_wheel_updates_what_an_older_wheel_generated(tmp_path: Path) -> None:
    """Two releases built as wheels (via sdist), each installed alone, as on a fresh machine."""
    repo = snapshot_repo(tmp_path / "webscaffold", "v0.1.0")
    env = project_env()
    project = tmp_path / "project"

    def install(name: str) -> Path:
        dist = tmp_path / f"dist-{name}"
        subprocess.run(
            ["uv", "build", "--quiet", "--out-dir", str(dist)],
            cwd=repo,
            env=env,
            check=True,
            capture_output=True,
        )
        venv = tmp_path / name
        subprocess.run(["uv", "venv", "--quiet", str(venv)], env=env, check=True)
        wheel = next(dist.glob("*.whl"))
        subprocess.run(
            ["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), wheel],
            env=env,
            check=True,
            capture_output=True,
        )
        return venv / "bin" / "scaffold"

    def scaffold_cli(executable: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(executable), *args], env=env, capture_output=True, text=True, check=False
        )

    old = install("old")
    made = scaffold_cli(old, "new", str(project), "--data", "project_name=Bar Probe", "--defaults")
    assert made.returncode == 0, made.stderr
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_src_path"].endswith("webscaffold-template.bundle")
    assert answers["_commit"] == "v0.1.0"
    shutil.rmtree(tmp_path / "old")  # the old install is gone

    change_template(repo, "v0.2.0")
    new = install("new")
    updated = scaffold_cli(new, "update", str(project))
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert TEMPLATE_CHANGE in (project / "README.md").read_text()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.2.0"
    assert Path(answers["_src_path"]).is_relative_to(tmp_path / "new")
    assert git(project, "status", "--porcelain") != ""
    assert os.access(new, os.X_OK)
