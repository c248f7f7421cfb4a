"""Keep a generated project's `uv.lock`: lock it when created, re-lock it when an update needs it.

Plain functions over the `uv` command line. A lock that cannot be made (uv missing,
offline) never fails the command that asked for it: callers get a `LockError` whose
message is one line for the user, and carry on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from webscaffold.errors import ScaffoldError
from webscaffold.gitutil import git

LOCKFILE = "uv.lock"
PYPROJECT = "pyproject.toml"
# What uv.lock records from pyproject.toml: a change to any of these needs a new lock.
_LOCKED_KEYS = (
    ("project", "name"),
    ("project", "version"),
    ("project", "requires-python"),
    ("project", "dependencies"),
    ("project", "optional-dependencies"),
    ("dependency-groups",),
    ("tool", "uv"),
)


class LockError(ScaffoldError):
    """uv could not lock the project; everything else about it is fine."""


def lock_project(project: Path) -> None:
    """Run `uv lock` in `project`; `LockError` with uv's own reason if it cannot."""
    uv = shutil.which("uv")
    if uv is None:
        raise LockError("uv is not installed")
    # Our own virtual environment is not the project's: uv would warn about it.
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    result = subprocess.run(
        [uv, "lock", "--no-progress"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise LockError(f"uv lock failed: {_reason(result.stderr) or f'exit {result.returncode}'}")


def _reason(stderr: str) -> str:
    """uv's error line, with its hint (e.g. that the network was disabled)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.removeprefix("error:").strip() for line in lines if line.startswith("error:")]
    hints = [line.removeprefix("hint:").strip() for line in lines if line.startswith("hint:")]
    reason = errors[0] if errors else (lines[-1] if lines else "")
    return f"{reason} ({hints[0]})" if hints else reason


def lock_new_project(project: Path, dest: Path, step: Callable[[str], None]) -> str | None:
    """Lock a freshly rendered project (to move to `dest`); a one-line problem if uv cannot."""
    if not (project / PYPROJECT).is_file():
        return None
    step("Locking dependencies (uv lock)")
    try:
        lock_project(project)
    except LockError as error:
        return f"{error.message}; created without uv.lock: run `uv lock` in {dest} and commit it"
    return None


def _locked_part(text: str | None) -> dict[str, Any] | None:
    """The parts of a pyproject.toml that uv.lock depends on; None if it is not TOML."""
    if text is None:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None  # e.g. conflict markers: treat as changed, uv will say what is wrong
    part: dict[str, Any] = {}
    for path in _LOCKED_KEYS:
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        part[".".join(path)] = value
    return part


def dependencies_changed(before: str | None, after: str | None) -> bool:
    """Whether two pyproject.toml texts differ in anything uv.lock records."""
    old, new = _locked_part(before), _locked_part(after)
    return old is None or new is None or old != new


def relock_after_update(workdir: Path, base: str, step: Callable[[str], None]) -> str | None:
    """Bring `uv.lock` up to date in an updated (uncommitted) work tree at commit `base`.

    Only a project that tracks uv.lock at `base` is touched. A conflicted uv.lock (inline
    markers or a .rej file) is never left to merge by hand: the committed lock is restored
    and re-locked, as is one whose pyproject.toml dependencies changed. Returns a one-line
    problem when uv could not lock (the committed lock is then kept), else None.
    """
    reject = workdir / f"{LOCKFILE}.rej"
    if not (workdir / LOCKFILE).exists() and not reject.exists():
        return None  # most updates: no lock, and no git process spent finding that out
    committed = git(workdir, "cat-file", "-e", f"{base}:./{LOCKFILE}", check=False)
    if committed.returncode != 0:
        return None
    unmerged = git(workdir, "ls-files", "--unmerged", "--", LOCKFILE).stdout.strip()
    conflicted = bool(unmerged) or reject.exists()
    before = git(workdir, "show", f"{base}:./{PYPROJECT}", check=False)
    pyproject = workdir / PYPROJECT
    after = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else None
    if not conflicted and not dependencies_changed(
        before.stdout if before.returncode == 0 else None, after
    ):
        return None
    if conflicted:
        reject.unlink(missing_ok=True)
        # Checking out from a commit also resolves the index entry (no longer unmerged).
        git(workdir, "checkout", base, "--", LOCKFILE)
    step("Re-locking dependencies (uv lock)")
    try:
        lock_project(workdir)
    except LockError as error:
        return f"{error.message}; uv.lock is as committed: run `uv lock` before you commit"
    return None
