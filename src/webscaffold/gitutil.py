"""Small wrappers over the git command line."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
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


def git_failure(error: OSError) -> str:
    """The line of a failed command's output that says what went wrong."""
    stderr = getattr(error, "stderr", None)
    text = stderr if isinstance(stderr, str) and stderr.strip() else str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
