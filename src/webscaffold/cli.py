"""The `scaffold` command line: commands, options and presentation only."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from webscaffold.errors import ScaffoldError

app = typer.Typer(
    name="scaffold",
    help="Generate Django, FastAPI or hybrid projects, and keep them current.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: rendering it with rich costs more than the rest of our start-up.
    rich_markup_mode=None,
)


def _console(*, stderr: bool = False) -> Any:
    from rich.console import Console  # lazy: keeps `scaffold --help` fast

    return Console(stderr=stderr, highlight=False)


def _fail(error: ScaffoldError) -> NoReturn:
    """The one place errors become a message and an exit code."""
    _console(stderr=True).print(f"[bold red]error:[/] {error.message}", markup=True, soft_wrap=True)
    raise typer.Exit(error.exit_code)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _user_errors() -> Iterator[None]:
    import signal

    # SIGTERM/SIGHUP unwind like Ctrl-C, so cleanup in `finally` blocks always runs.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        yield
    except ScaffoldError as error:
        _fail(error)
    except KeyboardInterrupt:
        _console(stderr=True).print("interrupted; nothing was changed")
        raise typer.Exit(130) from None


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"scaffold {version('webscaffold')}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Generate Django, FastAPI or hybrid projects, and keep them current."""


def _stepper(*, live: bool) -> tuple[Callable[[str], None], Callable[[], None]]:
    """Progress for slow steps: a spinner when `live` on a terminal, else plain lines."""
    console = _console(stderr=True)
    if not (live and console.is_terminal):
        return (lambda message: console.print(f"- {message}")), (lambda: None)
    status = console.status("")
    started = False

    def step(message: str) -> None:
        nonlocal started
        status.update(f"{message}…")
        if not started:
            status.start()
            started = True

    def done() -> None:
        if started:
            status.stop()

    return step, done


@app.command()
def new(
    dest: Annotated[Path, typer.Argument(help="Directory to create the project in.")],
    use_case: Annotated[
        list[str] | None,
        typer.Option("--use-case", "-u", help="What you are building (repeatable)."),
    ] = None,
    framework: Annotated[
        str | None, typer.Option(help="django, fastapi or hybrid (default: from use cases).")
    ] = None,
    data: Annotated[
        list[str] | None, typer.Option("--data", "-d", help="An answer as KEY=VALUE (repeatable).")
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option(help="A YAML file of answers.", dir_okay=False)
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Use defaults for anything not answered.")
    ] = False,
    template: Annotated[
        str | None, typer.Option(help="Template source (default: the one shipped here).")
    ] = None,
    vcs_ref: Annotated[str | None, typer.Option(help="Template git ref to use.")] = None,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
) -> None:
    """Create a new project."""
    from webscaffold.options import collect_answers

    # Copier prompts during rendering when interactive: a spinner would overwrite them.
    interactive = sys.stdin.isatty() and not defaults
    step, done = _stepper(live=not interactive)
    with _user_errors():
        answers = collect_answers(
            data_pairs=data or [],
            data_file=data_file,
            use_cases=use_case,
            framework=framework,
            check_against_bundled=template is None,
        )
        from webscaffold.generate import new_project

        try:
            project = new_project(
                dest,
                answers,
                interactive=interactive,
                defaults=defaults,
                template=template,
                vcs_ref=vcs_ref,
                git=not no_git,
                step=step,
            )
        finally:
            done()
    out = _console()
    name = project.answers.get("project_name", project.path.name)
    out.print(f"[green]Created[/] {name} in {project.path} ({project.answers.get('framework')})")
    out.print("Next steps:")
    out.print(f"  cd {project.path}")
    out.print("  uv sync")
    out.print("  uv run pytest")
    out.print("  (the project's README says how to run it)")


@app.command()
def recommend(
    use_case: Annotated[
        list[str] | None,
        typer.Option("--use-case", "-u", help="What you are building (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Explain which framework fits your use cases."""
    from webscaffold.recommend import recommend as recommend_for

    with _user_errors():
        result = recommend_for(use_case or [])
    if as_json:
        typer.echo(json.dumps(asdict(result), indent=2))
        return
    out = _console()
    out.print(f"[bold]{result.framework}[/]  {result.summary}")
    for reason in result.reasons:
        out.print(f"  - {reason.use_case} → {reason.framework}: {reason.reason}")


fixtures_app = typer.Typer(
    help="Regenerate or check golden fixture projects (DIR/<name>.yml → DIR/<name>/).",
    no_args_is_help=True,
)
app.add_typer(fixtures_app, name="fixtures")

FixturesDir = Annotated[
    Path, typer.Argument(help="Directory of <name>.yml answer files.", file_okay=False)
]
FixturesTemplate = Annotated[
    str | None,
    typer.Option(help="Template source: a directory or git URL (default: the one shipped here)."),
]


@fixtures_app.command("regen")
def fixtures_regen(directory: FixturesDir, template: FixturesTemplate = None) -> None:
    """Regenerate DIR/<name>/ from each DIR/<name>.yml, replacing stale output."""
    from webscaffold.fixtures import regenerate

    step, done = _stepper(live=True)
    with _user_errors():
        step(f"Rendering the fixtures in {directory}")
        try:
            results = regenerate(directory, template)
        finally:
            done()
    out = _console()
    for result in results:
        if result.removed:
            out.print(f"[yellow]removed[/] {result.path} (its answer file is gone)", soft_wrap=True)
        else:
            out.print(f"[green]regenerated[/] {result.path} ({result.files} files)", soft_wrap=True)


@fixtures_app.command("check")
def fixtures_check(
    directory: FixturesDir,
    template: FixturesTemplate = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Exit 0 if every fixture matches a fresh render, 1 if any is stale, 2 on bad input."""
    from webscaffold.fixtures import check

    with _user_errors():
        report = check(directory, template)
    if as_json:
        fixtures = [{**asdict(diff), "ok": diff.ok} for diff in report.fixtures]
        typer.echo(json.dumps({"ok": report.ok, "fixtures": fixtures}, indent=2))
    else:
        out = _console()
        for diff in report.fixtures:
            if diff.ok:
                out.print(f"[green]ok[/]    {diff.name}", soft_wrap=True)
                continue
            if diff.orphan:
                out.print(
                    f"[red]stale[/] {diff.name}: {diff.path} has no answer file", soft_wrap=True
                )
                continue
            out.print(f"[red]stale[/] {diff.name}:", soft_wrap=True)
            for label, paths in (
                ("changed", diff.changed),
                ("missing", diff.missing),
                ("extra", diff.extra),
            ):
                for path in paths:
                    out.print(f"  {label}: {path}", soft_wrap=True)
        if not report.ok:
            again = f" --template {template}" if template else ""
            out.print(
                f"Fixtures are stale; run: scaffold fixtures regen {directory}{again}",
                soft_wrap=True,
            )
    if not report.ok:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()
