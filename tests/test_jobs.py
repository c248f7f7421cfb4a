"""Background jobs (Celery + Redis): the question's default, what a project gets, and the golden
fixtures' own `worker` tests, run on a real Redis and a real Celery worker.

The worker tests use REDIS_URL (.ci/run starts a Redis and sets it) or a `redis-server` on PATH.
"""

from __future__ import annotations

import os
import re
import secrets
import shlex
import shutil
import subprocess
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from projects import RowProject, on_rows
from support import (
    REPO_ROOT,
    assert_worker_tests_passed,
    copy_project,
    free_port,
    production_env,
    project_env,
    readme_commands_of,
    run,
)
from usecases import DJANGO_SIDE, FASTAPI_SIDE
from usecases import USE_CASES as TABLE
from webscaffold.generate import write_env_file

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"  # from the canonical answers' project name, "Bar Probe"
GOLDEN = REPO_ROOT / "tests" / "fixtures"


def answers_of(project: Path) -> dict[str, object]:
    return dict(yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8")))


# Each use case alone on its own side: background jobs are on by default as its row in the table
# says; the Django-side use cases dropped on FastAPI take their jobs with them; the hybrid's API
# use cases that have jobs turn them on there too.
DEFAULTS = [
    *(
        pytest.param(case.side, [key], case.jobs, id=f"{case.side}-{key}")
        for key, case in TABLE.items()
    ),
    pytest.param("fastapi", DJANGO_SIDE, False, id="fastapi-site-dropped"),
    pytest.param("hybrid", [key for key in FASTAPI_SIDE if TABLE[key].jobs], True, id="hybrid-api"),
]


@pytest.mark.parametrize(("framework", "use_cases", "expected"), DEFAULTS)
def test_the_default_follows_the_use_cases_built(
    tmp_path: Path, framework: str, use_cases: list[str], expected: bool
) -> None:
    project = copy_project(tmp_path / "p", framework=framework, use_cases=use_cases)
    assert answers_of(project)["background_jobs"] is expected
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert ("celery[redis]>=5.5" in pyproject["project"]["dependencies"]) is expected
    assert ("celery-types>=0.23" in pyproject["dependency-groups"]["dev"]) is expected
    # Real-time rooms have `worker` tests too (two app servers on Redis), and need redis themselves.
    realtime = "real-time" in use_cases and framework != "django"
    markers = pyproject["tool"]["pytest"]["ini_options"].get("markers", [])
    assert any(marker.startswith("worker:") for marker in markers) is (expected or realtime)
    redis = any(name.startswith("redis") for name in pyproject["project"]["dependencies"])
    assert redis is realtime
    services = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))["services"]
    assert ("redis" in services) is (expected or realtime)
    assert ("REDIS_URL" in services["app"]["environment"]) is (expected or realtime)
    assert (project / SLUG / "celery.py").exists() is expected
    assert (project / "tests" / "test_worker.py").exists() is expected


def test_the_answer_overrides_the_default(tmp_path: Path) -> None:
    off = copy_project(
        tmp_path / "off", framework="django", use_cases=["e-commerce"], background_jobs=False
    )
    assert not (off / SLUG / "celery.py").exists()
    assert not (off / SLUG / "orders" / "tasks.py").exists()
    checkout = (off / SLUG / "orders" / "checkout.py").read_text(encoding="utf-8")
    assert "transaction.on_commit(partial(send_confirmation, order.pk), robust=True)" in checkout

    on = copy_project(tmp_path / "on", framework="fastapi", background_jobs=True)
    assert (on / SLUG / "celery.py").exists()


