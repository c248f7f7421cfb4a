"""Small wrappers over the git command line."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from webscaffold.errors import ScaffoldError

# Used only when the user has no git identity, so the first commit never fails.
FALLBACK_IDENTITY = ("-c", "user.name=webscaffold", "-c", "user.email=webscaffold@localhost")


def git(
    cwd: Path,
    *args: str,
    check: bool = True,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    detached: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run git in `cwd` and capture its output as text.

    `env` adds variables to ours; `detached` runs git in its own session, so a
    Ctrl-C on the terminal cannot kill it halfway through a write.
    """
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **env} if env else None,
            start_new_session=detached,
        )
    except FileNotFoundError:
        raise ScaffoldError("git is not installed; install git or pass --no-git") from None
    if check and result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ScaffoldError(f"git {args[0]} failed in {cwd}: {detail[-1] if detail else ''}")
    return result


def has_identity(cwd: Path) -> bool:
    """Whether git knows who commits here."""
    name = git(cwd, "config", "user.name", check=False).stdout.strip()
    email = git(cwd, "config", "user.email", check=False).stdout.strip()
    return bool(name and email)


def init_and_commit(path: Path, message: str) -> None:
    """Make `path` a git repository whose first commit holds every file."""
    git(path, "init", "--quiet")
    git(path, "add", "--all")
    identity = () if has_identity(path) else FALLBACK_IDENTITY
    git(path, *identity, "commit", "--quiet", "--no-verify", "-m", message)


def enclosing_work_tree(path: Path) -> Path | None:
    """The git work tree `path` (or, if it does not exist yet, its nearest ancestor) lies in."""
    existing = next((p for p in (path, *path.parents) if p.is_dir()), None)
    if existing is None:
        return None
    try:
        found = git(existing, "rev-parse", "--show-toplevel", check=False)
    except ScaffoldError:
        return None  # no git: nothing to nest in
    top = found.stdout.strip()
    return Path(top) if found.returncode == 0 and top else None


def git_failure(error: OSError) -> str:
    """The line of a failed command's output that says what went wrong."""
    stderr = getattr(error, "stderr", None)
    text = stderr if isinstance(stderr, str) and stderr.strip() else str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


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
