"""Wall time of `scaffold diff` and `scaffold update` vs `copier update` (goals 1.30x, 1.15x).

Same project, same template history, same answers: the real template (this checkout's
working tree, tagged v0.1.0), padded with `--extra-files` rendered files so it is the size
of a full skeleton, then a release tagged v0.2.0. Two histories are measured: a release
that edits files (a README line, one module), and one that also removes a module (which
makes `scaffold` check the removed file for user edits: one extra render of a pruned copy
of the old version, see src/webscaffold/render.py). The
project carries a user file, committed. Each run gets a fresh copy of the project; runs
are interleaved; medians are reported.

    uv run python benchmarks/update_bench.py [--runs 7] [--extra-files 28] [--source CHECKOUT]
        [--bundle]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def sh(cwd: Path, *args: str) -> None:
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)


def commit(cwd: Path, message: str, tag: str | None = None) -> None:
    if not (cwd / ".git").exists():
        sh(cwd, "git", "init", "-q")
    sh(cwd, "git", "add", "-A")
    sh(cwd, "git", "commit", "-qm", message)
    if tag:
        sh(cwd, "git", "tag", tag)


def build_template(root: Path, extra_files: int, *, remove: bool, source: Path = REPO_ROOT) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    repo = root / f"template-repo-{'removal' if remove else 'edits'}"
    for relative in filter(None, listed.split("\0")):
        if (source / relative).is_file():
            (repo / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, repo / relative)
    pad = repo / "template" / "{{ project_slug }}"
    pad.mkdir(parents=True, exist_ok=True)
    for n in range(extra_files):
        (pad / f"module_{n}.py.jinja").write_text(
            f'"""Module {n} of {{{{ project_name }}}}."""\n\n'
            + "".join(f"VALUE_{i} = {i}  # {{{{ project_slug }}}}\n" for i in range(40))
        )
    commit(repo, "v0.1.0", tag="v0.1.0")
    readme = repo / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nA line added in v0.2.0.\n")
    module = pad / "module_0.py.jinja"
    if module.exists():
        module.write_text(module.read_text().replace("VALUE_1 = 1", "VALUE_1 = 100"))
    if remove:
        # A removal makes `scaffold` check the removed file for user edits (one small render).
        if extra_files > 1:
            (pad / f"module_{extra_files - 1}.py.jinja").unlink()
        else:
            (repo / "template" / "README.md.jinja").unlink()
    commit(repo, "v0.2.0", tag="v0.2.0")
    return repo


def build_project(root: Path, repo: Path, *, bundle: bool = False) -> Path:
    project = root / f"project-{repo.name}"
    source = repo
    if bundle:  # as projects made from an installed wheel record their template
        source = root / f"{repo.name}.bundle"
        sh(repo, "git", "bundle", "create", str(source), "--all")
    subprocess.run(
        [
            str(BIN / "copier"),
            "copy",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "v0.1.0",
            "--data",
            "project_name=Bench Probe",
            str(source),
            str(project),
        ],
        check=True,
        capture_output=True,
    )
    commit(project, "generated")
    notes = project / "NOTES.md"
    notes.write_text("The user's own file.\n")
    commit(project, "user work")
    return project


def timed(command: list[str], project: Path, scratch: Path, ok: set[int]) -> tuple[float, float]:
    """Run `command PROJECT` on a fresh copy of the project: wall time and CPU time (with children).

    CPU time is reported too because the wall time on a shared machine mostly measures
    the neighbours; the CPU time a command spends (its git processes included) does not.
    """
    copy = scratch / f"run-{time.monotonic_ns()}"
    shutil.copytree(project, copy, symlinks=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [*command, str(copy)], capture_output=True, text=True, check=False, cwd=scratch
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode not in ok:
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}:\n{result.stderr}")
    shutil.rmtree(copy)
    return elapsed, cpu


def measure(
    root: Path, runs: int, extra_files: int, *, remove: bool, source: Path, bundle: bool
) -> None:
    repo = build_template(root, extra_files, remove=remove, source=source)
    project = build_project(root, repo, bundle=bundle)
    files = sum(1 for p in project.rglob("*") if p.is_file() and ".git" not in p.parts)
    commands = {
        "copier update": [str(BIN / "copier"), "update", "--defaults", "--quiet"],
        "scaffold diff": [str(BIN / "scaffold"), "diff"],
        "scaffold update": [str(BIN / "scaffold"), "update", "--defaults"],
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for command in commands.values():  # warm caches once
        timed(command, project, root, {0})
    for _ in range(runs):
        for name, command in commands.items():  # interleaved: fair to all three
            times[name].append(timed(command, project, root, {0}))
    wall_base = statistics.median(wall for wall, _ in times["copier update"])
    cpu_base = statistics.median(cpu for _, cpu in times["copier update"])
    kind = "a release that edits and removes files" if remove else "a release that edits files"
    kind += ", template from a git bundle" if bundle else ""
    print(f"{kind}: project of {files} files; {runs} runs each; medians")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(
            f"  {name:16} wall {wall:6.3f} s {wall / wall_base:5.2f}x"
            f"   cpu {cpu:6.3f} s {cpu / cpu_base:5.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--extra-files", type=int, default=28)
    parser.add_argument(
        "--source", type=Path, default=REPO_ROOT, help="a webscaffold checkout (default: this one)"
    )
    parser.add_argument(
        "--bundle",
        action="store_true",
        help="record the template as a git bundle, as projects from an installed wheel do",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="update-bench-") as tmp:
        root = Path(tmp)
        home = root / "home"
        home.mkdir()
        (home / ".gitconfig").write_text(
            "[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n"
        )
        os.environ.update(GIT_CONFIG_GLOBAL=str(home / ".gitconfig"), GIT_CONFIG_NOSYSTEM="1")
        for remove in (False, True):
            measure(
                root,
                args.runs,
                args.extra_files,
                remove=remove,
                source=args.source,
                bundle=args.bundle,
            )
    print("goals: scaffold diff <= 1.30x, scaffold update <= 1.15x of copier update")


if __name__ == "__main__":
    main()
