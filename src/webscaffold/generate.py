"""Generate a new project from the template (`scaffold new`)."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from webscaffold.copierutil import copier_errors, copy_template, read_answers, resolve_source
from webscaffold.errors import BadInputError
from webscaffold.gitutil import enclosing_work_tree, init_and_commit
from webscaffold.lock import lock_new_project
from webscaffold.template import askable, bundled_questions, default_source

# `.env` holds the project's secret: only its owner may read it.
ENV_FILE_MODE = 0o600


@dataclass(frozen=True)
class NewProject:
    """What `scaffold new` made."""

    path: Path
    answers: dict[str, Any]
    committed: bool
    lock_problem: str | None = None  # why uv.lock could not be made
    needs_lock: bool = False  # a uv project with no uv.lock yet (`--no-lock`, or uv failed)
    inside_repository: Path | None = None  # the git work tree around it, when it made its own


def missing_answers(data: dict[str, Any]) -> list[str]:
    """Bundled-template questions that have no default and no answer in `data`."""
    questions = bundled_questions()
    return [
        key for key in askable(questions) if "default" not in questions[key] and key not in data
    ]


def check_destination(dest: Path) -> Path:
    """Refuse a destination we could not fill cleanly; return the directory to stage in.

    A destination must be new or an empty directory (we never write over files), and its
    nearest existing ancestor must be a directory.
    """
    if dest.is_dir():
        if any(dest.iterdir()):
            raise BadInputError(
                f"destination {dest} exists and is not empty; choose a new or empty directory"
            )
        return dest.parent
    if dest.exists() or dest.is_symlink():
        raise BadInputError(f"destination {dest} exists and is not a directory")
    for ancestor in dest.parents:
        if ancestor.is_dir():
            return ancestor
        if ancestor.exists():
            raise BadInputError(
                f"cannot create {dest}: {ancestor} is a file, not a directory; choose another path"
            )
    return Path(tempfile.gettempdir())


def write_env_file(project: Path, answers: dict[str, Any] | None = None) -> None:
    """Give the project its own secret and the development opt-in in a git-ignored `.env`.

    The secret never goes in the answers file. Generated apps refuse to start on their
    development defaults unless told they are in development, which this file says.
    """
    env_file = project / ".env"
    gitignore = project / ".gitignore"
    ignored = gitignore.is_file() and ".env" in gitignore.read_text(encoding="utf-8").split()
    if env_file.exists() or not ignored:
        return  # only where the project promises to keep the file out of git
    if answers is None:
        answers = read_answers(project)
    text = "# Local settings for this checkout only; git ignores this file.\n"
    text += "".join(f"{line}\n" for line in development_opt_in(answers))
    text += f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    descriptor = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, ENV_FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)


def development_opt_in(answers: dict[str, Any]) -> list[str]:
    """The `.env` lines that select a project's development settings."""
    framework = answers.get("framework")
    if framework == "fastapi":
        return ["ENVIRONMENT=development"]
    if framework in {"django", "hybrid"} and answers.get("project_slug"):
        return [f"DJANGO_SETTINGS_MODULE={answers['project_slug']}.settings.local"]
    return []  # another template: it has no such convention


def new_project(
    dest: Path,
    data: dict[str, Any],
    *,
    interactive: bool,
    defaults: bool = False,
    template: str | None = None,
    vcs_ref: str | None = None,
    git: bool = True,
    lock: bool = True,
    step: Callable[[str], None] = lambda _message: None,
) -> NewProject:
    """Render the template into `dest`, atomically: on any failure nothing is left behind."""
    dest = Path(os.path.normpath(dest.expanduser().absolute()))  # no ".." in what we print
    stage_in = check_destination(dest)
    if template is None:
        src, default_ref = default_source()
        vcs_ref = vcs_ref or default_ref
        if not interactive:
            missing = missing_answers(data)
            if missing:
                hints = " ".join(f"--data {key}=..." for key in missing)
                raise BadInputError(
                    f"no answer for {', '.join(missing)} and no terminal to ask on; pass {hints}"
                )
    else:
        src = resolve_source(template)
    # Render beside the destination, then move it in: a failure or Ctrl-C leaves no trace.
    try:
        staging_root = Path(tempfile.mkdtemp(prefix=".scaffold-", dir=stage_in))
    except OSError as error:
        raise BadInputError(
            f"cannot create {dest}: {stage_in} is not writable ({error.strerror}); "
            "choose another path"
        ) from error
    staged = staging_root / "project"
    outer = enclosing_work_tree(dest) if git else None
    try:
        step("Rendering the template")
        with copier_errors():
            copy_template(src, staged, data, defaults=defaults or not interactive, vcs_ref=vcs_ref)
        answers = read_answers(staged)
        write_env_file(staged, answers)
        lock_problem = lock_new_project(staged, dest, step) if lock else None
        needs_lock = (staged / "pyproject.toml").is_file() and not (staged / "uv.lock").exists()
        if git:
            step("Creating the git repository and first commit")
            init_and_commit(staged, "Initial commit from webscaffold")
        _move_into_place(staged, dest)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return NewProject(
        path=dest,
        answers=answers,
        committed=git,
        lock_problem=lock_problem,
        needs_lock=needs_lock,
        inside_repository=outer,
    )


def _move_into_place(staged: Path, dest: Path) -> None:
    try:
        if dest.is_dir():
            for child in staged.iterdir():
                shutil.move(child, dest / child.name)
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(staged, dest)  # a rename when both sit on one filesystem
    except OSError as error:
        raise BadInputError(f"cannot create {dest}: {error.strerror}") from error
