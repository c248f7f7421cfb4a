"""Property-based API tests: schemathesis against each framework's generated, served API.

It reads the OpenAPI schema, generates requests from it and checks the answers: no 5xx, and
every response matches what the schema documents. Bounded: a few examples per operation.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from support import (
    copy_project,
    install_django_project,
    project_env,
    run,
    serve_app,
)

SLUG = "bar_probe"
API_USE_CASES = ["ml-api", "microservices", "real-time", "mobile-backend"]
SCHEMATHESIS = Path(sys.executable).with_name("st")


def schemathesis(schema_url: str, project: Path) -> subprocess.CompletedProcess[str]:
    """`st run` with the checks that matter here, a bounded number of examples; its cache goes
    into the project, not this checkout."""
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            schema_url,
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--max-examples",
            "10",
            "--no-color",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.mark.slow
def test_the_fastapi_api_has_no_server_errors_or_schema_violations(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", framework="fastapi", use_cases=API_USE_CASES)
    env = project_env(ENVIRONMENT="development")
    run(project, "uv", "sync", "--quiet", env=env)
    run(project, "uv", "run", "alembic", "upgrade", "head", env=env)
    with serve_app(project, SLUG, env) as base:
        result = schemathesis(f"{base}/openapi.json", project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
def test_the_hybrid_api_has_no_server_errors_or_schema_violations(tmp_path: Path) -> None:
    path = copy_project(tmp_path / "p", framework="hybrid", use_cases=API_USE_CASES)
    project = install_django_project(path, "sqlite", None)
    project.manage("migrate", "--noinput")
    with serve_app(project.path, SLUG, project.env) as base:
        result = schemathesis(f"{base}/api/openapi.json", project.path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
