"""Which checks the suite runs on which generated project: recorded as it runs, kept in a manifest.

A *combination* is what makes two generated projects differ in kind: the framework, the database,
the use cases that framework keeps, and the other feature answers (names and texts are left out,
so a project named "My Shop" is the same combination as one named "Bar Probe"). A *check* is a
command the suite runs inside a generated project (`uv run mypy`, `manage.py check --deploy`, a
server) or an HTTP request it sends to a project's server (`GET /shop/`), with ports, paths and
ids replaced by placeholders.

With `SCAFFOLD_RECORD_CHECKS=DIR` every test process appends what it runs to `DIR/<pid>.jsonl`.
Then `python tests/checks_manifest.py write DIR` writes `tests/checks-after.txt`, and
`python tests/checks_manifest.py verify DIR` fails when a full run lost a pair of
`tests/checks-before.txt`, and says how the run differs from `tests/checks-after.txt`.
`tests/checks-before.txt` is what the suite ran before it was restructured so that each
combination is generated and checked once; `tests/test_checks_manifest.py` fails when a pair of
it is missing from `tests/checks-after.txt`. The combinations the matrix dropped on purpose are
named in `RETIRED`; their pairs alone may go unchecked.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from http import client
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
BEFORE = HERE / "checks-before.txt"
AFTER = HERE / "checks-after.txt"
RECORD_VARIABLE = "SCAFFOLD_RECORD_CHECKS"
TEMPORARY = tempfile.gettempdir()

# Answers that name or describe a project without changing what it is.
NAMING_ANSWERS = {"project_name", "project_slug", "description", "author_name", "author_email"}
# Questions added since checks-before.txt was recorded, with their defaults: at its default a
# project is what it was before the question existed, so its combination keeps its key. A project
# that turns a later feature on is still the combination it was before, plus that feature: a pair
# of checks-before.txt counts as run when it is run on such a project (`earlier_key`).
LATER_QUESTIONS: dict[str, Any] = {
    "email_provider": "smtp",
    "social_login": [],
    "media_storage": "local",
    "observability": ["metrics"],
}
ANSWERS_FILE = ".copier-answers.yml"

# ── what a project is ─────────────────────────────────────────────────────────


def combination_of(answers: dict[str, Any]) -> str:
    """`hybrid sqlite [cms ml-api] background_jobs=True ci=github kubernetes=False`."""
    from webscaffold.recommend import left_out

    framework = str(answers.get("framework"))
    chosen = [str(name) for name in answers.get("use_cases") or []]
    dropped = {item.use_case for item in left_out(chosen, framework)}
    kept = " ".join(sorted((name for name in chosen if name not in dropped), key=copier_order))
    rest = " ".join(
        f"{key}={_answer_text(answers[key])}"
        for key in sorted(answers)
        if not key.startswith("_")
        and key not in NAMING_ANSWERS | {"framework", "database", "use_cases"}
        and not (key in LATER_QUESTIONS and answers[key] == LATER_QUESTIONS[key])
    )
    return f"{framework} {answers.get('database')} [{kept}] {rest}".strip()


def _answer_text(value: Any) -> str:
    """One word: a multi-select answer as its choices joined by commas."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def earlier_key(combination: str) -> str:
    """`combination` without the answers of questions added after checks-before.txt."""
    head, bracket, rest = combination.partition("] ")
    if not bracket:
        return combination
    kept = [word for word in rest.split() if word.split("=", 1)[0] not in LATER_QUESTIONS]
    return " ".join([head + "]", *kept])


# Combinations of checks-before.txt the matrix no longer builds, on purpose. An earlier generator
# chose them; the pairwise matrix (docs/matrix.md) meets every pair of option values without them,
# and each made only a row's generic checks (its own checks, first steps, a boot), which every
# remaining row makes too. They cost about a quarter of the suite's CPU time (docs/ci-fixtures.md).
# Every other pair of checks-before.txt must still be run.
RETIRED = frozenset(
    f"{combination} background_jobs=True ci=github kubernetes=False"
    for combination in (
        "django sqlite [cms saas-dashboard]",
        "django postgresql [social-network]",
        "django postgresql [e-commerce social-network saas-dashboard]",
        "fastapi postgresql [ml-api real-time]",
        "fastapi sqlite [ml-api microservices mobile-backend]",
        "fastapi postgresql [microservices real-time mobile-backend]",
        "fastapi postgresql [ml-api microservices real-time]",
        "hybrid postgresql [cms social-network ml-api real-time]",
        "hybrid sqlite [saas-dashboard ml-api microservices mobile-backend]",
        "hybrid postgresql [e-commerce social-network microservices real-time mobile-backend]",
        "hybrid sqlite [e-commerce cms saas-dashboard]",
        "hybrid postgresql [e-commerce cms saas-dashboard ml-api microservices real-time]",
        "hybrid sqlite [social-network mobile-backend]",
    )
)


