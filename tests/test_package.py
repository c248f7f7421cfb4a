"""The built wheel carries the template: `scaffold new` works from an installed package, offline."""

from __future__ import annotations

import subprocess
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


def test_wheel_contains_the_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "webscaffold/_template/copier.yml" in names
    assert "webscaffold/_template/includes/reserved_names.jinja" in names
    assert any(name.startswith("webscaffold/_template/template/") for name in names)


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
