"""How the CLI prints: styled parts that are never read as Rich markup, progress, diffs.

User text (project names, paths, messages with `[a, b]` examples) goes through Rich's
`Text`, never its markup parser, so no square bracket is ever eaten.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # annotations only: rich is imported when something is printed
    from rich.console import Console

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


def print_changes(result: UpdateResult, *, out: Any) -> None:
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
