"""Generated projects for the repository's scripts and benchmarks: render, install, run in them.

Imported by `scripts/screenshots.py` and `benchmarks/frameworks_bench.py` (which puts this folder
on `sys.path`); the tests have their own helpers in `tests/support.py`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import copier
import yaml
from copier.errors import DirtyLocalWarning

REPO_ROOT = Path(__file__).resolve().parents[1]
# This process's settings that must not leak into a project's (it reads its own, or ours).
LEAKY = {"VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS"}
LEAKY |= {"DATABASE_URL", "ENVIRONMENT"}


@dataclass
class Project:
    """A generated project, and the environment its commands run in."""

    path: Path
    slug: str
    env: dict[str, str]

    def run(self, *command: str) -> str:
        """`uv run --no-dev COMMAND` in the project; its output."""
        return subprocess.run(
            ["uv", "run", "--no-dev", *command],
            cwd=self.path,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without anything that would leak in, plus `settings`."""
    env = {key: value for key, value in os.environ.items() if key not in LEAKY}
    return {**env, "UV_NO_PROGRESS": "1", **settings}


def generate(dest: Path, answers: dict[str, object], env: dict[str, str]) -> Project:
    """Render this working tree with plain Copier (as `copier copy` would) and `uv sync` it."""
    warnings.filterwarnings("ignore", category=DirtyLocalWarning)  # uncommitted work is wanted
    copier.run_copy(str(REPO_ROOT), dest, data=answers, defaults=True, vcs_ref="HEAD", quiet=True)
    subprocess.run(["uv", "sync", "--quiet", "--no-dev"], cwd=dest, env=env, check=True)
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text(encoding="utf-8"))
    return Project(dest, str(recorded["project_slug"]), env)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
