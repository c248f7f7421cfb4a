"""`/api/health` through the hybrid's composed app against the same FastAPI app served alone.

Run: uv run python benchmarks/hybrid_bench.py [--requests N] [--concurrency C] [--rounds R]
     [--database-url postgresql://...]   (default: the project's SQLite file)
Goal: the composed app serves at least 0.85x the requests per second of the API alone.

Both are `uvicorn <slug>.asgi:...` in one process with the same options, on loopback, under the
same load (keep-alive HTTP/1.1 clients); the only difference is the dispatcher in front of the
API and Django's app behind it. Rounds alternate which one goes first; figures are medians.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import copier
from copier.errors import DirtyLocalWarning

REPO_ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench_probe"
TARGETS = {"alone": f"{SLUG}.asgi:api", "hybrid": f"{SLUG}.asgi:application"}
PATH = "/api/health"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def project_env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    for name in ("DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        env.pop(name, None)
    env.update(UV_NO_PROGRESS="1", DJANGO_SETTINGS_MODULE=f"{SLUG}.settings.local")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def make_project(dest: Path, database: str, env: dict[str, str]) -> Path:
    """Render a hybrid project from this working tree, install and migrate it."""
    warnings.filterwarnings("ignore", category=DirtyLocalWarning)  # uncommitted work is wanted
    copier.run_copy(
        str(REPO_ROOT),
        dest,
        data={"project_name": "Bench Probe", "framework": "hybrid", "database": database},
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    subprocess.run(["uv", "sync", "--quiet", "--no-dev"], cwd=dest, env=env, check=True)
    migrate = ["uv", "run", "--no-dev", "python", "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=dest, env=env, check=True)
    return dest


@contextmanager
def uvicorn(project: Path, target: str, env: dict[str, str]) -> Iterator[int]:
    """Serve `target` on a free loopback port until the block ends; yields the port."""
    port = free_port()
    command = ["uv", "run", "--no-dev", "uvicorn", target, "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=project, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{target} did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


async def load(port: int, total: int, concurrency: int) -> tuple[float, float, int]:
    """`total` GETs from `concurrency` keep-alive clients: requests/s, median ms, non-200s."""
    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    latencies: list[float] = []
    errors = 0

    async def client(count: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for _ in range(count):
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    shares = [total // concurrency + (i < total % concurrency) for i in range(concurrency)]
    started = time.perf_counter()
    await asyncio.gather(*(client(count) for count in shares))
    elapsed = time.perf_counter() - started
    return total / elapsed, statistics.median(latencies) * 1000, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of SQLite")
    args = parser.parse_args()

    env = project_env(args.database_url)
    database = "postgresql" if args.database_url else "sqlite"
    results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in TARGETS}
    with tempfile.TemporaryDirectory() as scratch:
        project = make_project(Path(scratch) / "p", database, env)
        for round_number in range(args.rounds):
            order = list(TARGETS) if round_number % 2 == 0 else list(reversed(TARGETS))
            for name in order:
                with uvicorn(project, TARGETS[name], env) as port:
                    asyncio.run(load(port, 300, args.concurrency))  # warm up
                    results[name].append(asyncio.run(load(port, args.requests, args.concurrency)))

    print(
        f"GET {PATH}: {args.requests} requests x {args.rounds} rounds, concurrency "
        f"{args.concurrency}, {database}, Python {sys.version.split()[0]} (medians)"
    )
    rates = {}
    for name, runs in results.items():
        rates[name] = statistics.median(rate for rate, _, _ in runs)
        latency = statistics.median(ms for _, ms, _ in runs)
        errors = sum(errors for _, _, errors in runs)
        print(
            f"  {name:<7} {TARGETS[name]:<28} {rates[name]:8.0f} req/s  "
            f"p50 {latency:6.2f} ms  non-200: {errors}"
        )
    print(f"  ratio hybrid/alone {rates['hybrid'] / rates['alone']:.2f} (goal >= 0.85)")


if __name__ == "__main__":
    main()
