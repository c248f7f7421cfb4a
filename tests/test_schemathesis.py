"""Property-based API tests: schemathesis against each framework's generated, served API.

It reads the OpenAPI schema, generates requests from it and checks the answers: no 5xx, and
every response matches what the schema documents. Bounded: a few examples per operation.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from projects import RowProject, on_rows, row_named
from support import run, serve_app

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


@on_rows(row_named("fastapi", API_USE_CASES))
def test_the_fastapi_api_has_no_server_errors_or_schema_violations(row: RowProject) -> None:
    run(row.path, "uv", "run", "alembic", "upgrade", "head", env=row.env)
    with serve_app(row.path, SLUG, row.env) as base:
        result = schemathesis(f"{base}/openapi.json", row.path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@on_rows(row_named("hybrid", API_USE_CASES))
def test_the_hybrid_api_has_no_server_errors_or_schema_violations(row: RowProject) -> None:
    row.manage("migrate", "--noinput")
    with serve_app(row.path, SLUG, row.env) as base:
        result = schemathesis(f"{base}/api/openapi.json", row.path)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
