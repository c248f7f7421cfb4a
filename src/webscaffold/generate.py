"""Generate a new project from the template (`scaffold new`)."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from webscaffold.errors import BadInputError, ScaffoldError
from webscaffold.gitutil import init_and_commit
from webscaffold.lock import lock_new_project
from webscaffold.template import (
    askable,
    bundled_questions,
    bundled_template_dir,
    installed_bundle,
)

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class NewProject:
    """What `scaffold new` made."""

    path: Path
    answers: dict[str, Any]
    committed: bool
    lock_problem: str | None = None  # why uv.lock could not be made


def default_template_source() -> tuple[str, str | None]:
    """The template `scaffold new` uses when no `--template` is given, and its git ref.

    From a source checkout we render the working tree (`HEAD` plus uncommitted
    edits), not the newest tag, so template authors see their own changes. An
    installed wheel renders from the git bundle it ships (its `HEAD` is the
    version the wheel was built from), so the project records a `_commit` and can
    be updated later; a wheel built without git history falls back to the plain
    directory (such projects can be generated but not updated).
    """
    template_dir = bundled_template_dir()
    if (template_dir / ".git").exists():
        return str(template_dir), "HEAD"
    bundle = installed_bundle()
    if bundle is not None:
        return str(bundle), "HEAD"
    return str(template_dir), None


def missing_answers(data: dict[str, Any]) -> list[str]:
    """Bundled-template questions that have no default and no answer in `data`."""
    questions = bundled_questions()
    return [
        key for key in askable(questions) if "default" not in questions[key] and key not in data
    ]


def check_destination(dest: Path) -> None:
    """A destination must be new or an empty directory: we never write over files."""
    if dest.is_dir():
        if any(dest.iterdir()):
            raise BadInputError(
                f"destination {dest} exists and is not empty; choose a new or empty directory"
            )
    elif dest.exists():
        raise BadInputError(f"destination {dest} exists and is not a directory")


def _nearest_existing_dir(path: Path) -> Path:
    for candidate in path.parents:
        if candidate.is_dir():
            return candidate
    return Path(tempfile.gettempdir())


def write_env_file(project: Path) -> None:
    """Give the project its own secret in a git-ignored `.env` (never in the answers file)."""
    env_file = project / ".env"
    gitignore = project / ".gitignore"
    ignored = gitignore.is_file() and ".env" in gitignore.read_text(encoding="utf-8").split()
    if env_file.exists() or not ignored:
        return  # only where the project promises to keep the file out of git
    env_file.write_text(
        "# Local settings for this checkout only; git ignores this file.\n"
        f"SECRET_KEY={secrets.token_urlsafe(50)}\n",
        encoding="utf-8",
    )


def render(
    src: str,
    dest: Path,
    data: dict[str, Any],
    *,
    defaults: bool,
    vcs_ref: str | None,
) -> None:
    """Run Copier's copy; turn its answer errors into our bad-input errors."""
    from copier import run_copy  # lazy: Copier's import costs more than our whole CLI
    from copier.errors import CopierError, CopierWarning, UserMessageError

    try:
        with warnings.catch_warnings():
            # Copier's warnings (dirty template, shallow clone) are for template authors.
            warnings.simplefilter("ignore", CopierWarning)
            run_copy(
                src,
                dest,
                data=data,
                defaults=defaults,
                vcs_ref=vcs_ref,
                quiet=True,
                unsafe=False,
                overwrite=False,
            )
    except KeyboardInterrupt:
        raise  # Copier's answer-interrupt is a CopierError too; the CLI reports it as such
    except UserMessageError as error:
        raise BadInputError(str(error).strip().splitlines()[-1]) from error
    except (ValueError, TypeError, CopierError) as error:
        # Copier reports invalid answers as ValueError (validator, choice, required) or
        # TypeError (a list question given a non-list); both are the user's to fix.
        message = str(error).strip() or type(error).__name__
        raise BadInputError(message.splitlines()[-1]) from error


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
    check_destination(dest)
    if template is None:
        src, default_ref = default_template_source()
        vcs_ref = vcs_ref or default_ref
        if not interactive:
            missing = missing_answers(data)
            if missing:
                hints = " ".join(f"--data {key}=..." for key in missing)
                raise BadInputError(
                    f"no answer for {', '.join(missing)} and no terminal to ask on; pass {hints}"
                )
    else:
        src = _absolute_if_local(template)
    # Render beside the destination, then move it in: a failure or Ctrl-C leaves no trace.
    staging_root = Path(tempfile.mkdtemp(prefix=".scaffold-", dir=_nearest_existing_dir(dest)))
    staged = staging_root / "project"
    try:
        step("Rendering the template")
        render(src, staged, data, defaults=defaults or not interactive, vcs_ref=vcs_ref)
        write_env_file(staged)
        answers = read_answers(staged)
        lock_problem = lock_new_project(staged, dest, step) if lock else None
        if git:
            step("Creating the git repository and first commit")
            init_and_commit(staged, "Initial commit from webscaffold")
        _move_into_place(staged, dest)
    finally:
        shutil.rmtree(staging_root, ignore_errors=True)
    return NewProject(path=dest, answers=answers, committed=git, lock_problem=lock_problem)


def _absolute_if_local(source: str) -> str:
    path = Path(source).expanduser()
    if path.exists():
        return str(path.absolute())
    if "://" in source or source.startswith(("git@", "gh:", "gl:")):
        return source
    raise BadInputError(f"--template {source}: no such directory or git URL")


def _move_into_place(staged: Path, dest: Path) -> None:
    if dest.is_dir():
        for child in staged.iterdir():
            shutil.move(child, dest / child.name)
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(staged, dest)  # a rename when both sit on one filesystem


def read_answers(project: Path) -> dict[str, Any]:
    """The answers Copier recorded in a project."""
    path = project / ANSWERS_FILE
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScaffoldError(f"{path} is missing: this is not a generated project") from None
    if not isinstance(loaded, dict):
        raise ScaffoldError(f"{path} is not a mapping of answers")
    return loaded
