"""Turn `--data`, `--data-file` and shortcut options into Copier answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from webscaffold.errors import BadInputError


def parse_data_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """Parse `KEY=VALUE` strings; values stay text for Copier to cast by question type."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInputError(f"--data expects KEY=VALUE, got '{pair}'")
        data[key.strip()] = value
    return data


def load_yaml_mapping(path: Path, *, label: str = "", what: str) -> dict[str, Any]:
    """A YAML file holding one mapping (`what` names its contents in the error); empty is {}.

    Errors start with `label` and the path; a missing or unreadable file raises OSError,
    which each caller words for its own file.
    """
    import yaml  # lazy: `scaffold --help` reads no YAML

    text = path.read_text(encoding="utf-8")
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise BadInputError(f"{label}{path} is not valid YAML{line}") from error
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise BadInputError(f"{label}{path} must be a mapping of {what}")
    return {str(key): value for key, value in loaded.items()}


def load_data_file(path: Path, *, label: str = "--data-file ") -> dict[str, Any]:
    """Read a YAML mapping of answers (the same format as Copier's --data-file).

    Error messages start with `label` and the path (`--data-file answers.yml: ...`).
    """
    try:
        return load_yaml_mapping(path, label=label, what="answer keys to values")
    except FileNotFoundError:
        raise BadInputError(f"{label}{path}: no such file") from None
    except OSError as error:
        raise BadInputError(f"{label}{path}: {error.strerror}") from error


def not_among(value: str, known: Sequence[str], listed: str = "choose from") -> str:
    """How to fix a value that is not one of `known`: the near miss if there is one, else all."""
    from difflib import get_close_matches  # lazy: `scaffold --help` suggests nothing

    close = get_close_matches(value, known, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"{listed}: {', '.join(known)}"


def check_keys(data: dict[str, Any], known: Sequence[str], source: str) -> None:
    """Refuse answer keys the template does not ask (a typo would be silently ignored)."""
    for key in data:
        if key.startswith("_"):
            continue  # Copier's own metadata in a copied answers file
        if key not in known:
            raise BadInputError(
                f"{source}: unknown answer key '{key}'; {not_among(key, known, 'known keys')}"
            )


def without_metadata(data: dict[str, Any]) -> dict[str, Any]:
    """Drop Copier's `_src_path`/`_commit` keys, so an answers file can be reused as data."""
    return {key: value for key, value in data.items() if not key.startswith("_")}
