"""The built wheel carries the template: `scaffold new` works from an installed package, offline."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from support import REPO_ROOT, project_env


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        ["uv", "build", "--wheel", "--quiet", "--out-dir", str(out), str(REPO_ROOT)],
        check=True,
        env=project_env(),
    )
    (built,) = out.glob("webscaffold-*.whl")
    return built


def test_builds_of_one_checkout_can_run_at_once(tmp_path: Path) -> None:
    """CI builds a wheel and runs `uv tool install .` from the same clone in parallel."""
    build = ["uv", "build", "--wheel", "--quiet", str(REPO_ROOT), "--out-dir"]
    builds = [
        subprocess.Popen(
            [*build, str(tmp_path / str(n))],
            stderr=subprocess.PIPE,
            text=True,
            env=project_env(),
        )
        for n in range(3)
    ]
    failures = [err for build in builds if (err := build.communicate()[1]) and build.returncode]
    assert not failures, failures[0]
    assert len(list(tmp_path.glob("*/webscaffold-*.whl"))) == 3


def test_wheel_contains_the_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "webscaffold/_template/copier.yml" in names
    assert "webscaffold/_template/includes/reserved_names.jinja" in names
    assert any(name.startswith("webscaffold/_template/template/") for name in names)


def test_release_check_accepts_the_wheel_and_rejects_one_without_the_template(
    wheel: Path, tmp_path: Path
) -> None:
    """`.ci/check-wheel`, which the release workflow runs before publishing."""
    check = [sys.executable, str(REPO_ROOT / ".ci" / "check-wheel")]
    passed = subprocess.run([*check, str(wheel)], capture_output=True, text=True, check=False)
    assert passed.returncode == 0, passed.stderr
    bare = tmp_path / "bare.whl"
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(bare, "w") as target:
        for item in source.infolist():
            if "_template/template/" not in item.filename:
                target.writestr(item, source.read(item))
    failed = subprocess.run([*check, str(bare)], capture_output=True, text=True, check=False)
    assert failed.returncode == 1
    assert "lacks webscaffold/_template/template/pyproject.toml.jinja" in failed.stderr


@pytest.mark.slow
def test_installed_package_generates_offline(wheel: Path, tmp_path: Path) -> None:
    env = project_env(UV_OFFLINE="1")  # dependencies come from uv's cache; nothing is downloaded
    venv = tmp_path / "venv"
    subprocess.run(["uv", "venv", "--quiet", str(venv)], check=True, env=env)
    subprocess.run(
        ["uv", "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
        check=True,
        env=env,
    )
    result = subprocess.run(
        [
            str(venv / "bin" / "scaffold"),
            "new",
            str(tmp_path / "shop"),
            "--data",
            "project_name=Shop",
            "--use-case",
            "e-commerce",
        ],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = yaml.safe_load((tmp_path / "shop" / ".copier-answers.yml").read_text())
    assert answers["framework"] == "django"
    assert (tmp_path / "shop" / "pyproject.toml").is_file()


def tool_install(command: str, cwd: Path, tmp_path: Path) -> Path:
    """Run a documented `uv tool install` as a shell would, into tmp_path; its `scaffold`."""
    env = project_env(
        UV_OFFLINE="1", UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin")
    )
    installed = subprocess.run(
        ["bash", "-c", command], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    assert installed.returncode == 0, installed.stderr
    return tmp_path / "bin" / "scaffold"


@pytest.mark.slow
def test_tool_install_from_a_built_wheel_as_documented(wheel: Path, tmp_path: Path) -> None:
    """docs/getting-started.md: `uv build --wheel && uv tool install dist/webscaffold-*.whl`."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / wheel.name).write_bytes(wheel.read_bytes())
    scaffold = tool_install("uv tool install dist/webscaffold-*.whl", tmp_path, tmp_path)
    version = subprocess.run(
        [str(scaffold), "--version"], capture_output=True, text=True, check=False
    )
    assert version.stdout.startswith("scaffold "), version.stderr


@pytest.mark.slow
def test_tool_install_from_a_clone_as_documented(tmp_path: Path) -> None:
    """README and docs/index.md: `uv tool install .` inside a clone."""
    scaffold = tool_install("uv tool install .", REPO_ROOT, tmp_path)
    made = subprocess.run(
        [
            str(scaffold),
            *("new", str(tmp_path / "shop"), "--defaults", "--no-lock"),
            *("--data", "project_name=Shop", "--use-case", "e-commerce"),
        ],
        capture_output=True,
        text=True,
        env=project_env(UV_OFFLINE="1"),
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "shop" / ".copier-answers.yml").is_file()
