"""Fixtures: isolation from the user's git and Copier settings, and the PostgreSQL server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from checks_manifest import pytest_configure as record_checks
from checks_manifest import pytest_runtest_setup  # noqa: F401 (a hook)
from projects import ROWS, RowProject, Rows, row_weight
from support import RENDERS_VARIABLE, REPO_ROOT
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
    groups_file = os.environ.get(GROUPS_VARIABLE)
    if groups_file and os.environ.get("PYTEST_XDIST_WORKER"):  # tell the scheduler, atomically
        groups = {item.nodeid: group for item in items if (group := group_of(item))}
        part = Path(f"{groups_file}.{os.getpid()}")
        part.write_text(json.dumps(groups), encoding="utf-8")
        part.replace(groups_file)


# ── scheduling: one worker per group ─────────────────────────────────────────
# pytest-xdist's `--dist loadgroup` appends the group to each test's node id, which pytest 9.2
# no longer reads back (`Node.nodeid` is built from `_id`), so its groups are silently split across
# workers. Instead the workers write each test's group to a file, and the scheduler below sends
# every test of a group to one worker, in the order collected (longest groups first).
GROUPS_VARIABLE = "SCAFFOLD_XDIST_GROUPS"


def pytest_configure(config: pytest.Config) -> None:
    record_checks(config)
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # the workers inherit it: renders are shared
        renders = tempfile.mkdtemp(prefix="scaffold-renders-")
        os.environ[RENDERS_VARIABLE] = renders
        config.add_cleanup(partial(shutil.rmtree, renders, ignore_errors=True))
    if getattr(config.option, "numprocesses", None) and not os.environ.get("PYTEST_XDIST_WORKER"):
        os.environ[GROUPS_VARIABLE] = str(
            Path(tempfile.mkdtemp(prefix="xdist-groups-")) / "groups.json"
        )
        config.option.loadscopereorder = False  # keep the longest-first order


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]  # no types shipped

    class RowScheduling(LoadScopeScheduling):  # type: ignore[misc]
        """Each group's tests on one worker; other tests one by one."""

        def _split_scope(self, nodeid: str) -> str:
            if not hasattr(self, "_groups"):
                self._groups = json.loads(Path(os.environ[GROUPS_VARIABLE]).read_text())
            return str(self._groups.get(nodeid, nodeid))

    return RowScheduling(config, log)
