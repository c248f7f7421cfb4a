"""Every command a README or the docs site shows is run as shown by some test: the checks manifest
(tests/checks-after.txt) must hold it, for the project it describes (tests/readme_commands.py)."""

from __future__ import annotations

import pytest

from checks_manifest import AFTER, read_manifest
from projects import ROWS, row_params
from readme_commands import commands, docs_gaps, row_gaps

MANIFEST = read_manifest(AFTER)


def test_commands_are_the_lines_of_shell_blocks() -> None:
    markdown = """
Run `uv run mypy` first.

```bash
$ uv sync                      # install
cd ../shop && uv run pytest -m "not worker"
uv run uvicorn shop.asgi:application --host 0.0.0.0 \\
    --port 8000
```

```python
print("not a command")
```

```console
$ uv run mypy
Success: no issues found
```
"""
    assert commands(markdown) == [
        "uv sync",
        "cd ../shop",
        "uv run pytest -m 'not worker'",
        "uv run uvicorn shop.asgi:application --host 0.0.0.0 --port 8000",
        "uv run mypy",
    ]


@pytest.mark.parametrize("name", row_params(list(ROWS)))  # with the row: its render is reused
def test_every_command_of_a_rows_readme_is_run_as_shown(name: str) -> None:
    """A command a generated README shows, for a project no test runs it on, fails here: run it
    in a test attached to that row, as shown (a free port in place of 8000)."""
    gaps = row_gaps(name, MANIFEST)
    assert not gaps, f"{name}'s README shows commands no test runs:\n" + "\n".join(gaps)


def test_every_project_command_of_the_docs_is_run_as_shown() -> None:
    gaps = docs_gaps(MANIFEST)
    assert not gaps, "\n".join(f"{page}: {check}" for page, check in gaps)
