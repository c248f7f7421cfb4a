"""Every validator in copier.yml refuses a bad value, through plain Copier."""

from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from support import REPO_ROOT, copy_project
from webscaffold.template import bundled_questions

BAD_ANSWERS = [
    pytest.param({"project_name": "   "}, "empty; type the project's name", id="blank-name"),
    pytest.param({"project_name": "  Orbit"}, "spaces at either end", id="name-leading-space"),
    pytest.param({"project_name": "Orbit "}, "spaces at either end", id="name-trailing-space"),
    pytest.param({"project_slug": "Bar"}, "lowercase identifier", id="slug-uppercase"),
    pytest.param({"project_slug": "1bar"}, "lowercase identifier", id="slug-digit-first"),
    pytest.param({"project_slug": "bar-probe"}, "lowercase identifier", id="slug-dash"),
    pytest.param({"project_slug": "class"}, "would shadow", id="slug-keyword"),
    pytest.param({"project_slug": "json"}, "would shadow", id="slug-stdlib"),
    pytest.param({"project_slug": "multiprocessing"}, "would shadow", id="slug-long-stdlib"),
    pytest.param({"project_slug": "django"}, "would shadow", id="slug-dependency"),
    pytest.param({"project_slug": "test"}, "would shadow", id="slug-test"),
    pytest.param({"author_name": ""}, "empty; type a name or team", id="blank-author"),
    pytest.param({"author_email": "nobody"}, "must look like name@example.com", id="email-no-at"),
    pytest.param({"author_email": "a@b"}, "must look like name@example.com", id="email-no-domain"),
    pytest.param(
        {"kubernetes": True, "database": "sqlite"},
        "needs database=postgresql",
        id="kubernetes-on-sqlite",
    ),
    pytest.param({"use_cases": ["blog"]}, "Invalid choice for 'use_cases'", id="use-case"),
    pytest.param({"framework": "flask"}, "Invalid choice for 'framework'", id="framework"),
    pytest.param({"database": "mysql"}, "Invalid choice for 'database'", id="database"),
    pytest.param({"ci": "travis"}, "Invalid choice for 'ci'", id="ci"),
]


# A prompt shows a validator's message on one line after Copier's prefix, "Validation error for
# question '<key>': ", and an 80-column terminal cuts the rest: the whole line must fit.
TERMINAL_WIDTH = 80


def copier_prefix(key: str) -> str:
    return f"Validation error for question '{key}': "


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS)
def test_bad_answer_is_refused(tmp_path: Path, answers: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        copy_project(tmp_path / "out", **answers)
    assert not (tmp_path / "out").exists()
    shown = str(refused.value)
    if shown.startswith("Validation error"):  # ours, not Copier's choice check
        assert len(shown) <= TERMINAL_WIDTH, f"{len(shown)} columns: {shown}"


VALIDATED = [key for key, question in bundled_questions().items() if "validator" in question]


def test_every_validator_has_a_bad_value_above() -> None:
    answers = [case.values[0] for case in BAD_ANSWERS]
    tested = {key for answer in answers if isinstance(answer, dict) for key in answer}
    assert set(VALIDATED) <= tested


@pytest.mark.parametrize("key", VALIDATED)
def test_every_validator_message_fits_and_says_what_to_do(key: str) -> None:
    validator = str(bundled_questions()[key]["validator"])
    messages = [
        line.strip()
        for line in re.split(r"\{%.*?%\}", validator, flags=re.DOTALL)
        if line.strip() and not line.strip().startswith("{")
    ]
    assert messages, validator
    room = TERMINAL_WIDTH - len(copier_prefix(key))
    for message in messages:
        assert "{{" not in message, f"a value in the message makes its width unknown: {message}"
        assert len(message) <= room, f"{len(message)} > {room} columns: {message}"
        assert re.search(r"[:;,] |e\.g\.|like ", message), f"no fix in: {message}"


def test_good_answers_pass(tmp_path: Path) -> None:
    copy_project(tmp_path / "out", project_slug="bar_probe", author_email="a.b@example.org")
    assert (tmp_path / "out" / ".copier-answers.yml").is_file()


def test_slug_default_derives_from_name(tmp_path: Path) -> None:
    import yaml

    copy_project(tmp_path / "out", project_name="Bar Probe")
    answers = yaml.safe_load((tmp_path / "out" / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "bar_probe"


def test_reserved_names_cover_stdlib_and_keywords() -> None:
    text = (REPO_ROOT / "includes" / "reserved_names.jinja").read_text()
    body = text.split("{%- set reserved -%}", 1)[1].split("{%- endset -%}", 1)[0]
    reserved = set(body.split())
    expected = {
        name
        for name in set(sys.stdlib_module_names) | set(keyword.kwlist)
        if name.isidentifier() and name == name.lower()
    }
    assert expected <= reserved
