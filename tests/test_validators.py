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
    pytest.param({"project_name": "   "}, "project_name must not be empty", id="blank-name"),
    pytest.param({"project_name": "  Orbit"}, "spaces at either end", id="name-leading-space"),
    pytest.param({"project_name": "Orbit "}, "spaces at either end", id="name-trailing-space"),
    pytest.param({"project_slug": "Bar"}, "lowercase Python identifier", id="slug-uppercase"),
    pytest.param({"project_slug": "1bar"}, "lowercase Python identifier", id="slug-digit-first"),
    pytest.param({"project_slug": "bar-probe"}, "lowercase Python identifier", id="slug-dash"),
    pytest.param({"project_slug": "class"}, "would shadow", id="slug-keyword"),
    pytest.param({"project_slug": "json"}, "would shadow", id="slug-stdlib"),
    pytest.param({"project_slug": "multiprocessing"}, "would shadow", id="slug-long-stdlib"),
    pytest.param({"project_slug": "django"}, "would shadow", id="slug-dependency"),
    pytest.param({"project_slug": "test"}, "would shadow", id="slug-test"),
    pytest.param({"author_name": ""}, "author_name must not be empty", id="blank-author"),
    pytest.param({"author_email": "nobody"}, "must be an email", id="email-no-at"),
    pytest.param({"author_email": "a@b"}, "must be an email", id="email-no-domain"),
    pytest.param({"use_cases": ["blog"]}, "Invalid choice for 'use_cases'", id="use-case"),
    pytest.param({"framework": "flask"}, "Invalid choice for 'framework'", id="framework"),
    pytest.param({"database": "mysql"}, "Invalid choice for 'database'", id="database"),
    pytest.param({"ci": "travis"}, "Invalid choice for 'ci'", id="ci"),
]


# Copier shows a validator's message on one toolbar line: at 80 columns, after its own prefix,
# about 70 characters remain, and the fix must be among them.
MESSAGE_WIDTH = 70


@pytest.mark.parametrize(("answers", "message"), BAD_ANSWERS)
def test_bad_answer_is_refused(tmp_path: Path, answers: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        copy_project(tmp_path / "out", **answers)
    assert not (tmp_path / "out").exists()
    prefix, _, shown = str(refused.value).partition("': ")
    if prefix.startswith("Validation error"):  # ours, not Copier's choice check
        assert len(shown) <= MESSAGE_WIDTH, f"{len(shown)} characters: {shown}"


@pytest.mark.parametrize("key", ["project_name", "project_slug", "author_name", "author_email"])
def test_every_validator_message_fits_and_says_what_to_do(key: str) -> None:
    validator = str(bundled_questions()[key]["validator"])
    messages = [
        line.strip()
        for line in re.split(r"\{%.*?%\}", validator, flags=re.DOTALL)
        if line.strip() and not line.strip().startswith("{")
    ]
    assert messages, validator
    for message in messages:
        text = message.replace("{{ project_slug }}", "x" * 15)  # as long as `multiprocessing`
        assert len(text) <= MESSAGE_WIDTH, text
        assert re.search(r"[:;,] |e\.g\.|like ", text), f"no fix in: {text}"


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
