"""The checks manifest: no (combination, check) pair the suite made before is lost, and the
recorder sees what a test does to a generated project (tests/checks_manifest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from checks_manifest import (
    AFTER,
    BEFORE,
    HERE,
    LATER_QUESTIONS,
    RETIRED,
    checks_of,
    combination_of,
    earlier_key,
    lost_pairs,
    normalized_command,
    read_manifest,
    recorded_pairs,
)
from support import free_port


def test_a_combination_is_what_the_framework_builds_not_what_the_project_is_called() -> None:
    answers = {
        "project_name": "My Shop",
        "project_slug": "my_shop",
        "framework": "django",
        "use_cases": ["cms", "e-commerce", "ml-api"],  # ml-api: FastAPI's side, dropped
        "database": "sqlite",
        "background_jobs": True,
        "_commit": "v1",
    }
    assert combination_of(answers) == "django sqlite [e-commerce cms] background_jobs=True"


def test_a_question_added_later_keeps_the_key_at_its_default() -> None:
    answers = {"framework": "django", "database": "sqlite", "background_jobs": False}
    key = combination_of(answers)
    assert combination_of({**answers, "email_provider": "smtp"}) == key
    assert combination_of({**answers, "email_provider": "postmark"}) != key


def test_a_pair_checked_before_counts_on_the_project_with_a_later_feature_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(LATER_QUESTIONS, "observability", ["metrics"])
    answers = {"framework": "hybrid", "database": "sqlite", "background_jobs": True}
    before = {(combination_of(answers), "uv run mypy")}
    featured = combination_of({**answers, "observability": ["sentry", "tracing"]})
    assert featured.endswith("background_jobs=True observability=sentry,tracing")
    assert earlier_key(featured) == combination_of(answers)
    assert lost_pairs(before, {(featured, "uv run mypy")}) == set()
    assert lost_pairs(before, {(featured, "uv run pytest")}) == before


def test_only_the_retired_combinations_may_go_unchecked() -> None:
    before = read_manifest(BEFORE)
    combinations = {combination for combination, _ in before}
    assert combinations >= RETIRED, sorted(RETIRED - combinations)  # no retirement by a typo
    retired = {pair for pair in before if pair[0] in RETIRED}
    kept = next(pair for pair in sorted(before) if pair[0] not in RETIRED)
    assert retired and lost_pairs(before, before - retired) == set()
    assert lost_pairs(before, before - retired - {kept}) == {kept}


def test_the_matrix_builds_no_retired_combination() -> None:
    """A retired combination the matrix built again would be checked but not held to its pairs."""
    from matrix import combinations

    def built(row: Any) -> str:  # framework, database and use cases: what a retired key names
        return combination_of(row.answers()).split("]")[0] + "]"

    rows = {built(row) for row in combinations()}
    retired = {combination.split("]")[0] + "]" for combination in RETIRED}
    assert "fastapi sqlite []" in rows  # the keys compared are of one form
    assert not rows & retired


def test_commands_lose_their_ports_and_paths(tmp_path: Path) -> None:
    argv = ["uv", "run", "gunicorn", "p.wsgi", "--bind", "127.0.0.1:41234", str(tmp_path / "x")]
    assert normalized_command(argv, tmp_path) == (
        "uv run gunicorn p.wsgi --bind 127.0.0.1:{port} {project}/x"
    )


def test_a_coverage_run_is_also_the_plain_run_and_nothing_else_is_widened() -> None:
    assert checks_of("uv run pytest --cov") == ["uv run pytest --cov", "uv run pytest"]
    assert checks_of("uv run pytest -m worker --cov") == [
        "uv run pytest -m worker --cov",
        "uv run pytest -m worker",
    ]
    assert checks_of("uv run pytest") == ["uv run pytest"]
    assert checks_of("uv run coverage run --cov") == ["uv run coverage run --cov"]


RECORDED_SESSION = """
import subprocess, sys, time, urllib.request
from pathlib import Path
from checks_manifest import install

install(Path(sys.argv[1]))
port = sys.argv[2]
server = subprocess.Popen(
    [sys.executable, "-m", "http.server", port, "--bind", "127.0.0.1"],
    cwd=sys.argv[3], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)
try:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/.copier-answers.yml?x=1", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
finally:
    server.terminate()
    server.wait()
"""


def test_the_recorder_sees_a_command_in_a_project_and_requests_to_its_server(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    answers = {"framework": "fastapi", "use_cases": [], "database": "sqlite"}
    (project / ".copier-answers.yml").write_text(yaml.safe_dump(answers))
    record = tmp_path / "record"
    # Its own interpreter: the recorder patches the process it is installed in.
    subprocess.run(
        [sys.executable, "-c", RECORDED_SESSION, str(record), str(free_port()), str(project)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(HERE)},
        check=True,
        timeout=60,
    )
    pairs = recorded_pairs(record)
    python = Path(sys.executable).name
    assert ("fastapi sqlite []", f"{python} -m http.server {{port}} --bind 127.0.0.1") in pairs
    assert ("fastapi sqlite []", "GET /.copier-answers.yml") in pairs


def test_every_pair_checked_before_is_still_checked() -> None:
    """checks-after.txt, written from a full run (`python tests/checks_manifest.py write DIR`),
    keeps every pair of checks-before.txt; .ci/run's `verify --strict` holds each run to it."""
    lost = sorted(lost_pairs(read_manifest(BEFORE), read_manifest(AFTER)))
    assert not lost, "pairs no longer checked:\n" + "\n".join(" | ".join(pair) for pair in lost)
