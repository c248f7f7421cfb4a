"""`scaffold recommend` and the template's default for `framework` are one decision."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import copier
import pytest
import yaml

from support import CANONICAL_ANSWERS, REPO_ROOT, scaffold
from usecases import DJANGO_SIDE as WEB
from usecases import FASTAPI_SIDE as API
from usecases import KEYS
from webscaffold.recommend import REASONS, recommend, use_case_names

ALL_SUBSETS = [
    list(combo) for size in range(len(KEYS) + 1) for combo in itertools.combinations(KEYS, size)
]


@pytest.fixture(scope="module")
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real copier.yml with only the answers file to render: answers depend on nothing else."""
    root = tmp_path_factory.mktemp("template")
    shutil.copy(REPO_ROOT / "copier.yml", root)
    shutil.copytree(REPO_ROOT / "includes", root / "includes")
    (root / "template").mkdir()
    answers_template = "{{_copier_conf.answers_file}}.jinja"
    shutil.copy(REPO_ROOT / "template" / answers_template, root / "template" / answers_template)
    return root


def copier_default_framework(template: Path, dest: Path, use_cases: list[str]) -> str:
    copier.run_copy(
        str(template),
        dest,
        data={**CANONICAL_ANSWERS, "use_cases": use_cases},
        defaults=True,
        quiet=True,
    )
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    return str(answers["framework"])


@pytest.mark.slow  # renders every subset of use cases with Copier: the full suite's
def test_every_subset_agrees_with_plain_copier(plain_template: Path, tmp_path: Path) -> None:
    assert len(ALL_SUBSETS) == 2 ** len(KEYS)
    disagreements = []
    for index, subset in enumerate(ALL_SUBSETS):
        expected = copier_default_framework(plain_template, tmp_path / str(index), subset)
        if recommend(subset).framework != expected:
            disagreements.append((subset, expected, recommend(subset).framework))
    assert disagreements == []


@pytest.mark.parametrize(
    ("use_cases", "framework"),
    [
        pytest.param([], "fastapi", id="none"),
        pytest.param(WEB, "django", id="all-web"),
        pytest.param(API, "fastapi", id="all-api"),
        pytest.param(["cms", "real-time"], "hybrid", id="mixed"),
        pytest.param(WEB[-1:], "django", id="one-web"),
    ],
)
def test_decision_table(use_cases: list[str], framework: str) -> None:
    assert recommend(use_cases).framework == framework


def test_every_use_case_has_a_reason_and_a_side() -> None:
    assert set(REASONS) == set(use_case_names()) == set(WEB + API)
    for name in WEB:
        assert recommend([name]).reasons[0].framework == "django"
    for name in API:
        assert recommend([name]).reasons[0].framework == "fastapi"


def test_cli_explains_each_use_case() -> None:
    result = scaffold("recommend", "-u", "cms", "-u", "ml-api")
    assert result.code == 0, result.output
    assert result.output.startswith("hybrid")
    assert "cms → django" in result.output
    assert "ml-api → fastapi" in result.output


def test_cli_json() -> None:
    result = scaffold("recommend", "--json", "-u", "e-commerce")
    assert result.code == 0, result.output
    payload = json.loads(result.output)
    assert payload["framework"] == "django"
    assert [r["use_case"] for r in payload["reasons"]] == ["e-commerce"]


def test_cli_unknown_use_case_is_bad_input() -> None:
    result = scaffold("recommend", "-u", "blog")
    assert result.code == 2
    assert "unknown use case 'blog'" in result.output
    assert "e-commerce" in result.output
    assert "Traceback" not in result.output
