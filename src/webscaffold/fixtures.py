"""Golden fixture projects (`scaffold fixtures regen|check`): render answer files, compare trees.

A fixture directory holds answer files `<name>.yml` and, beside each, the project generated
from it in `<name>/`. Output is deterministic, so fixtures can be committed and reviewed:

- A local template (the bundled one, or `--template PATH`) is rendered from a plain snapshot
  of its files, never from git: the output depends on the template's files and the answers
  only, not on HEAD, tags or uncommitted state, and Copier records no `_commit`.
- The snapshot's temporary path is replaced, wherever the template wrote it (in practice the
  answers file's `_src_path`), by the template's path relative to the fixture directory,
  e.g. `../../..` for this repository's own `tests/fixtures/<name>/`.
- A remote template (a git URL) is rendered at its newest tag; Copier records the URL and
  that version, both of which change only when the template does.
- Nothing random or time-dependent is added: `fixtures` never writes `.env` secrets.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from webscaffold.answers import check_keys, load_data_file, without_metadata
from webscaffold.copierutil import ANSWERS_FILE, copier_errors, copy_template, is_remote
from webscaffold.errors import BadInputError
from webscaffold.template import askable, bundled_template_dir, questions_of, read_copier_yml

ANSWER_SUFFIX = ".yml"
# Tool caches and environments a developer may create inside a fixture; never template output.
IGNORED_NAMES = frozenset(
    {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
)
# Left out of a local template's snapshot: version control, environments and caches.
_SNAPSHOT_IGNORE = shutil.ignore_patterns(*IGNORED_NAMES, "*.pyc", "node_modules")


@dataclass(frozen=True)
class TemplateSource:
    """What Copier renders (`url`) and, for a local template, the directory it copies."""

    url: str
    origin: Path | None  # None for a remote template


@dataclass(frozen=True)
class AnswerFile:
    """One fixture's answers, read and checked."""

    name: str
    path: Path
    data: dict[str, Any]


@dataclass(frozen=True)
class Regenerated:
    """One fixture written by `regen`."""

    name: str
    path: Path
    files: int
    removed: bool = False  # True for a stale output directory whose answer file is gone


@dataclass(frozen=True)
class FixtureDiff:
    """How one fixture on disk differs from a fresh render (all paths POSIX, relative)."""

    name: str
    path: str
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # generated, but not in the fixture
    extra: list[str] = field(default_factory=list)  # in the fixture, no longer generated
    orphan: bool = False  # an output directory whose answer file is gone

    @property
    def ok(self) -> bool:
        """Whether the fixture matches the fresh render exactly."""
        return not (self.changed or self.missing or self.extra or self.orphan)


@dataclass(frozen=True)
class CheckReport:
    """The result of `check`: one entry per answer file and per orphaned output."""

    fixtures: list[FixtureDiff]

    @property
    def ok(self) -> bool:
        """Whether every fixture is current."""
        return all(fixture.ok for fixture in self.fixtures)

    def to_json(self) -> dict[str, Any]:
        """What `fixtures check --json` prints."""
        fixtures = [{**asdict(diff), "ok": diff.ok} for diff in self.fixtures]
        return {"ok": self.ok, "fixtures": fixtures}


def regenerate(directory: Path, template: str | None = None) -> list[Regenerated]:
    """Re-render every fixture in `directory`, replacing old output; all or nothing."""
    answer_files = read_answer_files(directory, template)
    orphans = orphaned_outputs(directory, answer_files)
    # Staged beside the fixtures, so moving them in is a rename on the same filesystem.
    staging = Path(tempfile.mkdtemp(prefix=".scaffold-fixtures-", dir=directory))
    (staging / "new").mkdir()
    (staging / "old").mkdir()
    try:
        with template_source(template) as source:
            rendered = {
                answers.name: render_fixture(
                    answers, source, staging / "new" / answers.name, directory / answers.name
                )
                for answers in answer_files
            }
        # Everything rendered: only now touch the existing fixtures.
        results = []
        for name, new_output in rendered.items():
            target = directory / name
            _replace_dir(target, new_output, staging / "old" / name)
            results.append(Regenerated(name, target, sum(1 for _ in _files(target))))
        for orphan in orphans:
            shutil.rmtree(orphan)
            results.append(Regenerated(orphan.name, orphan, 0, removed=True))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return results


def check(directory: Path, template: str | None = None) -> CheckReport:
    """Render every fixture into a temporary directory and compare it with `directory`."""
    answer_files = read_answer_files(directory, template)
    diffs = []
    with (
        tempfile.TemporaryDirectory(prefix="scaffold-fixtures-") as scratch,
        template_source(template) as source,
    ):
        for answers in answer_files:
            fresh = render_fixture(
                answers, source, Path(scratch) / answers.name, directory / answers.name
            )
            diffs.append(compare_trees(answers.name, fresh, directory / answers.name))
    diffs.extend(
        FixtureDiff(name=orphan.name, path=str(orphan), orphan=True)
        for orphan in orphaned_outputs(directory, answer_files)
    )
    return CheckReport(diffs)


def read_answer_files(directory: Path, template: str | None = None) -> list[AnswerFile]:
    """Load and check every `<name>.yml` in `directory` (hidden files aside), in name order."""
    if not directory.is_dir():
        raise BadInputError(f"fixtures directory {directory}: no such directory")
    paths = sorted(
        path
        for path in directory.glob(f"*{ANSWER_SUFFIX}")
        if path.is_file() and not path.name.startswith(".")
    )
    if not paths:
        raise BadInputError(
            f"fixtures directory {directory} has no answer files (<name>{ANSWER_SUFFIX})"
        )
    questions = _questions(template)
    answer_files = []
    for path in paths:
        data = without_metadata(load_data_file(path, label=""))
        if questions is not None:
            check_answers(data, questions, str(path))
        name = path.name.removesuffix(ANSWER_SUFFIX)
        output = directory / name
        if output.exists() and not output.is_dir():
            raise BadInputError(f"{path}: its output {output} exists and is not a directory")
        answer_files.append(AnswerFile(name=name, path=path, data=data))
    return answer_files


