"""`scaffold fixtures regen|check`: deterministic output, clean replacement, exit codes 0/1/2."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import yaml

from history import build_file_tree
from support import REPO_ROOT, scaffold

GOLDEN = REPO_ROOT / "tests" / "fixtures"


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under `root` with a hash of its bytes, so two trees compare exactly."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def tiny_template(root: Path, *, extra: dict[str, str] | None = None) -> Path:
    """A two-question template with an answers file, like ours but fast to reason about."""
    return build_file_tree(
        {
            "copier.yml": (
                "_subdirectory: template\n"
                "name:\n  type: str\n"
                "flavour:\n  type: str\n  default: plain\n  choices: [plain, fancy]\n"
                "tags:\n  type: str\n  multiselect: true\n  default: []\n  choices: [a, b]\n"
            ),
            "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml }}",
            "template/README.md.jinja": "# {{ name }} ({{ flavour }})\n",
            **(extra or {}),
        },
        root,
    )


def answers_dir(root: Path, answers: dict[str, str]) -> Path:
    """A fixtures directory with one answer file per entry."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in answers.items():
        (root / f"{name}.yml").write_text(text)
    return root


# ── regen ──


def test_regen_writes_each_fixture_deterministically(tmp_path: Path) -> None:
    fixtures = answers_dir(
        tmp_path / "fx",
        {
            "api": "project_name: Api Probe\n",
            "site": "project_name: Site Probe\nframework: django\n",
        },
    )
    result = scaffold("fixtures", "regen", str(fixtures))
    assert result.code == 0, result.output
    assert "regenerated" in result.stdout
    assert "site" in result.stdout
    first = tree_digest(fixtures)

    again = scaffold("fixtures", "regen", str(fixtures))
    assert again.code == 0, again.output
    assert tree_digest(fixtures) == first  # byte-identical, run after run

    answers = yaml.safe_load((fixtures / "site" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "django"
    assert "_commit" not in answers  # rendered from a plain snapshot, not from git
    # The template's path, relative to the fixture: the same on every machine and clone.
    assert (fixtures / "site" / answers["_src_path"]).resolve() == REPO_ROOT
    assert not list(fixtures.glob(".scaffold-*"))  # no staging left behind


def test_regen_records_no_commit_for_a_git_template(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl")
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-qm", "v1"), ("tag", "v1.0.0")):
        subprocess.run(["git", *args], cwd=template, check=True)
    (template / "template" / "README.md.jinja").write_text("# {{ name }}, uncommitted\n")
    fixtures = answers_dir(tmp_path / "fx", {"one": "name: One\n"})

    result = scaffold("fixtures", "regen", str(fixtures), "--template", str(template))

    assert result.code == 0, result.output
    # The working tree is rendered, not the newest tag; and nothing names a commit.
    assert (fixtures / "one" / "README.md").read_text() == "# One, uncommitted\n"
    answers = yaml.safe_load((fixtures / "one" / ".copier-answers.yml").read_text())
    assert answers == {"_src_path": "../../tpl", "flavour": "plain", "name": "One", "tags": []}


def test_regen_removes_what_the_template_no_longer_makes(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl", extra={"template/old.txt": "old\n"})
    fixtures = answers_dir(tmp_path / "fx", {"one": "name: One\n"})
    assert scaffold("fixtures", "regen", str(fixtures), "--template", str(template)).code == 0
    assert (fixtures / "one" / "old.txt").is_file()
    (fixtures / "one" / "by-hand.txt").write_text("stale\n")
    (template / "template" / "old.txt").unlink()

    result = scaffold("fixtures", "regen", str(fixtures), "--template", str(template))

    assert result.code == 0, result.output
    assert sorted(tree_digest(fixtures / "one")) == [".copier-answers.yml", "README.md"]


def test_regen_removes_output_whose_answer_file_is_gone(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl")
    fixtures = answers_dir(tmp_path / "fx", {"old": "name: Old\n"})
    assert scaffold("fixtures", "regen", str(fixtures), "--template", str(template)).code == 0
    (fixtures / "old.yml").rename(fixtures / "new.yml")
    (fixtures / "notes").mkdir()  # not generated (no answers file): left alone

    result = scaffold("fixtures", "regen", str(fixtures), "--template", str(template))

    assert result.code == 0, result.output
    assert "removed" in result.stdout
    assert sorted(path.name for path in fixtures.iterdir()) == ["new", "new.yml", "notes"]


def test_regen_is_all_or_nothing(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl")
    fixtures = answers_dir(tmp_path / "fx", {"a": "name: A\n", "b": "name: B\n"})
    assert scaffold("fixtures", "regen", str(fixtures), "--template", str(template)).code == 0
    before = tree_digest(fixtures)
    (fixtures / "b.yml").write_text("name: B\nflavour: sour\n")  # rendered after a.yml

    result = scaffold("fixtures", "regen", str(fixtures), "--template", str(template))

    assert result.code == 2
    assert "b.yml" in result.stderr
    assert "flavour" in result.stderr
    del before["b.yml"]
    after = tree_digest(fixtures)
    del after["b.yml"]
    assert after == before
    assert not list(fixtures.glob(".scaffold-*"))


# ── check ──


@pytest.fixture
def current(tmp_path: Path) -> tuple[Path, Path]:
    """A fixtures directory that regen just made current, and its template."""
    template = tiny_template(tmp_path / "tpl", extra={"template/run.sh": "#!/bin/sh\n"})
    (template / "template" / "run.sh").chmod(0o755)
    fixtures = answers_dir(tmp_path / "fx", {"one": "name: One\n", "two": "name: Two\n"})
    assert scaffold("fixtures", "regen", str(fixtures), "--template", str(template)).code == 0
    return fixtures, template


def test_check_passes_on_current_fixtures(current: tuple[Path, Path]) -> None:
    fixtures, template = current
    result = scaffold("fixtures", "check", str(fixtures), "--template", str(template))
    assert result.code == 0, result.output
    assert "ok    one" in result.stdout
    assert "ok    two" in result.stdout


def test_check_names_every_difference(current: tuple[Path, Path]) -> None:
    fixtures, template = current
    (fixtures / "one" / "README.md").write_text("# edited\n")
    (fixtures / "one" / "run.sh").unlink()
    (fixtures / "one" / "notes.txt").write_text("by hand\n")
    (fixtures / "two" / "run.sh").chmod(0o644)  # executable bit lost

    result = scaffold("fixtures", "check", str(fixtures), "--template", str(template))

    assert result.code == 1
    lines = result.stdout.splitlines()
    assert "stale one:" in lines
    assert "  changed: README.md" in lines
    assert "  missing: run.sh" in lines
    assert "  extra: notes.txt" in lines
    assert "stale two:" in lines
    assert "  changed: run.sh" in lines
    assert f"run: scaffold fixtures regen {fixtures} --template {template}" in result.stdout


def test_check_json(current: tuple[Path, Path]) -> None:
    fixtures, template = current
    (fixtures / "two" / "README.md").write_text("# edited\n")
    (fixtures / "gone").mkdir()
    (fixtures / "gone" / ".copier-answers.yml").write_text("name: Gone\n")

    result = scaffold("fixtures", "check", str(fixtures), "--template", str(template), "--json")

    assert result.code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    by_name = {fixture["name"]: fixture for fixture in report["fixtures"]}
    assert by_name["one"]["ok"] is True
    assert by_name["two"] == {
        "name": "two",
        "path": str(fixtures / "two"),
        "changed": ["README.md"],
        "missing": [],
        "extra": [],
        "orphan": False,
        "ok": False,
    }
    assert by_name["gone"]["orphan"] is True


def test_check_reports_a_fixture_never_generated(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl")
    fixtures = answers_dir(tmp_path / "fx", {"new": "name: New\n"})
    result = scaffold("fixtures", "check", str(fixtures), "--template", str(template))
    assert result.code == 1
    assert "  missing: README.md" in result.stdout.splitlines()


def test_check_ignores_tool_caches(current: tuple[Path, Path]) -> None:
    fixtures, template = current
    build_file_tree({".venv/pyvenv.cfg": "", "__pycache__/x.pyc": ""}, fixtures / "one")
    result = scaffold("fixtures", "check", str(fixtures), "--template", str(template))
    assert result.code == 0, result.output


# ── bad input: exit 2, one line naming the file and what is wrong ──


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"bad.yml": "name: [unclosed\n"}, "bad.yml is not valid YAML (line 2)"),
        ({"bad.yml": "- a list\n"}, "bad.yml must be a mapping of answer keys to values"),
        ({"bad.yml": "name: X\nflavor: fancy\n"}, "bad.yml: unknown answer key 'flavor'"),
        ({"bad.yml": "flavour: fancy\n"}, "bad.yml: no answer for name"),
        ({"bad.yml": "name: X\ntags: a\n"}, "bad.yml: answer 'tags' must be a list"),
        ({"bad.yml": "name: X\nflavour: sour\n"}, "bad.yml: flavour: unknown choice 'sour'"),
        ({"bad.yml": "name: X\ntags: [c]\n"}, "tags: unknown choice 'c'; choose from: a, b"),
        ({"notes.txt": "no answer files here\n"}, "has no answer files (<name>.yml)"),
    ],
)
def test_bad_answer_files(tmp_path: Path, files: dict[str, str], message: str) -> None:
    template = tiny_template(tmp_path / "tpl")
    fixtures = build_file_tree(files, tmp_path / "fx")
    for command in ("regen", "check"):
        result = scaffold("fixtures", command, str(fixtures), "--template", str(template))
        assert result.code == 2, result.output
        assert message in result.stderr
    assert sorted(path.name for path in fixtures.iterdir()) == sorted(files)  # nothing written


def test_bad_answer_for_the_bundled_template_names_file_and_question(tmp_path: Path) -> None:
    fixtures = answers_dir(tmp_path / "fx", {"bad": "project_name: X\nproject_slug: django\n"})
    result = scaffold("fixtures", "check", str(fixtures))
    assert result.code == 2
    assert "bad.yml: Validation error for question 'project_slug'" in result.stderr


def test_unknown_key_for_the_bundled_template(tmp_path: Path) -> None:
    fixtures = answers_dir(tmp_path / "fx", {"bad": "project_name: X\nframwork: django\n"})
    result = scaffold("fixtures", "regen", str(fixtures))
    assert result.code == 2
    assert "bad.yml: unknown answer key 'framwork'" in result.stderr


def test_missing_directory(tmp_path: Path) -> None:
    result = scaffold("fixtures", "check", str(tmp_path / "nowhere"))
    assert result.code == 2
    assert "nowhere: no such directory" in result.stderr


def test_missing_template(tmp_path: Path) -> None:
    fixtures = answers_dir(tmp_path / "fx", {"one": "name: One\n"})
    result = scaffold("fixtures", "check", str(fixtures), "--template", str(tmp_path / "nope"))
    assert result.code == 2
    assert "--template" in result.stderr
    assert "no such directory or git URL" in result.stderr


def test_directory_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "fx").write_text("not a directory\n")
    result = scaffold("fixtures", "check", str(tmp_path / "fx"))
    assert result.code == 2
    assert "is a file" in result.output


def test_hidden_yml_files_are_not_answer_files(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl")
    fixtures = answers_dir(tmp_path / "fx", {"one": "name: One\n", ".yamllint": "rules: {}\n"})
    result = scaffold("fixtures", "regen", str(fixtures), "--template", str(template))
    assert result.code == 0, result.output
    assert sorted(path.name for path in fixtures.iterdir()) == [".yamllint.yml", "one", "one.yml"]


def test_output_path_that_is_a_file(tmp_path: Path) -> None:
    template = tiny_template(tmp_path / "tpl")
    fixtures = answers_dir(tmp_path / "fx", {"one": "name: One\n"})
    (fixtures / "one").write_text("in the way\n")
    result = scaffold("fixtures", "regen", str(fixtures), "--template", str(template))
    assert result.code == 2
    assert "exists and is not a directory" in result.stderr


# ── this repository's golden fixtures ──


def test_golden_fixtures_are_current() -> None:
    """Changes to generated output come with `uv run scaffold fixtures regen tests/fixtures`."""
    result = scaffold("fixtures", "check", str(GOLDEN))
    assert result.code == 0, (
        f"{result.output}\nIf the change is intended: uv run scaffold fixtures regen tests/fixtures"
    )


def test_golden_fixtures_cover_every_framework_and_database() -> None:
    answers = [yaml.safe_load(path.read_text()) for path in sorted(GOLDEN.glob("*.yml"))]
    assert {a.get("framework") for a in answers} == {"django", "fastapi", "hybrid"}
    assert {a.get("database", "sqlite") for a in answers} == {"sqlite", "postgresql"}


def test_golden_fixtures_hold_no_git_ignored_files() -> None:
    """A generated file that git ignores would be absent from a fresh clone, failing `check`."""
    ignored = subprocess.run(
        ["git", "ls-files", "--others", "--ignored", "--exclude-standard", "--", "."],
        cwd=GOLDEN,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert ignored == []
