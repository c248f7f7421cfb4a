"""Everything that talks to Copier: its calls, its errors, its answers file, template sources.

Only Copier's public API is used (`copier.run_copy`, `copier.run_update`, `copier.errors`).
Copier is imported inside the functions: its import costs more than the rest of our CLI.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from webscaffold.answers import load_yaml_mapping, not_among
from webscaffold.errors import BadInputError, ScaffoldError
from webscaffold.gitutil import git_failure

# The template's `_answers_file`; Copier records the answers and the template version in it.
ANSWERS_FILE = ".copier-answers.yml"
_REMOTE_PREFIXES = ("git@", "gh:", "gl:", "git+")
_REQUIRED = re.compile(r'Question "(.+)" is required')
_INVALID_CHOICE = re.compile(r"Invalid choice for '(.+)': '(.*)' is not in \[(.*)\]")


def is_remote(source: str) -> bool:
    """Whether a template source is a URL (or a Copier shortcut such as `gh:`), not a path."""
    return "://" in source or source.startswith(_REMOTE_PREFIXES)


def resolve_source(source: str, *, what: str = "--template") -> str:
    """An absolute path for a local source, a URL as given; refuse a local path that is gone."""
    if is_remote(source):
        return source
    path = Path(source).expanduser()
    if path.exists():
        return str(path.absolute())
    raise BadInputError(f"{what} {source}: no such directory, bundle file or git URL")


def read_answers(project: Path) -> dict[str, Any]:
    """The answers Copier recorded in a generated project (metadata keys included)."""
    try:
        return load_yaml_mapping(project / ANSWERS_FILE, what="answers")
    except FileNotFoundError:
        raise BadInputError(
            f"{project} is not a generated project: it has no {ANSWERS_FILE}"
        ) from None


@contextmanager
def copier_errors(
    *, fault: Literal["input", "template"] = "input", prefix: str = "", suffix: str = ""
) -> Iterator[None]:
    """The one map from Copier's errors to ours; silences Copier's warnings.

    `fault="input"` for answers the user gave (bad input, exit 2); `"template"` for
    renders from recorded answers, where a failure is not the user's typo. Copier
    reports invalid answers as ValueError (validator, choice, required) or TypeError
    (a list question given a non-list); git failing under it surfaces as OSError.
    """
    kind = BadInputError if fault == "input" else ScaffoldError
    try:
        with warnings.catch_warnings():
            # Copier's warnings (dirty template, shallow clone, old version) are for template
            # authors, and would interleave with our own output.
            warnings.simplefilter("ignore")
            yield
    except KeyboardInterrupt:
        raise  # Copier's answer-interrupt is a CopierError too; the CLI reports it as such
    except OSError as error:
        raise ScaffoldError(f"{prefix}{git_failure(error)}{suffix}") from error
    except Exception as error:
        from copier.errors import CopierError, InteractiveSessionError

        if isinstance(error, InteractiveSessionError):
            raise BadInputError(
                "the template asks a question that has no answer and there is no terminal "
                f"to ask on; pass --defaults or --data KEY=VALUE{suffix}"
            ) from error
        if not isinstance(error, (ValueError, TypeError, CopierError)):
            raise
        message = (str(error).strip() or type(error).__name__).splitlines()[-1]
        invalid = _INVALID_CHOICE.fullmatch(message)
        if invalid:
            key, value, listed = invalid.groups()
            hint = not_among(value, re.findall(r"'([^']*)'", listed))
            message = f"{key}: unknown choice '{value}'; {hint}"
        required = _REQUIRED.fullmatch(message)
        if required:
            key = required.group(1)
            raise BadInputError(
                f"the template asks '{key}', which has no default and no answer; "
                f"pass --data {key}=...{suffix}"
            ) from error
        raise kind(f"{prefix}{message}{suffix}") from error


def copy_template(
    src: str,
    dest: Path,
    data: dict[str, Any],
    *,
    vcs_ref: str | None,
    defaults: bool = True,
    exclude: Sequence[str] = (),
) -> None:
    """Copier's copy, never overwriting and never running template code (errors unmapped)."""
    from copier import run_copy

    run_copy(
        src,
        dest,
        data=data,
        vcs_ref=vcs_ref,
        exclude=list(exclude),
        defaults=defaults,
        quiet=True,
        unsafe=False,
        overwrite=False,
    )


def update_in_place(
    workdir: Path,
    data: dict[str, Any],
    *,
    vcs_ref: str | None,
    interactive: bool,
    conflict: Literal["inline", "rej"],
) -> None:
    """Copier's update of the project in `workdir`, keeping recorded answers (errors unmapped)."""
    from copier import run_update

    run_update(
        workdir,
        data=data,
        vcs_ref=vcs_ref,
        defaults=not interactive,
        skip_answered=True,
        overwrite=True,
        quiet=True,
        conflict=conflict,
        unsafe=False,
    )
