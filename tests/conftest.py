"""Fixtures: isolation from the user's git and Copier settings, and the PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from checks_manifest import pytest_configure, pytest_runtest_setup  # noqa: F401 (hooks)
from projects import ROWS, RowProject, Rows, row_weight
from support import REPO_ROOT
from update_cases import Case, edited_case, tagged_template


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private git identity and Copier settings, so tests never read the developer's."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n"
    )
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / "copier-settings.yml").write_text("{}\n")
    monkeypatch.setenv("COPIER_SETTINGS_PATH", str(home / "copier-settings.yml"))
    # Keep uv's shared cache: isolating it would re-download every project's packages.
    if "UV_CACHE_DIR" not in os.environ:
        monkeypatch.setenv("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """The PostgreSQL server .ci/run started, or a throwaway one started here."""
    url = os.environ.get("PG_TEST_URL")
    if url:
        yield url
        return
    started = subprocess.run(
        ["bash", str(REPO_ROOT / ".ci" / "pg"), "start"],
        capture_output=True,
        text=True,
        check=False,
    )
    if started.returncode != 0:
        pytest.fail(
            "PostgreSQL tests need a server: set PG_TEST_URL, install PostgreSQL, "
            f"or deselect them with -m 'not postgres'.\n{started.stderr}"
        )
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines()
    )
    try:
        yield exports["PG_TEST_URL"]
    finally:
        subprocess.run(
            ["bash", str(REPO_ROOT / ".ci" / "pg"), "stop", exports["PG_TEST_DATA"]], check=False
        )


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """The update engine's tiny template, tagged v1 and v2 (see `update_cases`)."""
    return tagged_template(tmp_path / "template")


@pytest.fixture
def edited(template: Path, tmp_path: Path) -> Case:
    """A project generated from `template` at v1, with its user's committed edits."""
    return edited_case(template, tmp_path / "project")


@pytest.fixture(scope="session")
def rows(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Rows:
    """The matrix rows' projects this process has installed (see tests/projects.py)."""
    return Rows(tmp_path_factory.mktemp("rows"), request)


@pytest.fixture
def row(rows: Rows, request: pytest.FixtureRequest) -> RowProject:
    """The installed project of the matrix row a test is attached to (`projects.on_rows`)."""
    return rows.get(request.param)


def group_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    return str(mark.args[0]) if mark and mark.args else None


# Groups that are not matrix rows (a golden fixture installed) weigh about as much as a small row.
OTHER_GROUP_WEIGHT = 3.0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each group's tests together (a matrix row's, installed once), the longest groups first,
    so two workers end at about the same time; ungrouped tests last, in their usual order."""
    position = {id(item): index for index, item in enumerate(items)}

    def key(item: pytest.Item) -> tuple[float, str, int]:
        group = group_of(item) or ""
        weight = (row_weight(group) if group in ROWS else OTHER_GROUP_WEIGHT) if group else 0.0
        return (-weight, group, position[id(item)])

    items.sort(key=key)
