"""The `scaffold` command line: commands, options and presentation only."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from webscaffold.console import Step, console, progress, say
from webscaffold.errors import ScaffoldError
from webscaffold.recommend import REASONS

if TYPE_CHECKING:  # annotations only: commands import the engine lazily to keep --help fast
    # Typer's own Click, whose types it does not re-export.
    from typer._click import Context, HelpFormatter

    from webscaffold.generate import NewProject
    from webscaffold.update import UpdateOptions

# Maintainer commands are listed apart from the ones every user needs.
MAINTAINER_PANEL = "Maintainer commands"


class _Command(TyperCommand):
    """A command whose usage line shows a required argument as `DIR`, not Typer's `{DIR}`."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        """The usage line's pieces, required arguments bare as in every Unix synopsis."""
        return [_bare(piece) for piece in super().collect_usage_pieces(ctx)]


class _Group(TyperGroup):
    """Lists each command's whole first help line, and maintainer commands in their own section."""

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        """The usage line's pieces, required arguments bare."""
        return [_bare(piece) for piece in super().collect_usage_pieces(ctx)]

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        """One section per help panel; descriptions whole (wrapped, never cut with "...")."""
        panels: dict[str, list[tuple[str, str]]] = {}
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is None or command.hidden:
                continue
            panel = getattr(command, "rich_help_panel", None) or "Commands"
            first_line = (command.short_help or command.help or "").strip().split("\n\n")[0]
            panels.setdefault(panel, []).append((name, " ".join(first_line.split())))
        for panel, rows in panels.items():
            with formatter.section(panel):
                formatter.write_dl(rows)


def _bare(piece: str) -> str:
    return piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece


app = typer.Typer(
    name="scaffold",
    cls=_Group,
    help="Generate Django, FastAPI or hybrid projects, and keep them current.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    # Plain help: rendering it with rich costs more than the rest of our start-up.
    rich_markup_mode=None,
)


@contextmanager
def _running(*, live: bool = True) -> Iterator[Step]:
    """Run a command's work: progress for its steps, and the one place errors become exit codes.

    SIGTERM/SIGHUP unwind like Ctrl-C (and the handlers are restored afterwards), so clean-up
    in `finally` blocks always runs. `live=False` prints plain lines instead of a spinner,
    which would garble Copier's prompts.
    """
    from webscaffold import signals

    try:
        with signals.interrupts_as_keyboard(), progress(live=live) as step:
            yield step
    except ScaffoldError as error:
        say(("error:", "bold red"), f" {error.message}", stderr=True)
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        say("interrupted; nothing was changed", stderr=True)
        raise typer.Exit(130) from None


def _print_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, indent=2))


def _note_left_out(answers: dict[str, Any], how: str) -> None:
    """Name the chosen use cases the project's framework leaves out, and how to keep them."""
    from webscaffold.recommend import left_out

    use_cases, framework = answers.get("use_cases"), answers.get("framework")
    if not isinstance(use_cases, list) or not isinstance(framework, str):
        return  # another template's project
    for dropped in left_out([str(name) for name in use_cases], framework):
        say(("note:", "yellow"), f" {dropped.advice(how)}", stderr=True)


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


UseCases = Annotated[
    list[str] | None,
    typer.Option(
        "--use-case",
        "-u",
        metavar="USE_CASE",
        help=f"What you are building (repeatable): {', '.join(REASONS)}.",
    ),
]
_FRAMEWORKS = "django, fastapi or hybrid"


