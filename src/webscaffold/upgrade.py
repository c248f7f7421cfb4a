"""Compute a template update once in a scratch clone; show it (`diff`) or apply it (`update`).

The engine clones the project's repository (sharing its objects, so nothing is
copied) into a temporary directory and runs Copier's `run_update` there. The
user's tree is only written at the very end of `apply_update`, in one git
`read-tree` step that is rolled back if a signal arrives while it runs. Every
git process counts (Copier already starts ~175), so each step uses as few as it can.
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Any, Literal

import yaml

from webscaffold.answers import without_metadata
from webscaffold.errors import BadInputError, ScaffoldError
from webscaffold.gitutil import git, git_failure
from webscaffold.lock import relock_after_update
from webscaffold.render import untouched_files
from webscaffold.template import installed_bundle, is_our_bundle, local_or_remote

ANSWERS_FILE = ".copier-answers.yml"
ConflictMode = Literal["inline", "rej"]
Detail = Literal["patch", "stat", "none"]  # how `diff` describes the change
Step = Callable[[str], None]
_SHOWN = 5  # dirty files named in the refusal
_STAGES_REF = "refs/heads/scaffold-update-stages"
# Scratch commits only carry objects; they never reach the user's history.
_IDENTITY_ENV = {
    "GIT_AUTHOR_NAME": "webscaffold",
    "GIT_AUTHOR_EMAIL": "webscaffold@localhost",
    "GIT_COMMITTER_NAME": "webscaffold",
    "GIT_COMMITTER_EMAIL": "webscaffold@localhost",
}


@dataclass(frozen=True)
class UpdateOptions:
    """What the user asked for; the same for `diff` and `update`."""

    vcs_ref: str | None = None
    conflict: ConflictMode = "inline"
    data: dict[str, Any] = field(default_factory=dict)
    interactive: bool = False
    template: str | None = None


@dataclass(frozen=True)
class UpdateResult:
    """What an update changes (or changed) in a project; paths relative to the project."""

    project: Path
    template: str
    current_version: str
    target_version: str
    added: tuple[str, ...]
    modified: tuple[str, ...]
    deleted: tuple[str, ...]
    conflicted: tuple[str, ...]
    kept: tuple[str, ...]
    diff: str
    stat: str
    applied: bool
    uncommitted: tuple[str, ...] = ()  # `diff` works from the last commit; these are not in it
    lock_problem: str | None = None  # why uv.lock could not be re-locked

    @property
    def changed(self) -> bool:
        """Whether the update changes any file."""
        return bool(self.added or self.modified or self.deleted)


@dataclass(frozen=True)
class Recorded:
    """A generated project as its answers file describes it."""

    project: Path
    top: Path
    subdir: str
    index: Path
    answers: dict[str, Any]
    src_path: str
    commit: str


@dataclass(frozen=True)
class _Computed:
    result: UpdateResult
    scratch: Path
    clone: Path
    base: str
    stages: tuple[str, ...]


def recorded_project(project: Path) -> Recorded:
    """Read what Copier recorded in a project; refuse anything that is not updatable."""
    project = project.expanduser().absolute()
    if not project.is_dir():
        raise BadInputError(f"{project}: no such directory")
    answers_path = project / ANSWERS_FILE
    if not answers_path.is_file():
        raise BadInputError(f"{project} is not a generated project: it has no {ANSWERS_FILE}")
    try:
        answers = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BadInputError(f"{answers_path} is not valid YAML") from error
    if not isinstance(answers, dict):
        raise BadInputError(f"{answers_path} is not a mapping of answers")
    src, commit = answers.get("_src_path"), answers.get("_commit")
    if not src or not commit:
        raise BadInputError(
            f"{answers_path} records no template version (_src_path and _commit): the project "
            "was generated from a template that was not a git repository, so it cannot be updated"
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
        return local_or_remote(override), None
    if is_our_bundle(recorded.src_path):
        bundle = installed_bundle()
        if bundle is not None:
            return str(bundle), "HEAD"
    try:
        return local_or_remote(recorded.src_path, what="template source"), None
    except BadInputError:
        raise BadInputError(
            f"the recorded template source {recorded.src_path} no longer exists; "
            "pass --template SRC to point the project at its new location"
        ) from None


@dataclass(frozen=True)
class Status:
    """One `git status` of a work tree: its HEAD and what differs from it."""

    head: str | None
    changed: tuple[str, ...] = ()
    untracked: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    unmerged: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()

    @property
    def dirty(self) -> tuple[str, ...]:
        """Uncommitted and untracked files (ignored ones do not count)."""
        return self.changed + self.untracked


def git_status(top: Path, *, ignored: bool = False) -> Status:
    """HEAD and changes in one git call; paths relative to `top`. Writes nothing."""
    args = ["--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z"]
    args += ["--untracked-files=all", "--ignored=traditional" if ignored else "--ignored=no"]
    entries = iter(git(top, *args).stdout.split("\0"))
    head: str | None = None
    found: dict[str, list[str]] = {k: [] for k in ("changed", "untracked", "ignored", "unmerged")}
    deleted: list[str] = []
    for entry in entries:
        kind = entry[:2]
        if entry.startswith("# branch.oid "):
            oid = entry.removeprefix("# branch.oid ")
            head = None if oid == "(initial)" else oid
        elif kind == "1 ":
            fields = entry.split(" ", 8)
            found["changed"].append(fields[8])
            if fields[1][1] == "D":
                deleted.append(fields[8])
        elif kind == "2 ":
            found["changed"].append(entry.split(" ", 9)[9])
            next(entries, None)  # the path it was renamed from
        elif kind == "u ":
            path = entry.split(" ", 10)[10]
            found["changed"].append(path)
            found["unmerged"].append(path)
        elif kind == "? ":
            found["untracked"].append(entry[2:])
        elif kind == "! ":
            found["ignored"].append(entry[2:])
    return Status(
        head,
        changed=tuple(found["changed"]),
        untracked=tuple(found["untracked"]),
        ignored=tuple(found["ignored"]),
        unmerged=tuple(found["unmerged"]),
        deleted=tuple(deleted),
    )


def _refuse_dirty(recorded: Recorded, status: Status) -> None:
    dirty = status.dirty
    if dirty:
        more = len(dirty) - _SHOWN
        shown = ", ".join(dirty[:_SHOWN]) + (f" and {more} more" if more > 0 else "")
        raise BadInputError(
            f"{recorded.project} has uncommitted or untracked changes ({shown}); "
            "commit them, or stash them with `git stash --include-untracked`, and retry"
        )


def _head(recorded: Recorded, status: Status) -> str:
    if status.head is None:
        raise BadInputError(f"{recorded.project} has no commits yet; commit the project first")
    return status.head


def preview_update(
    project: Path,
    options: UpdateOptions,
    step: Step = lambda _m: None,
    *,
    detail: Detail = "patch",
) -> UpdateResult:
    """The update `update` would make, computed without writing in the project."""
    recorded = recorded_project(project)
    status = git_status(recorded.top)
    base = _head(recorded, status)
    with _interrupts_as_keyboard(), _computed(recorded, base, options, step, detail) as computed:
        return replace(computed.result, uncommitted=status.dirty)


def apply_update(
    project: Path, options: UpdateOptions, step: Step = lambda _m: None
) -> UpdateResult:
    """Compute the update, then apply it to a clean project in one final step."""
    recorded = recorded_project(project)
    status = git_status(recorded.top)
    _refuse_dirty(recorded, status)
    base = _head(recorded, status)
    held: list[int] = []
    releases: list[Callable[[], None]] = []
    try:
        with (
            _interrupts_as_keyboard(),
            _computed(recorded, base, options, step, "none") as computed,
        ):
            if not computed.result.changed:
                return computed.result
            step("Applying the update to the project")
            # From here to the end of clean-up, signals wait: either the switch is rolled
            # back (and we say so) or it completed (and we report it).
            releases.append(_hold_signals(held))
            _apply(recorded, computed, held)
    finally:
        for release in releases:
            release()
    return replace(computed.result, applied=True)


@contextmanager
def _computed(
    recorded: Recorded, base: str, options: UpdateOptions, step: Step, detail: Detail
) -> Iterator[_Computed]:
    src, default_ref = template_source(recorded, options.template)
    scratch = Path(tempfile.mkdtemp(prefix="scaffold-update-"))
    try:
        step("Cloning the project into a scratch area")
        clone = scratch / "project"
        # Shares the project's objects (nothing copied) and skips hook samples (less to delete).
        git(
            scratch,
            "clone",
            "--quiet",
            "--shared",
            "--no-checkout",
            "--template=",
            str(recorded.top),
            "project",
        )
        git(clone, "checkout", "--quiet", "--detach", base)
        workdir = clone / recorded.subdir
        if src != recorded.src_path:
            _repoint(clone, workdir / ANSWERS_FILE, src)
        step("Rendering the update")
        _run_copier_update(workdir, src, options, vcs_ref=options.vcs_ref or default_ref)
        _check_data_keys(workdir, options.data)
        lock_problem = relock_after_update(workdir, base, step)
        after = git_status(clone, ignored=True)
        stages = _unmerged(clone) if after.unmerged else []
        kept = _keep_edited_removals(recorded, clone, src, after.deleted)
        result, stage_entries = _collect(
            recorded, clone, src, base, options.conflict, after, stages, kept, detail
        )
        result = replace(result, lock_problem=lock_problem)
        yield _Computed(result, scratch, clone, base, stage_entries)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _repoint(clone: Path, answers_file: Path, src: str) -> None:
    """Record a moved template source, as a commit in the scratch clone."""
    text = answers_file.read_text(encoding="utf-8")
    line = yaml.safe_dump({"_src_path": src}, default_flow_style=False, width=10_000).strip()
    text, count = re.subn(r"(?m)^_src_path:.*$", lambda _m: line, text, count=1)
    if count == 0:
        text += line + "\n"
    answers_file.write_text(text, encoding="utf-8")
    git(clone, "commit", "--quiet", "--no-verify", "-am", "Repoint", env=_IDENTITY_ENV)


def _run_copier_update(
    workdir: Path, src: str, options: UpdateOptions, *, vcs_ref: str | None
) -> None:
    """Copier's own update, in the scratch clone; its errors become ours."""
    from copier import run_update  # lazy: Copier's import costs more than our whole CLI
    from copier.errors import CopierError, InteractiveSessionError, UserMessageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Copier's warnings are for template authors
            run_update(
                workdir,
                data=options.data,
                vcs_ref=vcs_ref,
                defaults=not options.interactive,
                skip_answered=True,
                overwrite=True,
                quiet=True,
                conflict=options.conflict,
                unsafe=False,
            )
    except InteractiveSessionError as error:
        raise BadInputError(
            "the template asks a question that has no answer and there is no terminal to "
            "ask on; pass --defaults or --data KEY=VALUE (nothing was changed)"
        ) from error
    except UserMessageError as error:
        raise BadInputError(f"{error.message} (nothing was changed)") from error
    except (ValueError, CopierError) as error:
        message = str(error).strip() or type(error).__name__
        required = re.fullmatch(r'Question "(.+)" is required', message)
        if required:
            key = required.group(1)
            raise BadInputError(
                f"the new template version asks '{key}', which has no default and no answer; "
                f"pass --data {key}=... (nothing was changed)"
            ) from error
        raise BadInputError(f"{message.splitlines()[-1]} (nothing was changed)") from error
    except OSError as error:  # git failing under Copier (plumbum's errors are OSErrors)
        raise ScaffoldError(f"could not update from {src}: {git_failure(error)}") from error


