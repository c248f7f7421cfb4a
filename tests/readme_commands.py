"""The commands READMEs and the docs site show, and which of them no test runs as shown.

A command is a line of a ```bash, ```sh or ```console block: `\\` continuations joined, `&&`
chains split, comments and `$ ` prompts dropped. A command that runs inside a generated project
is normalised as tests/checks_manifest.py records commands (ports and URLs as placeholders) and
looked up in `tests/checks-after.txt`: a generated README's with the combination of the matrix row
it was rendered for, a docs page's (`<slug>` standing for the project's package) with any.

`uv run python tests/readme_commands.py [--every-row]` prints the pairs no test runs as shown.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
BLOCK = re.compile(r"^ *```(bash|sh|console)\n(.*?)^ *```", re.MULTILINE | re.DOTALL)
SLUG = "bar_probe"  # the canonical answers' package: what `<slug>` stands for in the docs

# README commands that run on some matrix rows, not on every row that shows them: each costs
# seconds per row (a server, a worker, a model's training, a second collectstatic), and what
# differs between rows is what each row's own tests check. The suite fails if none runs them.
ON_SOME_ROWS = {
    "uv run --no-dev python manage.py": "the Django skeletons' production servers",
    "uv run --no-dev gunicorn": "the Django skeletons' production servers",
    "uv run --no-dev uvicorn": "the hybrid skeletons' production server",
    f"uv run uvicorn {SLUG}.asgi:application --host 0.0.0.0": "the microservices rows' probes",
    f"uv run uvicorn {SLUG}.asgi:application --reload": "the rows with no use case (the others "
    "serve the same app with the plain command)",
    f"uv run celery -A {SLUG} worker": "a worker answering inspect ping, one row per framework",
    f"uv run celery -A {SLUG} inspect ping": "a worker answering inspect ping",
    f"uv run celery -A {SLUG} beat": "the golden fixtures' beat test",
    f"uv run python -m {SLUG}.ml train": "training a new model version, one row per framework",
    "uv run alembic revision --autogenerate": "a model change on the FastAPI skeleton",
}
# README commands no test runs as shown, and why.
NOT_RUN = {
    "kubectl ": "needs a Kubernetes cluster; tests/test_deploy.py validates the manifests",
    "docker ": (
        "the container stage (tests/test_deploy.py, -m docker) builds, runs and composes each "
        "image in its own form (a tag per run, local base images, Debian's docker-compose), "
        "and is not recorded in the manifest"
    ),
}


def commands(markdown: str) -> list[str]:
    """The commands of `markdown`'s shell blocks, in order."""
    found = []
    for language, block in BLOCK.findall(markdown):
        for shown in block.replace("\\\n", " ").splitlines():
            line = shown.strip()
            if language == "console" and not line.startswith("$ "):
                continue  # a console block's other lines are what the commands print
            line = line.removeprefix("$ ")
            try:
                words = shlex.split(line, comments=True)
            except ValueError:  # prose in a placeholder: `git clone <this repository's URL>`
                words = line.partition(" #")[0].split()
            command: list[str] = []
            for word in [*words, "&&"]:
                if word == "&&":
                    if command:
                        found.append(shlex.join(command))
                    command = []
                else:
                    command.append(word)
    return found


def manifest_check(command: str, root: Path) -> str:
    """`command` as tests/checks_manifest.py records it when run in the project at `root`."""
    from checks_manifest import normalized_command, without_report_options

    return without_report_options(normalized_command(shlex.split(command), root))


def exemption(check: str) -> str | None:
    """Why `check` need not run on every row that shows it, if it need not."""
    for prefix, reason in {**ON_SOME_ROWS, **NOT_RUN}.items():
        if check.startswith(prefix):
            return reason
    return None


def row_readme_checks(name: str) -> tuple[str, list[str]]:
    """Matrix row `name`'s combination and its README's commands, as manifest checks."""
    from checks_manifest import combination_at
    from projects import ROWS
    from support import render

    root = render(**ROWS[name].answers())
    readme = (root / "README.md").read_text(encoding="utf-8")
    checks = [manifest_check(command, root) for command in commands(readme)]
    return combination_at(root), list(dict.fromkeys(checks))  # some are shown twice


def row_gaps(name: str, run: set[tuple[str, str]], *, every_row: bool = False) -> list[str]:
    """Row `name`'s README commands that no test runs as shown for its project (`every_row`:
    with no exemption)."""
    combination, checks = row_readme_checks(name)
    ran_anywhere = {check for _, check in run}
    return [
        check
        for check in checks
        if (combination, check) not in run
        and (
            every_row
            or not (
                check.startswith(tuple(NOT_RUN))
                or (check in ran_anywhere and check.startswith(tuple(ON_SOME_ROWS)))
            )
        )
    ]


def docs_project_commands() -> list[tuple[str, str]]:
    """(page, command) for each command this repository's README and docs site show being run
    inside a generated project: after `cd` into the project `scaffold new` made, or naming
    `<slug>`. The others run against the template (`scaffold ...`, `uv tool install .`)."""
    pages = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
    found = []
    for page in pages:
        for _language, block in BLOCK.findall(page.read_text(encoding="utf-8")):
            made: set[str] = set()
            inside = False
            for command in commands(f"```bash\n{block}```\n"):
                words = command.split()
                if words[:2] == ["scaffold", "new"]:
                    made.add(words[2])
                elif words[0] == "cd":
                    inside = words[1] in made
                elif inside or "<slug>" in command:
                    found.append((str(page.relative_to(REPO_ROOT)), command))
    return found


def docs_gaps(run: set[tuple[str, str]], *, every_row: bool = False) -> list[tuple[str, str]]:
    """(page, check) for each docs command run inside a project that no test runs as shown."""
    ran_anywhere = {check for _, check in run}
    gaps = []
    for page, command in docs_project_commands():
        check = manifest_check(command.replace("<slug>", SLUG), REPO_ROOT)
        if check not in ran_anywhere and (every_row or not check.startswith(tuple(NOT_RUN))):
            gaps.append((page, check))
    return gaps


def main(argv: list[str]) -> int:
    """`--every-row`: every gap, exemptions (ON_SOME_ROWS, NOT_RUN) included."""
    from checks_manifest import AFTER, read_manifest
    from projects import ROWS

    run = read_manifest(AFTER)
    every_row = "--every-row" in argv
    gaps = [(name, check) for name in ROWS for check in row_gaps(name, run, every_row=every_row)]
    gaps += docs_gaps(run, every_row=every_row)
    for where, check in gaps:
        print(f"{where} | {check}")
    print(f"{len(gaps)} commands no test runs as shown", file=sys.stderr)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.path[:0] = [str(HERE), str(REPO_ROOT / "src")]
    sys.exit(main(sys.argv[1:]))
