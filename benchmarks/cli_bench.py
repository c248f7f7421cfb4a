"""Start-up and generation speed of `scaffold` against plain Copier.

Run: uv run python benchmarks/cli_bench.py [--runs N]
Goals: `scaffold --help` <= 0.35x `copier --help`;
`scaffold new --defaults --no-git --no-lock` <= 1.10x `copier copy --defaults`, same template
and answers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ANSWERS = ["project_name=Bench Probe", "use_cases=[ml-api]"]


def wall_time(command: list[str], runs: int) -> float:
    """Median wall time of `command` over `runs` runs (DEST replaced by a new path each run)."""
    times = []
    for _ in range(runs):
        scratch = Path(tempfile.mkdtemp())
        argv = [str(scratch / "out") if part == "DEST" else part for part in command]
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        shutil.rmtree(scratch)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    scaffold_help = wall_time([str(BIN / "scaffold"), "--help"], runs)
    copier_help = wall_time([str(BIN / "copier"), "--help"], runs)
    data = [arg for answer in ANSWERS for arg in ("--data", answer)]
    scaffold_new = wall_time(
        [
            str(BIN / "scaffold"),
            "new",
            "DEST",
            "--defaults",
            "--no-git",
            "--no-lock",  # `uv lock` is uv's work, which plain Copier leaves to the user
            "--vcs-ref",
            "HEAD",
            *data,
        ],
        runs,
    )
    copier_copy = wall_time(
        [
            str(BIN / "copier"),
            "copy",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "HEAD",
            *data,
            str(REPO_ROOT),
            "DEST",
        ],
        runs,
    )
    print(f"runs per figure: {runs} (median)")
    print(
        f"scaffold --help  {scaffold_help:.3f}s  copier --help  {copier_help:.3f}s  "
        f"ratio {scaffold_help / copier_help:.2f} (goal <= 0.35)"
    )
    print(
        f"scaffold new     {scaffold_new:.3f}s  copier copy    {copier_copy:.3f}s  "
        f"ratio {scaffold_new / copier_copy:.2f} (goal <= 1.10)"
    )


if __name__ == "__main__":
    main()
