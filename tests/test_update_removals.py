"""Files a template version removes: deleted if the user left them alone, kept if edited."""

from __future__ import annotations

import shutil
from pathlib import Path

import copier
import pytest

from history import ANSWERS_TEMPLATE, build_file_tree, generate, git, git_save
from support import scaffold
from update_cases import json_of

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