@app.command(cls=_Command)
def new(
    dest: Annotated[
        Path, typer.Argument(metavar="DIR", help="Directory to create the project in.")
    ],
    use_case: UseCases = None,
    framework: Annotated[
        str | None,
        typer.Option(metavar="NAME", help=f"{_FRAMEWORKS} (default: from the use cases)."),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="KEY=VALUE",
            help="An answer (repeatable).",
        ),
    ] = None,
    data_file: Annotated[
        Path | None, typer.Option(metavar="FILE", help="A YAML file of answers.", dir_okay=False)
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Use defaults for anything not answered.")
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(metavar="SRC", help="Template source (default: the one shipped here)."),
    ] = None,
    vcs_ref: Annotated[
        str | None, typer.Option(metavar="REF", help="Template git ref to use.")
    ] = None,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip git init and the first commit.")
    ] = False,
    no_lock: Annotated[
        bool, typer.Option("--no-lock", help="Skip `uv lock` (no uv.lock in the first commit).")
    ] = False,
) -> None:
    """Create a new project."""
    # Copier prompts during rendering when interactive: a spinner would overwrite them.
    interactive = sys.stdin.isatty() and not defaults
    with _running(live=not interactive) as step:
        from webscaffold.generate import new_project
        from webscaffold.options import collect_answers

        answers = collect_answers(
            data_pairs=data or [],
            data_file=data_file,
            use_cases=use_case,
            framework=framework,
            check_against_bundled=template is None,
        )
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
    if project.lock_problem:
        say(f"warning: {project.lock_problem}", stderr=True)
    if project.inside_repository is not None:
        say(
            ("note:", "yellow"),
            f" {project.path} is a new git repository nested inside the one at "
            f"{project.inside_repository}; to make it part of that one instead, pass --no-git",
            stderr=True,
        )
    _note_left_out(project.answers, "--framework ")
    name = str(project.answers.get("project_name", project.path.name))
    out = console()
    framework_used = project.answers.get("framework")
    say(("Created", "green"), f" {name} in {project.path} ({framework_used})", out=out)
    for line in _next_steps(project):
        say(line, out=out)


def _next_steps(project: NewProject) -> list[str]:
    steps = ["Next steps:", f"  cd {project.path}"]
    if project.needs_lock and project.committed:
        steps.append('  uv lock && git add uv.lock && git commit -m "Lock dependencies"')
    elif project.needs_lock:
        steps.append("  uv lock              # then commit uv.lock with the project")
    return [
        *steps,
        "  uv sync",
        "  uv run pytest        # the project's own tests",
        "  (the project's README says how to run it)",
    ]


