"""Test helpers: render the template with plain Copier, run a project's checks, boot it."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import copier

REPO_ROOT = Path(__file__).resolve().parents[1]

# The canonical answers; each test overrides only what it is about.
CANONICAL_ANSWERS: dict[str, Any] = {
    "project_name": "Bar Probe",
    "author_name": "Test Team",
    "author_email": "team@example.com",
}


def copy_project(dest: Path, **overrides: Any) -> Path:
    """Render the working tree of the template with plain Copier, as `copier copy` would."""
    copier.run_copy(
        str(REPO_ROOT),
        dest,
        data={**CANONICAL_ANSWERS, **overrides},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return dest


def project_env(**extra: str) -> dict[str, str]:
    """Environment for a generated project's own tools: its own venv, never ours."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1", PYTHONDONTWRITEBYTECODE="1")
    env.update(extra)
    return env


def run(project: Path, *args: str, env: dict[str, str], timeout: float = 600) -> str:
    """Run a command in the project; fail the test with its output if it fails."""
    result = subprocess.run(
        args, cwd=project, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(args)} failed in {project}:\n{output}"
    return output


# What a generated project must pass as generated, in the order its README gives.
PROJECT_CHECKS: tuple[tuple[str, ...], ...] = (
    ("uv", "run", "ruff", "check", "."),
    ("uv", "run", "ruff", "format", "--check", "."),
    ("uv", "run", "mypy"),
    ("uv", "run", "pytest", "-q", "-p", "no:cacheprovider"),
)


def run_project_checks(project: Path, env: dict[str, str]) -> None:
    """`uv sync`, then the project's own ruff, format check, mypy and pytest."""
    run(project, "uv", "sync", "--quiet", env=env)
    for check in PROJECT_CHECKS:
        run(project, *check, env=env)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Response:
    """An HTTP response, read whole."""

    status: int
    body: bytes
    headers: dict[str, str]


def http_get(url: str, timeout: float = 10) -> Response:
    """GET a URL on loopback; HTTP errors are responses too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 (loopback only)
            return Response(reply.status, reply.read(), dict(reply.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), dict(error.headers))


@contextmanager
def serve(project: Path, command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Start the project's server, wait until /health answers, yield its base URL, stop it."""
    log = project / f"server-{port}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            command, cwd=project, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"server exited early:\n{log.read_text()}")
                try:
                    http_get(f"{base}/health", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"server never answered:\n{log.read_text()}") from None
                    time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def uvicorn_command(slug: str, port: int) -> list[str]:
    """Every framework's project is served the same way."""
    return ["uv", "run", "uvicorn", f"{slug}.asgi:application", "--port", str(port)]


def create_database(server_url: str) -> str:
    """A fresh, empty database on the test server; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    subprocess.run(
        ["psql", server_url, "-q", "-c", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    return server_url.rsplit("/", 1)[0] + f"/{name}"
