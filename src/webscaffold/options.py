"""Merge the ways a user gives answers into one mapping for Copier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from webscaffold.answers import (
    check_keys,
    load_data_file,
    not_among,
    parse_data_pairs,
    without_metadata,
)
from webscaffold.errors import BadInputError
from webscaffold.recommend import check_use_cases
from webscaffold.template import askable, bundled_questions, choices_of


def collect_answers(
    *,
    data_pairs: list[str],
    data_file: Path | None,
    use_cases: list[str] | None,
    framework: str | None,
    check_against_bundled: bool,
) -> dict[str, Any]:
    """Data file, then `--data`, then the shortcut options; later sources win."""
    answers: dict[str, Any] = {}
    if data_file is not None:
        from_file = without_metadata(load_data_file(data_file))
        if check_against_bundled:
            check_keys(from_file, askable(bundled_questions()), f"--data-file {data_file}")
        answers.update(from_file)
    pairs = parse_data_pairs(data_pairs)
    if check_against_bundled:
        check_keys(pairs, askable(bundled_questions()), "--data")
    answers.update(pairs)
    if isinstance(answers.get("project_name"), str):
        # Spaces at either end are a slip of the shell's quoting, not part of the name.
        answers["project_name"] = answers["project_name"].strip()
    if check_against_bundled:
        check_lists(answers)
    if use_cases:
        answers["use_cases"] = check_use_cases(use_cases)
    if framework is not None:
        allowed = choices_of(bundled_questions()["framework"])
        if framework not in allowed:
            hint = not_among(framework, allowed, "choose from")
            raise BadInputError(f"--framework: unknown framework '{framework}'; {hint}")
        answers["framework"] = framework
    return answers


def check_lists(answers: dict[str, Any]) -> None:
    """Multiselect answers must be lists (YAML flow lists on the command line)."""
    for key, question in bundled_questions().items():
        if not question.get("multiselect") or key not in answers:
            continue
        value = answers[key]
        if isinstance(value, str):
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                value = None
        if not isinstance(value, list):
            raise BadInputError(
                f"{key} must be a list, e.g. --data '{key}=[{', '.join(choices_of(question)[:2])}]'"
            )
