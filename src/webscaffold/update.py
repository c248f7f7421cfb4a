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
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from webscaffold import signals
from webscaffold.answers import not_among, without_metadata
from webscaffold.copierutil import ANSWERS_FILE, copier_errors, read_answers, update_in_place
from webscaffold.errors import BadInputError
from webscaffold.gitutil import Status, git, git_status
from webscaffold.lock import relock_after_update
from webscaffold.project import Recorded, recorded_project, template_source
from webscaffold.render import untouched_files

ConflictMode = Literal["inline", "rej"]
Detail = Literal["patch", "stat", "none"]  # how `diff` describes the change
Step = Callable[[str], None]
_SHOWN = 5  # dirty files named in the refusal
_UNCHANGED = " (nothing was changed)"
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
    answers: dict[str, Any]  # the answers after the update, without Copier's metadata
    uncommitted: tuple[str, ...] = ()  # `diff` works from the last commit; these are not in it
    lock_problem: str | None = None  # why uv.lock could not be re-locked

    @property
    def changed(self) -> bool:
        """Whether the update changes any file."""
        return bool(self.added or self.modified or self.deleted)

    def to_json(self) -> dict[str, Any]:
        """What `diff --json` prints: the summary, without the patch text."""
        left_out = {"diff", "stat", "applied", "answers"}
        summary = {k: v for k, v in asdict(self).items() if k not in left_out}
        return {**summary, "project": str(self.project), "changed": self.changed}


@dataclass(frozen=True)
class _Computed:
    result: UpdateResult
    scratch: Path
    clone: Path
    base: str
    stages: tuple[str, ...]


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
    with _computed(recorded, base, options, step, detail) as computed:
        return replace(computed.result, uncommitted=status.dirty)


def apply_update(
    project: Path, options: UpdateOptions, step: Step = lambda _m: None
) -> UpdateResult:
    """Compute the update, then apply it to a clean project in one final step."""
    recorded = recorded_project(project)
    status = git_status(recorded.top)
    _refuse_dirty(recorded, status)
    base = _head(recorded, status)
    with _computed(recorded, base, options, step, "none") as computed:
        if not computed.result.changed:
            return computed.result
        step("Applying the update to the project")
        # From here to the end of clean-up, signals wait: either the switch is rolled
        # back (and we say so) or it completed (and we report it).
        with signals.held() as received:
            _apply(recorded, computed, received)
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
        with copier_errors(prefix=f"could not update from {src}: ", suffix=_UNCHANGED):
            update_in_place(
                workdir,
                options.data,
                vcs_ref=options.vcs_ref or default_ref,
                interactive=options.interactive,
                conflict=options.conflict,
            )
        _check_data_keys(workdir, options.data)
        lock_problem = relock_after_update(workdir, base, step)
        after = git_status(clone, ignored=True)
        outcome = _Outcome(
            recorded=recorded,
            clone=clone,
            src=src,
            base=base,
            after=after,
            stages=_unmerged(clone) if after.unmerged else [],
            kept=_keep_edited_removals(recorded, clone, src, after.deleted),
        )
        result, stage_entries = _collect(outcome, options.conflict, detail)
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


def _check_data_keys(workdir: Path, data: dict[str, Any]) -> None:
    """Refuse `--data` keys the template does not ask: Copier would ignore a typo."""
    if not data:
        return
    recorded = read_answers(workdir)
    unknown = sorted(key for key in data if key not in recorded)
    if unknown:
        hint = not_among(unknown[0], list(without_metadata(recorded)), "known keys")
        raise BadInputError(f"--data: unknown answer key '{unknown[0]}'; {hint}{_UNCHANGED}")


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


@dataclass(frozen=True)
class _Outcome:
    """What Copier left in the scratch clone, before it is described."""

    recorded: Recorded
    clone: Path
    src: str
    base: str  # the project's HEAD the update started from
    after: Status  # the clone's status after Copier ran
    stages: list[tuple[str, str, str, str]]  # unmerged index entries (inline conflicts)
    kept: tuple[str, ...]  # removed by the template, kept because the user edited them


def _collect(
    outcome: _Outcome, conflict: ConflictMode, detail: Detail
) -> tuple[UpdateResult, tuple[str, ...]]:
    """Stage the scratch result and describe it relative to the project's HEAD (`base`)."""
    recorded, clone, base, stages, kept = (
        outcome.recorded,
        outcome.clone,
        outcome.base,
        outcome.stages,
        outcome.kept,
    )
    git(clone, "add", "--all")
    kept_rejects = {f"{path}.rej" for path in kept}
    rejects = [
        path
        for path in outcome.after.ignored
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
    new_answers = read_answers(where)
    result = UpdateResult(
        project=recorded.project,
        template=outcome.src,
        current_version=recorded.commit,
        target_version=str(new_answers.get("_commit", recorded.commit)),
        added=tuple(changes["A"]),
        modified=tuple(changes["M"] + changes["T"]),
        deleted=tuple(changes["D"]),
        conflicted=tuple(conflicted),
        kept=kept,
        diff=diff,
        stat=stat,
        applied=False,
        answers=without_metadata(new_answers),
    )
    return result, tuple(f"{mode} {blob} {stage}\t{path}" for mode, blob, stage, path in stages)


def _apply(recorded: Recorded, computed: _Computed, received: list[int]) -> None:
    """Switch the project's work tree to the scratch result at once.

    `received` fills with signals that arrived meanwhile (see `signals.held`).
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