def test_django_projects_schedule_clearsessions(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", framework="django", use_cases=DJANGO_SIDE)
    celery = (project / SLUG / "celery.py").read_text(encoding="utf-8")
    assert f'"task": "{SLUG}.accounts.tasks.clear_expired_sessions"' in celery
    tasks = (project / SLUG / "accounts" / "tasks.py").read_text(encoding="utf-8")
    assert 'call_command("clearsessions")' in tasks


# ── the golden fixtures, installed: their worker tests and production's refusal ──


@pytest.fixture(
    scope="module",
    params=[  # one worker installs each
        pytest.param(name, marks=pytest.mark.xdist_group(f"golden-{name}"))
        for name in sorted(path.stem for path in GOLDEN.glob("*.yml"))
    ],
)
def golden(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A golden fixture, copied out of the repository and installed."""
    project = tmp_path_factory.mktemp("golden") / str(request.param)
    shutil.copytree(GOLDEN / request.param, project)
    run(project, "uv", "sync", "--quiet", env=project_env())
    return project


def readme_worker_command(project: Path) -> list[str]:
    """The command the project's README gives for running only the `worker` tests."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"`(uv run pytest -m worker[^`]*)`", readme))
    assert len(commands) == 1, f"the README gives one command for the worker tests: {commands}"
    return shlex.split(commands.pop())


@pytest.mark.slow
def test_golden_fixtures_run_their_worker_tests_as_the_readme_says(golden: Path) -> None:
    assert answers_of(golden)["background_jobs"] is True
    env = project_env(PYTEST_ADDOPTS="-rA -p no:cacheprovider")  # the report only: every outcome
    env.pop("DATABASE_URL", None)  # worker tests bring their own database
    output = run(golden, *readme_worker_command(golden), env=env)  # fails unless it exits 0
    assert_worker_tests_passed(golden, output)
    assert not re.search(r"^(SKIPPED|FAILED|ERROR) ", output, re.MULTILINE), output[-3000:]


@pytest.mark.slow
def test_production_refuses_to_start_without_redis(golden: Path) -> None:
    slug = str(answers_of(golden)["project_slug"])
    env = {**project_env(), **production_env(slug)}
    env.pop("REDIS_URL")
    if (golden / "manage.py").exists():
        command = ["uv", "run", "python", "manage.py", "check"]
    else:
        code = f"from {slug}.config import Settings; Settings(_env_file=None)"
        command = ["uv", "run", "python", "-c", code]
        env.pop("ALLOWED_HOSTS")  # a JSON list there; the default will do
        env.update(ENVIRONMENT="production", SECRET_KEY="s" * 64, EMAIL_HOST="smtp.example.com")
    refused = subprocess.run(
        command, cwd=golden, env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0
    assert "REDIS_URL must name the Redis server background jobs go through" in refused.stderr

    started = subprocess.run(
        command,
        cwd=golden,
        env={**env, "REDIS_URL": "redis://:s3cret@h:6379/0"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode == 0, started.stderr


@pytest.mark.slow
def test_running_beat_as_the_readme_says_leaves_the_tree_clean(golden: Path) -> None:
    """Beat's schedule file goes where git ignores it, so `scaffold update` is not refused."""
    readme = (golden / "README.md").read_text(encoding="utf-8")
    (line,) = [
        line for line in readme.splitlines() if line.startswith("uv run celery") and " beat" in line
    ]
    command = line.partition("#")[0].split()
    env = project_env()
    env.pop("REDIS_URL", None)  # development: beat starts and writes its schedule all the same
    write_env_file(golden)  # the git-ignored .env `scaffold new` writes (development opt-in)
    run(golden, "git", "init", "--quiet", env=env)
    run(golden, "git", "add", "--all", env=env)
    run(golden, "git", "commit", "--quiet", "--message", "generated", env=env)
    beat = subprocess.Popen(
        command, cwd=golden, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        schedule = golden / "var" / "celerybeat-schedule"
        for _ in range(120):
            if list(schedule.parent.glob("celerybeat-schedule*")) or beat.poll() is not None:
                break
            time.sleep(0.25)
    finally:
        beat.terminate()
        output, _ = beat.communicate(timeout=30)
    assert list(schedule.parent.glob("celerybeat-schedule*")), output
    status = run(golden, "git", "status", "--porcelain", "--untracked-files=all", env=env)
    assert status == "", status


@contextmanager
def redis_url() -> Iterator[str]:
    """The Redis of REDIS_URL (.ci/run starts one), or a throwaway `redis-server`."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@on_rows("django-sqlite-e-commerce", "fastapi-sqlite-ml-api")
def test_a_worker_started_as_the_readme_says_answers_inspect_ping(row: RowProject) -> None:
    shown = readme_commands_of(row.path)
    worker = f"uv run celery -A {SLUG} worker --loglevel INFO"
    ping = f"uv run celery -A {SLUG} inspect ping"
    assert {worker, ping} <= set(shown), shown
    with redis_url() as url:
        # A queue of its own: no other project's worker on this Redis takes its tasks.
        env = {**row.env, "REDIS_URL": url, "CELERY_QUEUE": f"readme-{secrets.token_hex(4)}"}
        log = row.path / "worker.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                shlex.split(worker), cwd=row.path, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            for _ in range(240):
                if " ready." in log.read_text(errors="replace") or process.poll() is not None:
                    break
                time.sleep(0.25)
            assert " ready." in log.read_text(errors="replace"), log.read_text()
            answer = run(row.path, *shlex.split(ping), env=env)
            assert "pong" in answer, answer
        finally:
            process.terminate()
            process.wait(timeout=60)
            log.unlink()