@app.command(cls=_Command)
def recommend(
    use_case: UseCases = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Explain which framework fits your use cases."""
    with _running():
        from webscaffold.recommend import recommend as recommend_for

        result = recommend_for(use_case or [])
    if as_json:
        _print_json(result.to_json())
        return
    out = console()
    say((result.framework, "bold"), f"  {result.summary}", out=out)
    for reason in result.reasons:
        say(f"  - {reason.use_case} → {reason.framework}: {reason.reason}", out=out)


fixtures_app = typer.Typer(
    cls=_Group,
    help="Regenerate or check golden fixture projects (DIR/<name>.yml → DIR/<name>/).",
    no_args_is_help=True,
)
app.add_typer(fixtures_app, name="fixtures", rich_help_panel=MAINTAINER_PANEL)

FixturesDir = Annotated[
    Path,
    typer.Argument(metavar="DIR", help="Directory of <name>.yml answer files.", file_okay=False),
]
FixturesTemplate = Annotated[
    str | None,
    typer.Option(
        metavar="SRC",
        help="Template source: a directory or git URL (default: the one shipped here).",
    ),
]


@fixtures_app.command("regen", cls=_Command)
def fixtures_regen(directory: FixturesDir, template: FixturesTemplate = None) -> None:
    """Regenerate DIR/<name>/ from each DIR/<name>.yml, replacing stale output."""
    with _running() as step:
        from webscaffold.fixtures import regenerate

        step(f"Rendering the fixtures in {directory}")
        results = regenerate(directory, template)
    out = console()
    for result in results:
        if result.removed:
            say(("removed", "yellow"), f" {result.path} (its answer file is gone)", out=out)
        else:
            say(("regenerated", "green"), f" {result.path} ({result.files} files)", out=out)


@fixtures_app.command("check", cls=_Command)
def fixtures_check(
    directory: FixturesDir,
    template: FixturesTemplate = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Exit 0 if every fixture matches a fresh render, 1 if any is stale, 2 on bad input."""
    with _running():
        from webscaffold.fixtures import check

        report = check(directory, template)
    if as_json:
        _print_json(report.to_json())
    else:
        from webscaffold.console import print_fixtures

        again = f" --template {template}" if template else ""
        print_fixtures(report, f"scaffold fixtures regen {directory}{again}")
    if not report.ok:
        raise typer.Exit(1)


PathArg = Annotated[
    Path,
    typer.Argument(metavar="PATH", help="The generated project (default: the current directory)."),
]
VcsRef = Annotated[
    str | None,
    typer.Option(metavar="REF", help="Template git ref to update to (default: newest)."),
]
Template = Annotated[
    str | None, typer.Option(metavar="SRC", help="Point the project at a moved template source.")
]


def _update_options(
    vcs_ref: str | None,
    data: Sequence[str] | None,
    template: str | None,
    *,
    conflict: str = "inline",
    interactive: bool = False,
) -> UpdateOptions:
    from webscaffold.answers import parse_data_pairs
    from webscaffold.errors import BadInputError
    from webscaffold.options import check_lists
    from webscaffold.update import UpdateOptions

    if conflict not in ("inline", "rej"):
        raise BadInputError(f"--conflict: '{conflict}' is not one of inline, rej")
    answers = dict(parse_data_pairs(data or []))
    check_lists(answers)
    return UpdateOptions(
        vcs_ref=vcs_ref,
        conflict="inline" if conflict == "inline" else "rej",
        data=answers,
        interactive=interactive,
        template=template,
    )


@app.command(cls=_Command)
def update(
    path: PathArg = Path(),
    vcs_ref: VcsRef = None,
    conflict: Annotated[
        str,
        typer.Option(metavar="MODE", help="How to leave conflicts: inline markers, or .rej files."),
    ] = "inline",
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="Change or add an answer (repeatable)."
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Never prompt; use defaults for new questions.")
    ] = False,
    template: Template = None,
) -> None:
    """Update a project to a newer template version, keeping your changes."""
    interactive = sys.stdin.isatty() and not defaults
    with _running(live=not interactive) as step:
        from webscaffold.update import apply_update

        options = _update_options(
            vcs_ref, data, template, conflict=conflict, interactive=interactive
        )
        result = apply_update(path, options, step)
    _note_left_out(result.answers, "--data framework=")
    from webscaffold.console import print_update

    if result.lock_problem:
        say(f"warning: {result.lock_problem}", stderr=True)
    print_update(result, rejects=conflict == "rej")
    if result.conflicted:
        raise typer.Exit(1)


app.command(name="upgrade", help="Same as `update`.", cls=_Command)(update)


@app.command(cls=_Command)
def diff(
    path: PathArg = Path(),
    vcs_ref: VcsRef = None,
    stat: Annotated[bool, typer.Option("--stat", help="Only a summary per file.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the update changes anything.")
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data", "-d", metavar="KEY=VALUE", help="Preview an answer change (repeatable)."
        ),
    ] = None,
    template: Template = None,
) -> None:
    """Show what `update` would change; writes nothing in the project."""
    with _running() as step:
        from webscaffold.update import preview_update

        options = _update_options(vcs_ref, data, template)
        result = preview_update(path, options, step, detail="stat" if stat else "patch")
    if result.lock_problem:
        say(f"warning: {result.lock_problem}", stderr=True)
    _note_left_out(result.answers, "--data framework=")
    if result.uncommitted:
        say(
            f"note: computed from the last commit; {len(result.uncommitted)} uncommitted or "
            "untracked file(s) are not included",
            stderr=True,
        )
    if as_json:
        _print_json(result.to_json())
    else:
        from webscaffold.console import print_preview

        print_preview(result, stat=stat)
    if exit_code and result.changed:
        raise typer.Exit(1)


@app.command(cls=_Command)
def check(
    path: PathArg = Path(),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Also exit 1 when files drifted from the template.")
    ] = False,
    template: Template = None,
) -> None:
    """Is the project behind its template, and which files drifted from it? (0 ok, 1 no, 2 error)"""
    with _running():
        from webscaffold.check import check_project

        result = check_project(path, template=template)
    if as_json:
        _print_json(result.to_json())
    else:
        from webscaffold.console import print_check

        print_check(result)
    if result.behind or (strict and result.drifted_files):
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()