def _check_data_keys(workdir: Path, data: dict[str, Any]) -> None:
    """Refuse `--data` keys the template does not ask: Copier would ignore a typo."""
    if not data:
        return
    recorded = yaml.safe_load((workdir / ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    unknown = sorted(key for key in data if key not in recorded)
    if unknown:
        known = ", ".join(key for key in without_metadata(recorded))
        raise BadInputError(
            f"--data: unknown answer key '{unknown[0]}'; known keys: {known} (nothing was changed)"
        )


def _unmerged(clone: Path) -> list[tuple[str, str, str, str]]:
    """Index entries Copier left unmerged (inline conflicts): mode, blob, stage, path."""
    entries = []
    for line in git(clone, "ls-files", "--unmerged", "-z", "--full-name").stdout.split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            mode, blob, stage = meta.split()
            entries.append((mode, blob, stage, path))
    return entries


def _keep_edited_removals(
    recorded: Recorded, clone: Path, src: str, deleted: tuple[str, ...]
) -> tuple[str, ...]:
    """Restore files the template removed but the user had edited; Copier deletes them.

    A removed file is deleted only if it is byte for byte what the old version rendered
    with the recorded answers; anything else is the user's work and is kept.
    """
    if not deleted:
        return ()
    git(clone, "checkout", "HEAD", "--", *deleted)
    current = {_project_relative(recorded, path): (clone / path).read_bytes() for path in deleted}
    answers = without_metadata(recorded.answers)
    untouched = untouched_files(src, recorded.commit, answers, current)
    kept = []
    for path in deleted:
        relative = _project_relative(recorded, path)
        ours = clone / path
        if relative in untouched:
            ours.unlink()
        else:
            kept.append(relative)
            # In rej mode Copier also left the user's edit as a reject: it is moot now.
            ours.with_name(ours.name + ".rej").unlink(missing_ok=True)
    return tuple(kept)


def _project_relative(recorded: Recorded, path: str) -> str:
    if recorded.subdir == ".":
        return path
    return path.removeprefix(recorded.subdir + "/")


def _collect(
    recorded: Recorded,
    clone: Path,
    src: str,
    base: str,
    conflict: ConflictMode,
    after: Status,
    stages: list[tuple[str, str, str, str]],
    kept: tuple[str, ...],
    detail: Detail,
) -> tuple[UpdateResult, tuple[str, ...]]:
    """Stage the scratch result and describe it relative to the project's HEAD (`base`)."""
    git(clone, "add", "--all")
    kept_rejects = {f"{path}.rej" for path in kept}
    rejects = [
        path
        for path in after.ignored
        if path.endswith(".rej") and _project_relative(recorded, path) not in kept_rejects
    ]
    if rejects:
        git(clone, "add", "--force", "--", *rejects)
    scope = ["--relative"] if recorded.subdir != "." else []
    where = clone / recorded.subdir
    names = git(
        where, "diff", "--cached", "--no-renames", "--name-status", "-z", *scope, base
    ).stdout.split("\0")
    changes: dict[str, list[str]] = {"A": [], "M": [], "D": [], "T": []}
    for status, path in zip(names[0::2], names[1::2], strict=False):
        changes.setdefault(status[:1], []).append(path)
    if conflict == "inline":
        conflicted = sorted({_project_relative(recorded, entry[3]) for entry in stages})
    else:
        conflicted = sorted(
            path.removesuffix(".rej") for path in changes["A"] if path.endswith(".rej")
        )
    diff_args = ["diff", "--cached", "--no-renames", "--no-color", *scope, base]
    diff = git(where, *diff_args).stdout if detail == "patch" else ""
    stat = git(where, *diff_args, "--stat").stdout if detail == "stat" else ""
    new_answers = yaml.safe_load((where / ANSWERS_FILE).read_text("utf-8"))
    result = UpdateResult(
        project=recorded.project,
        template=src,
        current_version=recorded.commit,
        target_version=str((new_answers or {}).get("_commit", recorded.commit)),
        added=tuple(changes["A"]),
        modified=tuple(changes["M"] + changes["T"]),
        deleted=tuple(changes["D"]),
        conflicted=tuple(conflicted),
        kept=kept,
        diff=diff,
        stat=stat,
        applied=False,
    )
    return result, tuple(f"{mode} {blob} {stage}\t{path}" for mode, blob, stage, path in stages)


def _apply(recorded: Recorded, computed: _Computed, received: list[int]) -> None:
    """Switch the project's work tree to the scratch result at once.

    `received` fills with signals that arrived meanwhile (see `_hold_signals`).
    """
    top, clone = recorded.top, computed.clone
    now = git_status(top)
    if now.head != computed.base or now.dirty:
        raise BadInputError(f"{recorded.project} changed while the update was computed; retry")
    result = git(clone, "write-tree").stdout.strip()
    if computed.stages:
        # The index will name the conflict stages' blobs, so the project must own them:
        # fetch them in a carrier commit nobody checks out.
        listing = "".join(
            f"100644 blob {entry.split()[1]}\tstage{n}\n" for n, entry in enumerate(computed.stages)
        )
        stage_tree = git(clone, "mktree", stdin=listing).stdout.strip()
        git(clone, "update-ref", _STAGES_REF, _commit_tree(clone, stage_tree, None))
        git(top, "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", str(clone), _STAGES_REF)
    # A private copy of the index drives the switch, reading the result's objects from the
    # scratch clone: the real index and object store stay as they were.
    index = computed.scratch / "index"
    shutil.copyfile(recorded.index, index)
    env = {
        "GIT_INDEX_FILE": str(index),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(clone / ".git" / "objects"),
    }
    # A copied or touched project has stale stat data; refresh it (in the copy only),
    # or read-tree takes unchanged files for local edits.
    git(top, "update-index", "-q", "--refresh", env=env, check=False)
    if received:
        raise KeyboardInterrupt
    git(top, "read-tree", "-m", "-u", computed.base, result, env=env, detached=True)
    if received:
        git(top, "read-tree", "-m", "-u", result, computed.base, env=env, detached=True)
        raise KeyboardInterrupt
    if computed.stages:
        # Mark conflicts as unmerged (UU), as Copier does, so `git commit` refuses them.
        paths = {entry.split("\t", 1)[1] for entry in computed.stages}
        lines = [f"0 {'0' * 40}\t{path}" for path in sorted(paths)]
        git(
            top,
            "update-index",
            "--index-info",
            stdin="\n".join([*lines, *computed.stages]) + "\n",
            detached=True,
        )


def _commit_tree(clone: Path, tree: str, parent: str | None) -> str:
    """A commit that only carries objects to the project; nobody sees its author."""
    parents = ("-p", parent) if parent else ()
    return git(
        clone, "commit-tree", tree, *parents, "-m", "scaffold update result", env=_IDENTITY_ENV
    ).stdout.strip()


def _hold_signals(received: list[int]) -> Callable[[], None]:
    """Hold SIGINT/SIGTERM (noting them in `received`); returns the function that lets go."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def hold(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}

    def release() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return release


@contextmanager
def _interrupts_as_keyboard() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C, so scratch files are removed and nothing is half-done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
