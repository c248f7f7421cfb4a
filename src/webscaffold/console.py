"""How the CLI prints: styled parts that are never read as Rich markup, progress, diffs.

User text (project names, paths, messages with `[a, b]` examples) goes through Rich's
`Text`, never its markup parser, so no square bracket is ever eaten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:  # annotations only: rich is imported when something is printed
    from rich.console import Console

    from webscaffold.check import CheckResult
    from webscaffold.fixtures import CheckReport
    from webscaffold.update import UpdateResult

# A part of a line: plain text, or (text, style).
Part = str | tuple[str, str]
Step = Callable[[str], None]
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def console(*, stderr: bool = False) -> Console:
    """A Rich console on stdout or stderr, without guessing colours for numbers and paths."""
    from rich.console import Console  # lazy: keeps `scaffold --help` fast

    return Console(stderr=stderr, highlight=False)


def say(*parts: Part, stderr: bool = False, out: Console | None = None) -> None:
    """Print one line made of plain and styled parts, wrapped only by the terminal."""
    from rich.text import Text

    line = Text.assemble(*parts)
    (out or console(stderr=stderr)).print(line, soft_wrap=True)


@contextmanager
def progress(*, live: bool) -> Iterator[Step]:
    """Slow steps: a spinner when `live` on a terminal, else one plain line per step."""
    err = console(stderr=True)
    if not (live and err.is_terminal):
        yield lambda message: say(f"- {message}", out=err)
        return
    from rich.text import Text

    status = err.status("")
    started = False

    def step(message: str) -> None:
        nonlocal started
        status.update(Text(f"{message}…"))
        if not started:
            status.start()
            started = True

    try:
        yield step
    finally:
        if started:
            status.stop()


def diff_style(line: str) -> str:
    """The style of one line of a unified diff."""
    if line[1:].startswith(_CONFLICT_MARKERS):
        return "bold yellow"
    if line.startswith(("diff ", "+++", "---", "index ", "new file", "deleted file")):
        return "bold"
    if line.startswith("@@"):
        return "cyan"
    return {"+": "green", "-": "red"}.get(line[:1], "")


def print_diff(text: str) -> None:
    """A unified diff, coloured on a terminal, plain when piped."""
    out = console()
    if not out.is_terminal:
        typer.echo(text, nl=False)
        return
    for line in text.splitlines():
        say((line, diff_style(line)), out=out)


def _print_changes(result: UpdateResult, *, out: Console) -> None:
    """One line per file an update adds, modifies, deletes or keeps."""
    groups = (
        ("added", result.added, "green"),
        ("modified", result.modified, "yellow"),
        ("deleted", result.deleted, "red"),
    )
    for label, paths, colour in groups:
        for path in paths:
            say("  ", (f"{label:>8}", colour), f" {path}", out=out)
    for path in result.kept:
        say(
            "  ",
            (f"{'kept':>8}", "cyan"),
            f" {path} (the template removed it; you had edited it)",
            out=out,
        )


def print_update(result: UpdateResult, *, rejects: bool) -> None:
    """What `update` did; conflicts on stderr (`rejects`: left as .rej files)."""
    out = console()
    if not result.changed:
        say(f"Already up to date at {result.target_version}: nothing to change.", out=out)
        return
    say(
        ("Updated", "green"),
        f" {result.project} from {result.current_version} to {result.target_version}:",
        out=out,
    )
    _print_changes(result, out=out)
    if not result.conflicted:
        say("Review with `git diff`, then commit.", out=out)
        return
    err = console(stderr=True)
    where = ".rej files beside them" if rejects else "conflict markers"
    say(
        ("Conflicts", "bold red"),
        f" remain in {len(result.conflicted)} file(s) ({where}):",
        out=err,
    )
    for conflicted in result.conflicted:
        say(f"  {conflicted}", out=err)
    say("Resolve them, then `git add` and commit; `git diff` shows the rest.", out=err)


def print_preview(result: UpdateResult, *, stat: bool) -> None:
    """What `diff` shows: a summary on stderr, the patch (or its stat) on stdout."""
    if not result.changed:
        say(f"Up to date at {result.target_version}: no changes.", stderr=True)
        return
    say(
        f"Update from {result.current_version} to {result.target_version}"
        + (f"; conflicts in {', '.join(result.conflicted)}" if result.conflicted else "")
        + (f"; keeps {', '.join(result.kept)} (you edited it)" if result.kept else ""),
        stderr=True,
    )
    if stat:
        typer.echo(result.stat, nl=False)
    else:
        print_diff(result.diff)


def print_check(result: CheckResult) -> None:
    """Where a project stands against its template, and the files that drifted."""
    out = console()
    if result.behind:
        say(
            ("Behind", "yellow"),
            f": at {result.current_version}, the template has {result.latest_version}; "
            "run `scaffold diff` to see the update.",
            out=out,
        )
    else:
        say(("Up to date", "green"), f" at {result.current_version}.", out=out)
    if result.drifted_files:
        say(f"{len(result.drifted_files)} file(s) differ from the template's version:", out=out)
        for drifted in result.drifted_files:
            say(f"  {drifted}", out=out)


def print_fixtures(report: CheckReport, regen: str) -> None:
    """One line per fixture, the stale files under it, and the command that fixes them."""
    out = console()
    for diff in report.fixtures:
        if diff.ok:
            say(("ok", "green"), f"    {diff.name}", out=out)
        elif diff.orphan:
            say(("stale", "red"), f" {diff.name}: {diff.path} has no answer file", out=out)
        else:
            say(("stale", "red"), f" {diff.name}:", out=out)
            for label, paths in (
                ("changed", diff.changed),
                ("missing", diff.missing),
                ("extra", diff.extra),
            ):
                for path in paths:
                    say(f"  {label}: {path}", out=out)
    if not report.ok:
        say(f"Fixtures are stale; run: {regen}", out=out)
