"""Copier-style helpers: tiny templates and tagged histories built inside each test."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import copier

ANSWERS_TEMPLATE = "{{ _copier_answers | to_nice_yaml -}}\n"


def build_file_tree(spec: Mapping[str, str | None], root: Path) -> Path:
    """Write `{relative path: text}` under `root` (dedented); `None` deletes the file."""
    for relative, text in spec.items():
        path = root / relative
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def git(cwd: Path, *args: str) -> str:
    """Run git; fail the test with its output if git fails."""
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def git_save(root: Path, message: str = "save", *, tag: str | None = None) -> None:
    """Commit everything under `root` (initialising a repository if needed), maybe tag it."""
    if not (root / ".git").exists():
        git(root, "init", "--quiet")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--allow-empty", "-m", message)
    if tag:
        git(root, "tag", tag)


def generate(src: Path | str, dest: Path, vcs_ref: str = "v1", **data: Any) -> Path:
    """Copy a template version with plain Copier and commit the result, as `scaffold new` does."""
    copier.run_copy(
        str(src), dest, data=data, vcs_ref=vcs_ref, defaults=True, quiet=True, unsafe=False
    )
    git_save(dest, "Generated")
    return dest


def status(project: Path) -> list[str]:
    """`git status --porcelain` lines, untracked files included."""
    return git(project, "status", "--porcelain", "--untracked-files=all").splitlines()


def snapshot(project: Path) -> dict[str, bytes]:
    """Every work-tree file's bytes, plus HEAD and the index's meaning (not its stat cache)."""
    files = {}
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project).as_posix()
        if path.is_file() and not relative.startswith(".git/"):
            files[relative] = path.read_bytes()
    files["<HEAD>"] = git(project, "rev-parse", "HEAD").encode()
    files["<index>"] = git(project, "ls-files", "--stage").encode()
    return files
