"""The `scaffold` command line: commands, options and presentation only."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

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
    no_lock: Annotated[
        bool, typer.Option("--no-lock", help="Skip `uv lock` (no uv.lock in the first commit).")
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
                lock=not no_lock,
                step=step,
            )
        finally:
            done()
    if project.lock_problem:
        _console(stderr=True).print(f"warning: {project.lock_problem}", soft_wrap=True)
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


if TYPE_CHECKING:  # annotations only: commands import the engine lazily to keep --help fast
    from webscaffold.upgrade import UpdateOptions, UpdateResult

_PATH_ARG = typer.Argument(help="The generated project (default: the current directory).")
_VCS_REF = typer.Option(help="Template git ref to update to (default: the newest version).")
_TEMPLATE = typer.Option(help="Point the project at a moved template source.")


def _update_options(
    vcs_ref: str | None,
    data: list[str] | None,
    template: str | None,
    *,
    conflict: str = "inline",
    interactive: bool = False,
) -> UpdateOptions:
    from webscaffold.answers import parse_data_pairs
    from webscaffold.errors import BadInputError
    from webscaffold.upgrade import UpdateOptions

    if conflict not in ("inline", "rej"):
        raise BadInputError(f"--conflict: '{conflict}' is not one of inline, rej")
    return UpdateOptions(
        vcs_ref=vcs_ref,
        conflict="inline" if conflict == "inline" else "rej",
        data=dict(parse_data_pairs(data or [])),
        interactive=interactive,
        template=template,
    )


_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>")


def _diff_style(line: str) -> str:
    if line[1:].startswith(_CONFLICT_MARKERS):
        return "bold yellow"
    if line.startswith(("diff ", "+++", "---", "index ", "new file", "deleted file")):
        return "bold"
    if line.startswith("@@"):
        return "cyan"
    return {"+": "green", "-": "red"}.get(line[:1], "")


def _print_diff(text: str) -> None:
    """A unified diff, coloured on a terminal, plain when piped."""
    out = _console()
    if not out.is_terminal:
        typer.echo(text, nl=False)
        return
    from rich.text import Text

    for line in text.splitlines():
        out.print(Text(line, style=_diff_style(line)), soft_wrap=True)


def _print_changes(result: UpdateResult, *, out: Any) -> None:
    groups = (
        ("added", result.added, "green"),
        ("modified", result.modified, "yellow"),
        ("deleted", result.deleted, "red"),
    )
    for label, paths, colour in groups:
        for path in paths:
            out.print(f"  [{colour}]{label:>8}[/] {path}", soft_wrap=True)
    for path in result.kept:
        out.print(
            f"  [cyan]{'kept':>8}[/] {path} (the template removed it; you had edited it)",
            soft_wrap=True,
        )


@app.command()
def update(
    path: Annotated[Path, _PATH_ARG] = Path(),
    vcs_ref: Annotated[str | None, _VCS_REF] = None,
    conflict: Annotated[
        str, typer.Option(help="How to leave conflicts: inline markers, or .rej files.")
    ] = "inline",
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", help="Change or add an answer as KEY=VALUE (repeatable)."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt; use defaults for new questions.")
    ] = False,
    template: Annotated[str | None, _TEMPLATE] = None,
) -> None:
    """Update a project to a newer template version, keeping your changes."""
    interactive = sys.stdin.isatty() and not defaults
    step, done = _stepper(live=not interactive)  # a spinner would garble Copier's prompts
    with _user_errors():
        options = _update_options(
            vcs_ref, data, template, conflict=conflict, interactive=interactive
        )
        from webscaffold.upgrade import apply_update

        try:
            result = apply_update(path, options, step)
        finally:
            done()
    if result.lock_problem:
        _console(stderr=True).print(f"warning: {result.lock_problem}", soft_wrap=True)
    out = _console()
    if not result.changed:
        out.print(
            f"Already up to date at {result.target_version}: nothing to change.", soft_wrap=True
        )
        return
    out.print(
        f"[green]Updated[/] {result.project} from {result.current_version} "
        f"to {result.target_version}:",
        soft_wrap=True,
    )
    _print_changes(result, out=out)
    if result.conflicted:
        err = _console(stderr=True)
        where = ".rej files beside them" if conflict == "rej" else "conflict markers"
        err.print(
            f"[bold red]Conflicts[/] remain in {len(result.conflicted)} file(s) ({where}):",
            soft_wrap=True,
        )
        for conflicted in result.conflicted:
            err.print(f"  {conflicted}", soft_wrap=True)
        err.print(
            "Resolve them, then `git add` and commit; `git diff` shows the rest.", soft_wrap=True
        )
        raise typer.Exit(1)
    out.print("Review with `git diff`, then commit.", soft_wrap=True)


app.command(name="upgrade", help="Same as `update`.")(update)


@app.command()
def diff(
    path: Annotated[Path, _PATH_ARG] = Path(),
    vcs_ref: Annotated[str | None, _VCS_REF] = None,
    stat: Annotated[bool, typer.Option("--stat", help="Only a summary per file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the update changes anything.")
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", help="Preview an answer change as KEY=VALUE (repeatable)."),
    ] = None,
    template: Annotated[str | None, _TEMPLATE] = None,
) -> None:
    """Show what `update` would change; writes nothing in the project."""
    step, done = _stepper(live=True)
    with _user_errors():
        options = _update_options(vcs_ref, data, template)
        from webscaffold.upgrade import preview_update

        try:
            result = preview_update(path, options, step, detail="stat" if stat else "patch")
        finally:
            done()
    if result.lock_problem:
        _console(stderr=True).print(f"warning: {result.lock_problem}", soft_wrap=True)
    if result.uncommitted:
        _console(stderr=True).print(
            f"note: computed from the last commit; {len(result.uncommitted)} uncommitted or "
            "untracked file(s) are not included",
            soft_wrap=True,
        )
    if as_json:
        payload = {
            "project": str(result.project),
            "template": result.template,
            "current_version": result.current_version,
            "target_version": result.target_version,
            "changed": result.changed,
            "added": list(result.added),
            "modified": list(result.modified),
            "deleted": list(result.deleted),
            "conflicted": list(result.conflicted),
            "kept": list(result.kept),
            "uncommitted": list(result.uncommitted),
        }
        typer.echo(json.dumps(payload, indent=2))
    elif not result.changed:
        _console(stderr=True).print(f"Up to date at {result.target_version}: no changes.")
    else:
        _console(stderr=True).print(
            f"Update from {result.current_version} to {result.target_version}"
            + (f"; conflicts in {', '.join(result.conflicted)}" if result.conflicted else "")
            + (f"; keeps {', '.join(result.kept)} (you edited it)" if result.kept else "")
        )
        if stat:
            typer.echo(result.stat, nl=False)
        else:
            _print_diff(result.diff)
    if exit_code and result.changed:
        raise typer.Exit(1)


@app.command()
def check(
    path: Annotated[Path, _PATH_ARG] = Path(),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also exit 1 when files drifted from the template.")
    ] = False,
    template: Annotated[str | None, _TEMPLATE] = None,
) -> None:
    """Is the project behind its template, and which files drifted from it? (0 ok, 1 no, 2 error)"""
    from webscaffold.check import check_project

    with _user_errors():
        result = check_project(path, template=template)
    if as_json:
        payload = {
            "project": str(result.project),
            "template": result.template,
            "current_version": result.current_version,
            "latest_version": result.latest_version,
            "behind": result.behind,
            "drifted_files": list(result.drifted_files),
        }
        typer.echo(json.dumps(payload, indent=2))
    else:
        out = _console()
        if result.behind:
            out.print(
                f"[yellow]Behind[/]: at {result.current_version}, the template has "
                f"{result.latest_version}; run `scaffold diff` to see the update.",
                soft_wrap=True,
            )
        else:
            out.print(f"[green]Up to date[/] at {result.current_version}.", soft_wrap=True)
        if result.drifted_files:
            out.print(
                f"{len(result.drifted_files)} file(s) differ from the template's version:",
                soft_wrap=True,
            )
            for drifted in result.drifted_files:
                out.print(f"  {drifted}", soft_wrap=True)
    if result.behind or (strict and result.drifted_files):
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()