def check_answers(data: dict[str, Any], questions: dict[str, dict[str, Any]], source: str) -> None:
    """Refuse unknown keys, missing required answers and non-list multiselect answers."""
    known = askable(questions)
    check_keys(data, known, source)
    missing = [key for key in known if "default" not in questions[key] and key not in data]
    if missing:
        raise BadInputError(f"{source}: no answer for {', '.join(missing)} (it has no default)")
    for key, value in data.items():
        if questions[key].get("multiselect") and not isinstance(value, list):
            raise BadInputError(
                f"{source}: answer '{key}' must be a list (e.g. {key}: [a, b]), got {value!r}"
            )


def orphaned_outputs(directory: Path, answer_files: list[AnswerFile]) -> list[Path]:
    """Generated projects in `directory` whose answer file is gone (renamed or deleted)."""
    names = {answers.name for answers in answer_files}
    return sorted(
        child
        for child in directory.iterdir()
        if child.is_dir()
        and not child.name.startswith(".")
        and child.name not in names
        and (child / ANSWERS_FILE).is_file()
    )


def render_fixture(answers: AnswerFile, source: TemplateSource, dest: Path, final: Path) -> Path:
    """Render one fixture into `dest` as it must look once it lives at `final`."""
    with copier_errors(prefix=f"{answers.path}: "):
        copy_template(source.url, dest, answers.data, vcs_ref=None)
    if source.origin is not None:
        _replace_in_files(dest, source.url, _relative_posix(source.origin, final))
    return dest


def compare_trees(name: str, expected: Path, actual: Path) -> FixtureDiff:
    """Files that differ (content or executable bit), are missing, or are extra in `actual`."""
    want = dict(_files(expected))
    have = dict(_files(actual)) if actual.is_dir() else {}
    changed = [
        rel for rel in sorted(want.keys() & have.keys()) if not _same_file(want[rel], have[rel])
    ]
    return FixtureDiff(
        name=name,
        path=str(actual),
        changed=changed,
        missing=sorted(want.keys() - have.keys()),
        extra=sorted(have.keys() - want.keys()),
    )


# ── helpers ──


@contextmanager
def template_source(template: str | None) -> Iterator[TemplateSource]:
    """A local template is snapshotted (no git, no caches); a remote one is passed through."""
    local = _local_template_dir(template)
    if local is None:
        yield TemplateSource(url=str(template), origin=None)
        return
    with tempfile.TemporaryDirectory(prefix="scaffold-template-") as scratch:
        snapshot = Path(scratch) / "template"
        shutil.copytree(local, snapshot, ignore=_SNAPSHOT_IGNORE, symlinks=True)
        yield TemplateSource(url=str(snapshot), origin=local)


def _questions(template: str | None) -> dict[str, dict[str, Any]] | None:
    """The questions of a local template; None for a remote one (Copier checks those)."""
    local = _local_template_dir(template)
    if local is None:
        return None
    return questions_of(read_copier_yml(local))


def _local_template_dir(template: str | None) -> Path | None:
    """The bundled template, or `--template` if it is a local directory; None for a URL."""
    if template is None:
        return bundled_template_dir().resolve()
    path = Path(template).expanduser()
    if path.is_dir():
        return path.resolve()
    if is_remote(template):
        return None
    raise BadInputError(f"--template {template}: no such directory or git URL")


def _relative_posix(target: Path, start: Path) -> str:
    """`target` relative to `start`, with `/` separators (absolute across Windows drives)."""
    try:
        return Path(os.path.relpath(target, start.resolve())).as_posix()
    except ValueError:  # different drives on Windows: no relative path exists
        return target.as_posix()


def _replace_in_files(root: Path, old: str, new: str) -> None:
    """Replace a machine-specific path in every generated text file that contains it."""
    old_bytes, new_bytes = old.encode(), new.encode()
    for _rel, path in _files(root):
        if path.is_symlink():
            continue
        content = path.read_bytes()
        if old_bytes in content:
            path.write_bytes(content.replace(old_bytes, new_bytes))


def _files(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file under `root` as (POSIX relative path, path), skipping tool caches."""
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        # A link to a directory is compared as a link (os.walk would list it and not enter it).
        links = [name for name in dirnames if (here / name).is_symlink()]
        dirnames[:] = sorted(
            name for name in dirnames if name not in IGNORED_NAMES and name not in links
        )
        for name in sorted([*filenames, *links]):
            path = here / name
            yield path.relative_to(root).as_posix(), path


def _same_file(expected: Path, actual: Path) -> bool:
    """Same bytes (or link target) and the same executable bit."""
    if expected.is_symlink() or actual.is_symlink():
        return (
            expected.is_symlink()
            and actual.is_symlink()
            and expected.readlink() == actual.readlink()
        )
    if _executable(expected) != _executable(actual):
        return False
    return expected.read_bytes() == actual.read_bytes()


def _executable(path: Path) -> bool:
    return bool(path.stat().st_mode & stat.S_IXUSR)


def _replace_dir(target: Path, replacement: Path, trash: Path) -> None:
    """Put `replacement` where `target` is, so no file of the old tree survives."""
    if target.exists():
        target.rename(trash)
    replacement.rename(target)
