"""Test helpers: render the template with plain Copier, run a project's checks, boot it."""

from __future__ import annotations

import ast
import atexit
import fcntl
import functools
import hashlib
import json
import os
import re
import secrets
import select
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import copier
import yaml
from typer.testing import CliRunner

from webscaffold.cli import app

REPO_ROOT = Path(__file__).resolve().parents[1]

# The canonical answers; each test overrides only what it is about.
CANONICAL_ANSWERS: dict[str, Any] = {
    "project_name": "Bar Probe",
    "author_name": "Test Team",
    "author_email": "team@example.com",
}


# Where renders are kept: one folder for the whole test run when the controlling process names it
# (every xdist worker then renders a set of answers once between them), else one per process.
RENDERS_VARIABLE = "SCAFFOLD_TEST_RENDERS"
_renders: dict[str, Path] = {}


@functools.cache
def _render_root() -> Path:
    shared = os.environ.get(RENDERS_VARIABLE)
    if shared:
        return Path(shared)
    root = Path(tempfile.mkdtemp(prefix="scaffold-renders-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


def render(**overrides: Any) -> Path:
    """The template rendered with the canonical answers and `overrides`, once per test run.

    A render costs one to several seconds and most tests only read what it wrote. The directory
    is shared: read it, or copy it (`copy_project`) before changing anything.
    """
    answers = {**CANONICAL_ANSWERS, **overrides}
    key = json.dumps(answers, sort_keys=True, default=str)
    if key not in _renders:
        dest = _render_root() / hashlib.sha256(key.encode()).hexdigest()[:16]
        # One process renders a set of answers while the others wait (a lock ends with its holder).
        with dest.with_name(f"{dest.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not dest.is_dir():
                partial = dest.with_name(f".{dest.name}-{uuid.uuid4().hex}")
                copier.run_copy(
                    str(REPO_ROOT),
                    partial,
                    data=answers,
                    defaults=True,
                    vcs_ref="HEAD",
                    quiet=True,
                    unsafe=False,
                )
                partial.rename(dest)  # whole or absent, even if this process dies mid-render
        _renders[key] = dest
    return _renders[key]


def copy_project(dest: Path, **overrides: Any) -> Path:
    """The working tree of the template rendered into `dest` with plain Copier, as `copier copy`
    would; identical answers are rendered once per test run and copied."""
    shutil.copytree(render(**overrides), dest, symlinks=True)
    return dest


@dataclass(frozen=True)
class Ran:
    """What one `scaffold` command did; unpacks as `code, output = scaffold(...)`."""

    code: int
    output: str  # stdout and stderr together, as a user sees them
    stdout: str
    stderr: str

    def __iter__(self) -> Iterator[Any]:  # Any: the two unpacked values differ in type
        return iter((self.code, self.output))


def scaffold(*args: str) -> Ran:
    """Run the CLI in-process as a user would (no terminal): never a traceback."""
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return Ran(result.exit_code, result.output, result.stdout, result.stderr)


def installed_apps(project: Path, slug: str = "bar_probe") -> list[str]:
    """INSTALLED_APPS of a generated Django or hybrid project's base settings, parsed."""
    tree = ast.parse((project / slug / "settings" / "base.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "INSTALLED_APPS":
            return [str(app) for app in ast.literal_eval(node.value)]
    raise AssertionError("no INSTALLED_APPS")


def requirement_name(requirement: str) -> str:
    """`Django>=5.2,<5.3` -> `django`; `uvicorn[standard]>=0.34` -> `uvicorn` (PEP 503 form)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group()).lower()


def dependency_names(project: Path, group: str | None = None) -> set[str]:
    """The runtime dependencies' names (or a dependency group's) from a project's pyproject."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    requirements: list[str] = (
        pyproject["dependency-groups"][group] if group else pyproject["project"]["dependencies"]
    )
    names = [requirement_name(requirement) for requirement in requirements]
    assert len(names) == len(set(names)), f"a dependency is listed twice: {requirements}"
    return set(names)


def project_env(**extra: str) -> dict[str, str]:
    """Environment for a generated project's own tools: its own venv, never ours."""
    # Bytecode is cached, as on a user's machine: each server, worker and command a project's
    # tests start imports Django, Wagtail or scikit-learn, and compiling them afresh every time
    # took about a third of a project check's CPU time. Generated projects git-ignore it.
    # PYTEST_ADDOPTS is this suite's: a `-k`, `-x` or report option given to it must not change
    # which of a project's own tests run or how they report.
    dropped = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE", "PYTEST_ADDOPTS"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(UV_PYTHON_DOWNLOADS="never", UV_NO_PROGRESS="1")
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
    ("uv", "run", "pytest", "-q", "-rA", "-p", "no:cacheprovider"),
)


def run_project_checks(project: Path, env: dict[str, str], *, coverage: bool = False) -> str:
    """`uv sync`, then the project's own ruff, format check, mypy and pytest (with `--cov`, the
    coverage bar, as its CI runs it, when `coverage`); pytest's output."""
    run(project, "uv", "sync", "--quiet", env=env)
    output = ""
    for check in PROJECT_CHECKS:
        measured = ("--cov",) if coverage and "pytest" in check else ()
        output = run(project, *check, *measured, env=env)
    return output


def has_background_jobs(project: Path) -> bool:
    """Whether a generated project was made with background jobs (Celery workers)."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return bool(answers.get("background_jobs"))


def has_realtime_rooms(project: Path) -> bool:
    """Whether a generated project has WebSocket rooms (real-time, built on the FastAPI side)."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return "real-time" in answers.get("use_cases", []) and answers.get("framework") != "django"


def worker_tests_passed(pytest_output: str, module: str = "test_worker") -> list[str]:
    """The tests of `module` a project's pytest run lists as passed (its `-rA` summary)."""
    return re.findall(rf"^PASSED (tests/{module}\.py::\S+)", pytest_output, re.MULTILINE)


def assert_worker_tests_passed(project: Path, pytest_output: str) -> None:
    """A project's `worker` tests (real Redis) ran and passed: the Celery worker's where background
    jobs are on, the two app servers sharing rooms where real-time is.

    They skip only without Redis (no REDIS_URL, no redis-server on PATH): .ci/run provides one.
    """
    expected = {
        "test_worker": has_background_jobs(project),
        "test_rooms_across_processes": has_realtime_rooms(project),
    }
    for module in (module for module, present in expected.items() if present):
        assert worker_tests_passed(pytest_output, module), (
            f"the {module} tests of {project} did not run and pass:\n{pytest_output[-3000:]}"
        )


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


def developer_settings(project: Path) -> dict[str, str]:
    """What the `.env` of a developer's checkout chooses for a Django project: local settings.

    Servers' entry points default to production settings (and refuse to start unconfigured).
    """
    if not (project / "manage.py").is_file():
        return {}
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    return {"DJANGO_SETTINGS_MODULE": f"{answers['project_slug']}.settings.local"}


@contextmanager
def serve(project: Path, command: list[str], env: dict[str, str], port: int) -> Iterator[str]:
    """Start the project's server, wait until /health answers, yield its base URL, stop it.

    Django projects get local settings unless `env` names others, as on a developer's machine.
    """
    env = {**developer_settings(project), **env}
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


def readme_commands_of(project: Path) -> list[str]:
    """The commands of the project's README's shell blocks, as shown (tests/readme_commands.py)."""
    from readme_commands import commands

    return commands((project / "README.md").read_text(encoding="utf-8"))


def readme_block(project: Path, heading: str) -> list[str]:
    """The commands of the first shell block under `heading` in the project's README."""
    from readme_commands import BLOCK, commands

    section = (project / "README.md").read_text(encoding="utf-8").split(f"\n{heading}\n", 1)[1]
    block = BLOCK.search(section)
    assert block, f"no shell block under {heading}"
    return commands(block[0])


def run_deploy_steps(project: Path, env: dict[str, str]) -> list[str]:
    """A Django project's README "Deploying" commands before the server, run as shown; the
    server's command, on port 8000 as shown."""
    *steps, server = readme_block(project, "### Deploying")
    for step in steps:
        run(project, *shlex.split(step), env=env)
    return shlex.split(server)


def on_port(command: str | Sequence[str], port: int) -> list[str]:
    """A README command's argv, with `port` for the 8000 it shows: ports may be taken here."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    return [
        str(port) if word == "8000" else re.sub(r"(?<=:)8000$", str(port), word) for word in argv
    ]


def readme_command(project: Path, start: str, port: int) -> list[str]:
    """The README's one command beginning with `start`, as shown but on port `port`."""
    (command,) = {line for line in readme_commands_of(project) if line.startswith(start)}
    argv = shlex.split(command)
    assert argv[argv.index("--host") + 1] == "0.0.0.0"  # noqa: S104 (what the README shows)
    assert argv[argv.index("--port") + 1] == "8000"
    return on_port(command, port)


class Terminal:
    """A command running on a pseudo-terminal, read and typed into like a user would."""

    def __init__(
        self, argv: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None
    ) -> None:
        self.master, slave = os.openpty()
        self.process = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**(env or os.environ), "TERM": "xterm", "COLUMNS": "120", "LINES": "40"},
            start_new_session=True,
        )
        os.close(slave)
        self.screen = ""

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {text!r}; screen was:\n{self.screen}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:  # the program closed the terminal
                    break
        assert text in self.screen, f"never saw {text!r}; screen was:\n{self.screen}"

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def finish(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.screen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:
                    break
        code = self.process.wait(timeout=5)
        os.close(self.master)
        return code


def huge_header_status(base: str, size: int = 1024 * 1024) -> str:
    """The status line a request with a `size`-byte header gets, or "closed" (the server hung up
    before answering). h11 checks its limit on a head still incomplete after a read, so one that
    fits a single socket read (256 KiB in asyncio) may pass: the default is well over that."""
    host, port = base.removeprefix("http://").split(":")
    head = f"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: {'a' * size}\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        try:
            sock.sendall(head.encode())
            return sock.recv(4096).decode(errors="replace").split("\r\n")[0] or "closed"
        except OSError:
            return "closed"


@contextmanager
def serve_app(project: Path, slug: str, env: dict[str, str]) -> Iterator[str]:
    """The project under uvicorn on a free port, as its README serves it; yields its base URL."""
    port = free_port()
    with serve(project, uvicorn_command(slug, port), env, port) as base:
        yield base


def create_database(server_url: str) -> str:
    """A fresh, empty database on the test server; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    subprocess.run(
        ["psql", server_url, "-q", "-c", f"CREATE DATABASE {name}"],
        check=True,
        capture_output=True,
    )
    return server_url.rsplit("/", 1)[0] + f"/{name}"


# ── Django projects (django and hybrid) ──────────────────────────────────────

# Variables a developer's shell may hold that would change what the project under test does.
FOREIGN_VARIABLES = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "EMAIL_HOST",
)


def refusal(project: Any, command: list[str]) -> str:
    """Start a server with no configuration at all; it must fail. Its error output, stripped."""
    result = subprocess.run(
        command,
        cwd=project.path,
        env=project.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert not (project.path / ".env").exists(), "a .env file would configure the server"
    return result.stderr.strip()


def production_env(slug: str) -> dict[str, str]:
    """What a deployment sets: production settings, a real secret, the site's host."""
    return {
        "DJANGO_SETTINGS_MODULE": f"{slug}.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,example.com",
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # background jobs' broker (projects with jobs)
        "EMAIL_HOST": "127.0.0.1",  # where account emails go (production requires a server)
        "MEDIA_S3_BUCKET": "media",  # where uploads go (media_storage=s3 requires a bucket)
    }


class _StylesheetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "stylesheet" and found.get("href"):
            self.hrefs.append(str(found["href"]))


def stylesheets(html: bytes) -> list[str]:
    """The stylesheet URLs a page links."""
    parser = _StylesheetLinks()
    parser.feed(html.decode())
    return parser.hrefs


# The stylesheets of the admin's own pages.
ADMIN_STYLESHEETS = ("base", "dark_mode", "login", "nav_sidebar", "responsive")


def admin_login_with_its_css(
    base: str, headers: dict[str, str], project: Path, *, production: bool
) -> Response:
    """The admin's log-in, which sends to the site's (where two-factor and the log-in throttle
    hold), after checking that the site's page, every stylesheet it links and the admin's own
    stylesheets are served (under their hashed names in production, as collectstatic wrote them)."""
    moved = get(f"{base}/admin/login/", headers)
    assert moved.status == 302, moved.body[:2000]
    assert moved.headers["location"].startswith("/accounts/login/"), moved.headers
    login = get(f"{base}{moved.headers['location']}", headers)
    assert login.status == 200, login.body[:2000]
    hashed: dict[str, str] = {}
    if production:
        manifest = project / "staticfiles" / "staticfiles.json"
        hashed = json.loads(manifest.read_text(encoding="utf-8"))["paths"]
    admin = [f"admin/css/{name}.css" for name in ADMIN_STYLESHEETS]
    for href in [*stylesheets(login.body), *(f"/static/{hashed.get(n, n)}" for n in admin)]:
        css = get(f"{base}{href}", headers)
        assert css.status == 200, href
        assert css.headers["content-type"].startswith("text/css")
    return login


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


def lowercase(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header names in lower case (servers differ in how they spell them)."""
    return {name.lower(): value for name, value in headers}


def get(url: str, headers: dict[str, str]) -> Response:
    """GET without following redirects (a redirect is an answer to check, too)."""
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback only)
        with opener.open(request, timeout=10) as reply:
            return Response(reply.status, reply.read(), lowercase(reply.headers.items()))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), lowercase(error.headers.items()))
