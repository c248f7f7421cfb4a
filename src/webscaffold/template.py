"""Where the template lives and what its questions are."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from webscaffold.answers import load_yaml_mapping
from webscaffold.copierutil import is_remote
from webscaffold.errors import BadInputError

_PACKAGE_DIR = Path(__file__).resolve().parent

# A wheel ships the template's tagged git history under this name (see hatch_build.py),
# so projects it generates can be updated later, offline, from any later version.
BUNDLE_NAME = "webscaffold-template.bundle"


def bundled_template_dir() -> Path:
    """The template shipped with this package (or the source checkout it runs from)."""
    packaged = _PACKAGE_DIR / "_template"
    if (packaged / "copier.yml").is_file():
        return packaged
    # An editable install runs from src/webscaffold inside the repository.
    return _PACKAGE_DIR.parents[1]


def installed_bundle() -> Path | None:
    """The git bundle of the template's history shipped in a wheel, if this is one."""
    bundle = _PACKAGE_DIR / "_template" / BUNDLE_NAME
    return bundle if bundle.is_file() else None


def is_our_bundle(source: str) -> bool:
    """Whether a recorded template source is a webscaffold wheel's bundle (any install)."""
    return not is_remote(source) and Path(source).name == BUNDLE_NAME


def default_source() -> tuple[str, str | None]:
    """The template `scaffold new` uses when no `--template` is given, and its git ref.

    From a source checkout we render the working tree (`HEAD` plus uncommitted
    edits), not the newest tag, so template authors see their own changes. An
    installed wheel renders from the git bundle it ships (its `HEAD` is the
    version the wheel was built from), so the project records a `_commit` and can
    be updated later; a wheel built without git history falls back to the plain
    directory (such projects can be generated but not updated).
    """
    template_dir = bundled_template_dir()
    if (template_dir / ".git").exists():
        return str(template_dir), "HEAD"
    bundle = installed_bundle()
    if bundle is not None:
        return str(bundle), "HEAD"
    return str(template_dir), None


def read_copier_yml(template_dir: Path) -> dict[str, Any]:
    """Parse a template's copier.yml (settings and questions together)."""
    path = template_dir / "copier.yml"
    try:
        return load_yaml_mapping(path, what="settings and questions")
    except OSError as error:
        raise BadInputError(f"cannot read {path}: {error.strerror}") from error


@cache
def bundled_questions() -> dict[str, dict[str, Any]]:
    """The bundled template's questions, keyed by answer name, in copier.yml order."""
    return questions_of(read_copier_yml(bundled_template_dir()))


def questions_of(copier_yml: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Keep only the questions of a parsed copier.yml (settings start with `_`)."""
    questions: dict[str, dict[str, Any]] = {}
    for key, spec in copier_yml.items():
        if key.startswith("_"):
            continue
        questions[key] = spec if isinstance(spec, dict) else {"default": spec}
    return questions


def askable(questions: dict[str, dict[str, Any]]) -> list[str]:
    """Answer keys a user may give (derived `when: false` flags are not answers)."""
    return [key for key, spec in questions.items() if spec.get("when") is not False]


def choices_of(question: dict[str, Any]) -> list[str]:
    """The allowed values of a choice question, in order."""
    choices = question.get("choices", [])
    if isinstance(choices, dict):
        return [str(value) for value in choices.values()]
    return [str(choice) for choice in choices]
