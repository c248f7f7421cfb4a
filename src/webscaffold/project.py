"""A generated project as Copier recorded it, and where its template is now."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webscaffold.copierutil import ANSWERS_FILE, read_answers, resolve_source
from webscaffold.errors import BadInputError
from webscaffold.gitutil import git
from webscaffold.template import installed_bundle, is_our_bundle


@dataclass(frozen=True)
class Recorded:
    """A generated project as its answers file describes it."""

    project: Path
    top: Path  # the git work tree holding it
    subdir: str  # the project's path inside `top` ("." at the top)
    index: Path
    answers: dict[str, Any]
    src_path: str
    commit: str


def recorded_project(project: Path) -> Recorded:
    """Read what Copier recorded in a project; refuse anything that is not updatable."""
    project = project.expanduser().absolute()
    if not project.is_dir():
        raise BadInputError(f"{project}: no such directory")
    answers = read_answers(project)
    src, commit = answers.get("_src_path"), answers.get("_commit")
    if not src or not commit:
        raise BadInputError(
            f"{project / ANSWERS_FILE} records no template version (_src_path and _commit): "
            "the project was generated from a template that was not a git repository, "
            "so it cannot be updated"
        )
    found = git(project, "rev-parse", "--show-toplevel", "--git-path", "index", check=False)
    if found.returncode != 0:
        raise BadInputError(
            f"{project} is not in a git repository; updates need one: "
            "git init && git add --all && git commit -m 'Generated project'"
        )
    top_line, index_line = found.stdout.splitlines()[:2]
    top = Path(top_line).resolve()
    subdir = project.resolve().relative_to(top).as_posix()
    index = (project / index_line).resolve()
    return Recorded(project, top, subdir, index, answers, str(src), str(commit))


def template_source(recorded: Recorded, override: str | None) -> tuple[str, str | None]:
    """Where to fetch the template from, and the default ref to update to.

    `--template` wins. A source recorded from any install's bundle resolves to the
    bundle installed now (the old install may be gone, e.g. in CI), updating to
    the version this package ships.
    """
    if override is not None:
        return resolve_source(override), None
    if is_our_bundle(recorded.src_path):
        bundle = installed_bundle()
        if bundle is not None:
            return str(bundle), "HEAD"
    try:
        return resolve_source(recorded.src_path, what="template source"), None
    except BadInputError:
        raise BadInputError(
            f"the recorded template source {recorded.src_path} no longer exists; "
            "pass --template SRC to point the project at its new location"
        ) from None
