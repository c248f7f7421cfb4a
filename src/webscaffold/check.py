"""Is a project behind its template, and which files drifted from it (`scaffold check`)?"""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from webscaffold.answers import without_metadata
from webscaffold.copierutil import ANSWERS_FILE
from webscaffold.errors import BadInputError, ScaffoldError
from webscaffold.gitutil import git
from webscaffold.project import recorded_project, template_source
from webscaffold.render import render_version

_DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<distance>\d+)-g(?P<sha>[0-9a-f]+)$")


@dataclass(frozen=True)
class CheckResult:
    """How a project stands against its template."""

    project: Path
    template: str
    current_version: str
    latest_version: str | None
    behind: bool
    drifted_files: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """What `check --json` prints."""
        return {**asdict(self), "project": str(self.project)}


def check_project(project: Path, *, template: str | None = None) -> CheckResult:
    """Compare a project's recorded version with the newest tag, and its files with a render.

    Every failure is bad input for `check` (exit 2): exit 1 means "behind" or "drifted".
    """
    try:
        recorded = recorded_project(project)
        src, _ref = template_source(recorded, template)
        latest = latest_tag(src, cwd=recorded.project)
        current = recorded.commit
        behind = latest is not None and _is_newer(latest, current)
        drifted = drifted_files(recorded.project, src, recorded.answers, current)
    except BadInputError:
        raise
    except ScaffoldError as error:
        raise BadInputError(error.message) from error
    return CheckResult(recorded.project, src, current, latest, behind, drifted)


def latest_tag(src: str, *, cwd: Path) -> str | None:
    """The highest PEP 440 release tag of a template source (repo, bundle or URL)."""
    from packaging.version import InvalidVersion, Version  # a dependency of Copier

    listed = git(cwd, "ls-remote", "--tags", "--refs", src, check=False)
    if listed.returncode != 0:
        raise BadInputError(f"cannot read the tags of the template source {src}")
    versions: list[tuple[Version, str]] = []
    for line in listed.stdout.splitlines():
        tag = line.split("\t", 1)[-1].removeprefix("refs/tags/")
        try:
            version = Version(tag)
        except InvalidVersion:
            continue
        if not version.is_prerelease:
            versions.append((version, tag))
    return max(versions)[1] if versions else None


def _is_newer(latest: str, current: str) -> bool:
    from packaging.version import InvalidVersion, Version

    described = _DESCRIBED.match(current)
    base = described.group("tag") if described else current
    try:
        return Version(latest) > Version(base)
    except InvalidVersion:
        return True  # recorded at an untagged commit: any release is newer


def drifted_files(
    project: Path, src: str, answers: dict[str, object], commit: str
) -> tuple[str, ...]:
    """Files that differ from (or are missing against) a fresh render of the recorded version."""
    with tempfile.TemporaryDirectory(prefix="scaffold-check-") as scratch:
        fresh = Path(scratch)
        render_version(src, fresh, without_metadata(dict(answers)), commit)
        drifted = []
        for rendered in sorted(fresh.rglob("*")):
            if not rendered.is_file() or rendered.is_symlink():
                continue
            relative = rendered.relative_to(fresh).as_posix()
            if relative == ANSWERS_FILE:
                continue
            ours = project / relative
            if not ours.is_file() or ours.read_bytes() != rendered.read_bytes():
                drifted.append(relative)
    return tuple(drifted)