def lost_pairs(before: set[tuple[str, str]], run: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs of `before` that `run` made neither on a project nor on it with features added,
    leaving out the retired combinations."""
    made = {(earlier_key(combination), check) for combination, check in run}
    return {pair for pair in before - made if pair[0] not in RETIRED}


@functools.cache
def _use_case_order() -> list[str]:
    from webscaffold.template import bundled_questions, choices_of

    return choices_of(bundled_questions()["use_cases"])


def copier_order(use_case: str) -> int:
    """A use case's place in copier.yml."""
    order = _use_case_order()
    return order.index(use_case) if use_case in order else len(order)


def project_root(directory: Path) -> Path | None:
    """The generated project `directory` is in, if any."""
    for candidate in (directory, *directory.parents):
        if (candidate / ANSWERS_FILE).is_file():
            return candidate
    return None


def combination_at(root: Path) -> str:
    answers = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8")) or {}
    return combination_of(answers)


# ── what a check is ───────────────────────────────────────────────────────────

_PORT = re.compile(r"^\d{4,5}$")
_HOST_PORT = re.compile(r"(127\.0\.0\.1|localhost|0\.0\.0\.0):\d{2,5}")
_DB_URL = re.compile(r"^(postgres(ql)?|sqlite|redis)(\+\w+)?://\S*$")
_HASHED = re.compile(r"\.[0-9a-f]{12}\.")  # static files named by content: base.96c479cedf7a.css
# pytest options that change its report, not what it runs
REPORT_OPTIONS = {"-q", "-rA", "-ra", "--no-header"}


def without_report_options(check: str) -> str:
    """`uv run pytest -q -rA -p no:cacheprovider -m worker` -> `uv run pytest -m worker`."""
    words = check.split(" ")
    if "pytest" not in words:
        return check
    kept: list[str] = []
    for word in words:
        if word in REPORT_OPTIONS or (word == "no:cacheprovider" and kept[-1:] == ["-p"]):
            if word == "no:cacheprovider":
                kept.pop()
            continue
        kept.append(word)
    return " ".join(kept)


_ID = re.compile(r"(?<=/)([0-9]+|[0-9a-f]{8,}(-[0-9a-f]{4,})*)(?=/|$)")


def normalized_command(argv: Sequence[str], root: Path) -> str:
    """A command as a check: paths relative to the project, ports and URLs as placeholders."""
    words = []
    for word in argv:
        text = str(word)
        if text.startswith(str(root)):
            text = "{project}" + text[len(str(root)) :]
        elif text.startswith(TEMPORARY):
            text = "{path}/" + Path(text).name
        text = _HOST_PORT.sub(r"\1:{port}", text)
        if _PORT.match(text):
            text = "{port}"
        if _DB_URL.match(text):
            text = "{url}"
        text = re.sub(r"server-\d+\.log", "server-{port}.log", text)
        words.append(text)
    if words and "/" in words[0]:  # an absolute interpreter or tool: its name is what matters
        words[0] = Path(words[0]).name
    return " ".join(words)


def normalized_path(path: str) -> str:
    """`/shop/products/12/?page=2` -> `/shop/products/{id}/`."""
    return _ID.sub("{id}", path.split("?", 1)[0].split("#", 1)[0])


# ── recording ─────────────────────────────────────────────────────────────────


class Recorder:
    """Appends (combination, check) records of this process to one file."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.file = directory / f"{os.getpid()}.jsonl"
        self.ports: dict[int, str] = {}
        self.test = ""

    def record(self, combination: str, check: str) -> None:
        line = json.dumps({"combination": combination, "check": check, "test": self.test})
        with self.file.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def command(
        self,
        argv: Sequence[str],
        cwd: str | os.PathLike[str] | None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        if not argv or Path(str(argv[0])).name == "git":
            return  # git is how tests set projects up, not a check of them
        for word in argv:  # a browser or client pointed at a project's server
            for match in re.finditer(
                r"https?://(?:127\.0\.0\.1|localhost):(\d+)(/\S*)?", str(word)
            ):
                served = self.ports.get(int(match.group(1)))
                if served:
                    name = Path(str(argv[0])).name
                    self.record(served, f"{name} GET {normalized_path(match.group(2) or '/')}")
        root = project_root(Path(cwd).resolve()) if cwd else None
        if root is None:
            return
        combination = combination_at(root)
        # a server the project starts: requests to its port are its checks
        for word in [*argv, *(env.get(name, "") for name in PORT_VARIABLES if env)]:
            port = _served_port(str(word))
            if port:
                self.ports[port] = combination
        self.record(combination, normalized_command([str(word) for word in argv], root))

    def request(self, port: int, method: str, url: str) -> None:
        served = self.ports.get(port)
        if served:
            self.record(served, f"{method} {normalized_path(url)}")


# Variables that give a server its port when the command shows none (`uvicorn --reload` as a
# README shows it, on a free port: uvicorn reads its options from UVICORN_* variables).
PORT_VARIABLES = ("UVICORN_PORT",)


def _served_port(word: str) -> int | None:
    match = re.fullmatch(r"(?:(?:127\.0\.0\.1|0\.0\.0\.0|localhost):)?(\d{4,5})", word)
    return int(match.group(1)) if match else None


_recorders: list[Recorder] = []  # this process's, once installed


def install(directory: Path) -> Recorder:
    """Record every command and loopback HTTP request of this process from now on."""
    recorder = Recorder(directory)
    _recorders.append(recorder)
    original_init = subprocess.Popen.__init__

    def popen_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        argv = [args] if isinstance(args, str | bytes | os.PathLike) else list(args)
        with contextlib.suppress(OSError):  # recording must never change what a test does
            recorder.command(
                [os.fsdecode(word) for word in argv], kwargs.get("cwd"), kwargs.get("env")
            )
        original_init(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]
    original_putrequest = client.HTTPConnection.putrequest

    def putrequest(self: client.HTTPConnection, method: str, url: str, *a: Any, **k: Any) -> None:
        recorder.request(int(self.port or 80), method, url)
        original_putrequest(self, method, url, *a, **k)

    client.HTTPConnection.putrequest = putrequest  # type: ignore[method-assign]
    return recorder


def pytest_configure(config: Any) -> None:
    directory = os.environ.get(RECORD_VARIABLE)
    if directory:
        install(Path(directory))


def pytest_runtest_setup(item: Any) -> None:
    for recorder in _recorders:
        recorder.test = item.nodeid


# ── the manifest ──────────────────────────────────────────────────────────────


def checks_of(check: str) -> list[str]:
    """The checks one command makes: `uv run pytest --cov` runs the very tests `uv run pytest`
    runs and measures their coverage too, so it is both."""
    words = check.split(" ")
    if "pytest" in words and "--cov" in words:
        return [check, " ".join(word for word in words if word != "--cov")]
    return [check]


def recorded_pairs(directory: Path) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            check = without_report_options(_HASHED.sub(".{hash}.", item["check"]))
            check = check.replace("\n", "\\n")  # one pair a line (`python -c` code has several)
            pairs.update((item["combination"], made) for made in checks_of(check))
    return pairs


def format_manifest(pairs: Iterable[tuple[str, str]]) -> str:
    """One `combination | check` line per pair, sorted."""
    return "".join(f"{combination} | {check}\n" for combination, check in sorted(set(pairs)))


def read_manifest(path: Path) -> set[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {tuple(line.split(" | ", 1)) for line in lines if line}  # type: ignore[misc]


def main(argv: Sequence[str]) -> int:
    usage = "usage: python tests/checks_manifest.py write|verify [--strict]|before RECORD_DIR"
    strict = "--strict" in argv
    argv = [word for word in argv if word != "--strict"]
    if len(argv) != 2 or argv[0] not in {"write", "verify", "before"}:
        print(usage, file=sys.stderr)
        return 2
    action, directory = argv[0], Path(argv[1])
    pairs = recorded_pairs(directory)
    if action in {"write", "before"}:
        target = AFTER if action == "write" else BEFORE
        target.write_text(format_manifest(pairs), encoding="utf-8")
        print(f"{target.name}: {len(pairs)} pairs")
        return 0
    before = read_manifest(BEFORE)
    after = read_manifest(AFTER) if AFTER.is_file() else set()
    lost = lost_pairs(before, pairs)
    for combination, check in sorted(lost):
        print(f"not run: {combination} | {check}", file=sys.stderr)
    new, gone = len(pairs - after), len(after - pairs)
    print(
        f"checks manifest: {len(pairs)} pairs run; {len(before)} before, {len(lost)} of them lost; "
        f"{new} not in {AFTER.name}, {gone} of it not run"
    )
    if lost and strict:
        print(
            f"{len(lost)} pairs the suite checked before were not run: attach those checks to "
            "a matrix row again (tests/projects.py)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent / "src"))
    sys.exit(main(sys.argv[1:]))
