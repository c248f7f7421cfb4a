"""The update engine's test material: a tiny template with tagged versions, and a user's edits."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

from history import ANSWERS_TEMPLATE, build_file_tree, generate, git_save

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
    """The JSON object in a command's output (notes on stderr may precede it)."""
    loaded = json.loads(output[output.index("{") :])
    assert isinstance(loaded, dict)
    return loaded


@dataclass(frozen=True)
class Case:
    """A template and a project generated from its v1, then edited by its user."""

    template: Path
    project: Path


def tagged_template(root: Path) -> Path:
    """A template with tags v1 and v2 (and v3 on demand, see `tag_v3`)."""
    build_file_tree(V1, root)
    git_save(root, "v1", tag="v1")
    build_file_tree(V2, root)
    git_save(root, "v2", tag="v2")
    return root


def tag_v3(template: Path) -> None:
    """Add v3, which asks a new question without a default."""
    build_file_tree(V3, template)
    git_save(template, "v3", tag="v3")


def edit(project: Path, repo: Path | None = None) -> None:
    """The user's own committed work on a v1 project (in `repo`, by default the project)."""
    readme = (project / "README.md").read_text().replace("line c", "line c (mine)")
    build_file_tree({**USER_EDITS, "README.md": readme}, project)
    (project / "gone-by-user.txt").unlink()
    git_save(repo or project, "my work")


def edited_case(template: Path, root: Path) -> Case:
    """A project generated from `template` at v1 into `root`, with the user's edits."""
    project = generate(template, root, name="probe")
    edit(project)
    return Case(template, project)
