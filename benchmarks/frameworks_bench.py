"""The same workloads on generated FastAPI, Django and hybrid projects, served as their READMEs say.

Run: uv run python benchmarks/frameworks_bench.py [--quick] [--database sqlite|postgresql|both]
     [--concurrency C] [--seconds S] [--rounds R] [--slices N] [--markdown FILE]
     (PostgreSQL: a throwaway server from .ci/pg, or the one in PG_TEST_URL). The site's table
     comes from the full run: `--markdown docs/snippets/frameworks-bench.md`. --quick takes about
     two minutes in all: SQLite only (three projects to install, not six), two short rounds.
Goals (measured side by side in one run):
  - generated FastAPI `GET /users/me` >= 0.90x a minimal FastAPI app doing the same query with the
    same driver (the skeleton's middleware and dependencies), its route in an included router like
    the generated app's; also reported against the route on the app itself;
  - the hybrid's `/api/users/me` >= 0.85x the same endpoint served by its FastAPI app alone.

  - on PostgreSQL, the connections a Django or hybrid server holds after 2,000 requests at
    concurrency 16 stay within its connection pool (DATABASE_POOL_MAX_SIZE, 10 by default);
  - each framework with `observability` sentry, tracing and metrics on (its exporters sending to a
    local receiver, a tenth of traces kept as in the Kubernetes ConfigMap) >= 0.85x the same
    project with none: FastAPI's and the
    hybrid's authenticated `/users/me`, Django's shop page.

Every server is one process on loopback, configured as in production (ENVIRONMENT=production, a
random 64-character SECRET_KEY, Django's production settings behind a proxy that ends TLS), and
is loaded by keep-alive HTTP/1.1 clients at a fixed concurrency. The servers compared on one
workload take turns in short slices (A B B A ...), so that both sides of a ratio see the same
machine; each round starts new server processes, and figures are medians over rounds. Absolute
figures are this machine's: compare ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from generated import Project, clean_env, generate  # noqa: E402 - needs the path above

PASSWORD = "bench-password-5d1e"  # noqa: S105 - a throwaway user in a throwaway database
PRODUCTS = 30  # more than a page (20), so the product list is a full page

# What each generated project is; `slug` is fixed so targets below can name modules. No
# background jobs: no request measured here queues one, and a worker would need Redis.
# The frameworks are compared with no observability; each also with all of it on ("-observed").
NO_OBSERVABILITY: dict[str, object] = {"observability": []}
ALL_OBSERVABILITY: dict[str, object] = {"observability": ["sentry", "tracing", "metrics"]}
FRAMEWORKS: dict[str, dict[str, object]] = {
    "fastapi": {"framework": "fastapi", "use_cases": []},
    "django": {"framework": "django", "use_cases": ["e-commerce"], "background_jobs": False},
    "hybrid": {"framework": "hybrid", "use_cases": ["e-commerce"], "background_jobs": False},
}
PROJECTS: dict[str, dict[str, object]] = {
    **{kind: {**answers, **NO_OBSERVABILITY} for kind, answers in FRAMEWORKS.items()},
    **{f"{kind}-observed": {**a, **ALL_OBSERVABILITY} for kind, a in FRAMEWORKS.items()},
}

# A FastAPI app with nothing but the workload: the project's own engine URL, driver, table and
# JWT, one route answering the same JSON. It verifies the token as the generated app does,
# because an authenticated read cannot skip that; what it leaves out (middleware, dependencies,
# a response model, the connections' deadline and checkout check) is what the first overhead goal
# measures. Its pool is SQLAlchemy's default, as the generated app's is. It is served two ways:
# `app` has the route on the app itself; `routed` has it in an APIRouter included in the app, as
# FastAPI's guide to bigger applications lays an app out and the generated app does. Since
# FastAPI 0.137 an included router is a layer matched on every request, a cost of FastAPI's and not
# of the skeleton: the second is the like-for-like baseline, the first the stricter one.
MINIMAL_APP = '''\
"""The generated /users/me with nothing around it: same driver, same query, same token."""

import os

import jwt
from fastapi import APIRouter, FastAPI, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from {slug}.config import get_settings
from {slug}.models import User

settings = get_settings()  # only to get the same async driver URL the app derives
sessions = async_sessionmaker(create_async_engine(settings.database_url), expire_on_commit=False)


async def read_me(request: Request) -> dict[str, object]:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    try:
        user_id = int(jwt.decode(token, os.environ["SECRET_KEY"], algorithms=["HS256"])["sub"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise HTTPException(401) from None
    async with sessions() as session:
        user = await session.get(User, user_id)
    if user is None or scheme.lower() != "bearer":
        raise HTTPException(401)
    return {{
        "id": user.id,
        "email": user.email,
        "is_active": user.is_active,
        "created_at": user.created_at,
    }}


app = FastAPI(openapi_url=None)
app.get("/users/me")(read_me)

router = APIRouter(prefix="/users")
router.get("/me")(read_me)
routed = FastAPI(openapi_url=None)
routed.include_router(router)
'''


@dataclass(frozen=True)
class Server:
    """One way of serving a project: the README's command, on a port of our choosing."""

    name: str
    project: str
    command: tuple[str, ...]  # `{port}` and `{slug}` are filled in


@dataclass(frozen=True)
class Workload:
    """One request, repeated; `auth` is the kind of credentials it sends."""

    name: str
    server: str
    path: str
    auth: str = ""  # "" or "bearer"


APPLICATION = ("uvicorn", "{slug}.asgi:application", "--port", "{port}")
SERVERS = [
    Server("fastapi", "fastapi", ("uvicorn", "{slug}.asgi:application", "--port", "{port}")),
    Server("minimal", "fastapi", ("uvicorn", "bench_minimal:app", "--port", "{port}")),
    Server("minimal-routed", "fastapi", ("uvicorn", "bench_minimal:routed", "--port", "{port}")),
    Server("django-asgi", "django", ("uvicorn", "{slug}.asgi:application", "--port", "{port}")),
    Server("django-wsgi", "django", ("gunicorn", "{slug}.wsgi", "--bind", "127.0.0.1:{port}")),
    Server("hybrid", "hybrid", ("uvicorn", "{slug}.asgi:application", "--port", "{port}")),
    Server("hybrid-api-alone", "hybrid", ("uvicorn", "{slug}.asgi:api", "--port", "{port}")),
    *(
        Server(f"{kind}-observed", f"{kind}-observed", APPLICATION)
        for kind in ("fastapi", "django", "hybrid")
    ),
]
UVICORN_QUIET = ("--no-access-log", "--log-level", "warning")

# Pairs sit next to each other, so that both sides of a ratio see the same machine.
WORKLOADS = [
    Workload("users/me", "fastapi", "/users/me", "bearer"),
    Workload("users/me", "minimal", "/users/me", "bearer"),
    Workload("users/me", "minimal-routed", "/users/me", "bearer"),
    Workload("api users/me", "hybrid", "/api/users/me", "bearer"),
    Workload("api users/me", "hybrid-api-alone", "/api/users/me", "bearer"),
    Workload("api products", "hybrid", "/api/products"),
    Workload("api products", "hybrid-api-alone", "/api/products"),
    Workload("health", "fastapi", "/health"),
    Workload("health", "django-asgi", "/health"),
    Workload("health", "django-wsgi", "/health"),
    Workload("health", "hybrid", "/health"),
    Workload("api health", "hybrid", "/api/health"),
    Workload("api health", "hybrid-api-alone", "/api/health"),
    Workload("shop page", "django-asgi", "/shop/"),
    Workload("shop page", "django-wsgi", "/shop/"),
    Workload("shop page", "hybrid", "/shop/"),
    # The cost of observability: the same project with none, then with all of it.
    Workload("users/me, observability", "fastapi", "/users/me", "bearer"),
    Workload("users/me, observability", "fastapi-observed", "/users/me", "bearer"),
    Workload("api users/me, observability", "hybrid", "/api/users/me", "bearer"),
    Workload("api users/me, observability", "hybrid-observed", "/api/users/me", "bearer"),
    Workload("shop page, observability", "django-asgi", "/shop/"),
    Workload("shop page, observability", "django-observed", "/shop/"),
]

# (label, numerator, denominator, goal): each side a (workload, server) pair.
RATIOS = [
    ("generated FastAPI / minimal FastAPI (route in an included router), users/me",
     ("users/me", "fastapi"), ("users/me", "minimal-routed"), 0.90),
    ("generated FastAPI / minimal FastAPI (route on the app), users/me",
     ("users/me", "fastapi"), ("users/me", "minimal"), 0.90),
    ("hybrid /api / its API alone, users/me", ("api users/me", "hybrid"),
     ("api users/me", "hybrid-api-alone"), 0.85),
    ("hybrid /api / its API alone, products", ("api products", "hybrid"),
     ("api products", "hybrid-api-alone"), None),
    ("FastAPI / Django ASGI, health check", ("health", "fastapi"),
     ("health", "django-asgi"), None),
    ("FastAPI / Django WSGI, health check", ("health", "fastapi"),
     ("health", "django-wsgi"), None),
    ("FastAPI users/me / hybrid /api users/me (SQLAlchemy vs Django ORM)",
     ("users/me", "fastapi"), ("api users/me", "hybrid"), None),
    ("Django ASGI / WSGI, shop page", ("shop page", "django-asgi"),
     ("shop page", "django-wsgi"), None),
    ("hybrid / Django ASGI, shop page", ("shop page", "hybrid"),
     ("shop page", "django-asgi"), None),
    ("FastAPI with sentry, tracing, metrics / with none, users/me",
     ("users/me, observability", "fastapi-observed"), ("users/me, observability", "fastapi"), 0.85),
    ("hybrid with sentry, tracing, metrics / with none, api users/me",
     ("api users/me, observability", "hybrid-observed"),
     ("api users/me, observability", "hybrid"), 0.85),
    ("Django with sentry, tracing, metrics / with none, shop page",
     ("shop page, observability", "django-observed"), ("shop page, observability", "django-asgi"),
     0.85),
]  # fmt: skip


# Connections held: each of these served alone, loaded with HELD_REQUESTS requests at
# HELD_CONCURRENCY; its database's connections are counted during the load (the peak) and after.
HELD = [
    Workload("api users/me", "hybrid", "/api/users/me", "bearer"),
    Workload("health", "django-asgi", "/health"),
]
HELD_REQUESTS = 2000
HELD_CONCURRENCY = 16

Results = dict[tuple[str, str], "Result"]  # (workload, server) -> its figures


@dataclass
class Result:
    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # server CPU time per response
    errors: int = 0


def production_env(kind: str, slug: str, database_url: str, receiver: str) -> dict[str, str]:
    """Production-like settings: what a deployment sets, as the project's README lists them.
    Observed projects send their error reports and spans to `receiver`, sampled as the Kubernetes
    ConfigMap does (BENCH_TRACES_SAMPLER_ARG=1.0 traces every request)."""
    env = clean_env(
        SECRET_KEY=secrets.token_urlsafe(48),  # 64 characters
        DATABASE_URL=database_url,
        ENVIRONMENT="production",
        ACCESS_TOKEN_MINUTES="600",  # noqa: S106 - a lifetime, not a secret; outlives any run
        EMAIL_HOST="127.0.0.1",  # production requires a mail server; no workload sends mail
        # The benchmark's user signs in without following a confirmation link.
        EMAIL_VERIFICATION="optional",
        ACCOUNT_EMAIL_VERIFICATION="optional",
    )
    if kind.endswith("-observed"):
        host = receiver.removeprefix("http://")
        env.update(
            SENTRY_DSN=f"http://benchkey@{host}/1",
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver,
            # The Kubernetes ConfigMap's sampling: a tenth of new traces kept.
            OTEL_TRACES_SAMPLER="parentbased_traceidratio",
            OTEL_TRACES_SAMPLER_ARG=os.environ.get("BENCH_TRACES_SAMPLER_ARG", "0.1"),
        )
    if PROJECTS[kind]["framework"] == "fastapi":
        env["ALLOWED_HOSTS"] = json.dumps(["127.0.0.1"])
    else:
        env.update(DJANGO_SETTINGS_MODULE=f"{slug}.settings.production", ALLOWED_HOSTS="127.0.0.1")
    return env


def create_database(admin_url: str, name: str) -> str:
    """A fresh database on the PostgreSQL server at `admin_url`; its URL."""
    subprocess.run(
        [
            "psql",
            admin_url,
            "-q",
            "-c",
            f"DROP DATABASE IF EXISTS {name}",
            "-c",
            f"CREATE DATABASE {name}",
        ],
        check=True,
        capture_output=True,
    )
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(admin_url)._replace(path=f"/{name}"))


def make_project(kind: str, scratch: Path, database: str, admin_url: str, receiver: str) -> Project:
    """Render a project from this working tree, install, migrate and seed it."""
    slug = f"bench_{kind.replace('-', '_')}"
    path = scratch / f"{kind}-{database}"
    if admin_url:
        database_url = create_database(admin_url, slug)
    else:
        database_url = f"sqlite:///{path / 'bench.sqlite3'}"
    answers: dict[str, object] = {"project_name": slug, "project_slug": slug, "database": database}
    answers.update(PROJECTS[kind])
    project = generate(path, answers, production_env(kind, slug, database_url, receiver))
    if PROJECTS[kind]["framework"] == "fastapi":
        project.run("alembic", "upgrade", "head")
        (path / "bench_minimal.py").write_text(MINIMAL_APP.format(slug=slug), encoding="utf-8")
    else:
        project.run("python", "manage.py", "migrate", "-v0")
        project.run("python", "manage.py", "collectstatic", "--noinput", "-v0")
        project.run("python", "manage.py", "shell", "-c", SEED_DJANGO)
    return project


# A user for the API, and a catalogue for the shop's pages (Django projects only).
SEED_DJANGO = f"""
from decimal import Decimal
from django.apps import apps
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("bench", "bench@example.com", {PASSWORD!r})
Category = apps.get_model("catalog", "Category")
Product = apps.get_model("catalog", "Product")
shelf = Category.objects.create(name="Shelf", slug="shelf")
for n in range({PRODUCTS}):
    Product.objects.create(
        category=shelf, name=f"Product {{n}}", slug=f"product-{{n}}", sku=f"SKU-{{n}}",
        description="A product for the benchmark.", price=Decimal("9.99"), stock=100,
    )
"""


def post(port: int, path: str, body: bytes, content_type: str) -> dict[str, object]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        headers={"Content-Type": content_type, "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback, ours
        answer: dict[str, object] = json.loads(response.read())
    return answer


def sign_in(kind: str, port: int) -> str:
    """An access token for the benchmark's user (FastAPI: registered first, through the API)."""
    framework = PROJECTS[kind]["framework"]
    prefix = "/api" if framework == "hybrid" else ""
    username = "bench"
    if framework == "fastapi":
        username = "bench@example.com"
        account = json.dumps({"email": username, "password": PASSWORD}).encode()
        post(port, "/auth/register", account, "application/json")
    form = urllib.parse.urlencode({"username": username, "password": PASSWORD}).encode()
    tokens = post(port, f"{prefix}/auth/token", form, "application/x-www-form-urlencoded")
    return str(tokens["access_token"])


@contextmanager
def serve(servers: list[Server], projects: dict[str, Project]) -> Iterator[dict[str, Running]]:
    """Start every server on its own free loopback port, all at once."""
    names = [server.name for server in servers]
    ports = dict(zip(names, distinct_ports(len(names)), strict=True))
    processes = {}
    try:
        for server in servers:
            project = projects[server.project]
            port = ports[server.name]
            command = [part.format(port=port, slug=project.slug) for part in server.command]
            command += UVICORN_QUIET if command[0] == "uvicorn" else ["--log-level", "warning"]
            processes[server.name] = subprocess.Popen(
                ["uv", "run", "--no-dev", *command], cwd=project.path, env=project.env
            )
        deadline = time.monotonic() + 120
        for name, port in ports.items():
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if processes[name].poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"{name} did not start") from None
                    time.sleep(0.2)
        if stopped := [name for name, process in processes.items() if process.poll() is not None]:
            raise SystemExit(f"{', '.join(stopped)} stopped after starting")
        yield {
            name: Running(port, descendants(processes[name].pid)) for name, port in ports.items()
        }
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)


def distinct_ports(count: int) -> list[int]:
    """`count` different loopback ports that nothing listens on: bound all at once, so that no
    two servers started together are given the same one."""
    with ExitStack() as bound:
        sockets = [bound.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


@dataclass(frozen=True)
class Running:
    """A started server: its port, and the processes whose CPU time is the server's."""

    port: int
    pids: tuple[int, ...]


def descendants(pid: int) -> tuple[int, ...]:
    """`pid` and every process under it (uv, the server, gunicorn's worker), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, queue = [], [pid]
    while queue:
        found.append(current := queue.pop())
        queue += children.get(current, [])
    return tuple(found)


def cpu_seconds(pids: tuple[int, ...]) -> float:
    """User plus system CPU time these processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


async def load(
    port: int, request: bytes, concurrency: int, seconds: float, limit: int
) -> tuple[int, list[float], int, float]:
    """Clients at `concurrency` send `request` until `seconds` pass or `limit` were sent.

    Returns (responses, latencies in seconds, non-200 count, elapsed seconds). Servers that close
    the connection after a response (gunicorn's sync workers) are reconnected to.
    """
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, sent
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while sent < limit and time.perf_counter() < deadline:
                sent += 1
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (line.partition(b":") for line in head.split(b"\r\n")[1:])
                }
                if b"content-length" in headers:
                    await reader.readexactly(int(headers[b"content-length"]))
                else:  # chunked
                    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                        await reader.readexactly(size + 2)
                    await reader.readuntil(b"\r\n")
                latencies.append(time.perf_counter() - started)
                errors += not head.startswith(b"HTTP/1.1 200")
                if headers.get(b"connection", b"").lower() == b"close":
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return len(latencies), latencies, errors, time.perf_counter() - started


def raw_request(workload: Workload, port: int, token: str) -> bytes:
    # X-Forwarded-Proto: what the TLS-ending proxy of a deployment adds (else Django redirects).
    lines = [f"GET {workload.path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "X-Forwarded-Proto: https"]
    if workload.auth == "bearer":
        lines.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def count_connections(admin_url: str, database: str) -> int:
    """Connections to `database` open on the server at `admin_url` right now."""
    query = f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}'"  # noqa: S608 - ours
    answer = subprocess.run(
        ["psql", admin_url, "-Atc", query], check=True, capture_output=True, text=True
    )
    return int(answer.stdout)


@contextmanager
def peak_connections(admin_url: str, database: str) -> Iterator[list[int]]:
    """Count `database`'s connections every 0.1 s until the block ends; yields [the peak]."""
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            peak[0] = max(peak[0], count_connections(admin_url, database))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()


def held_connections(
    projects: dict[str, Project], admin_url: str, tokens: dict[str, str]
) -> list[tuple[Workload, int, int]]:
    """For each HELD workload, served alone: (workload, peak connections during the load,
    connections still open a second after it)."""
    held = []
    for workload in HELD:
        server = next(s for s in SERVERS if s.name == workload.server)
        database = projects[server.project].slug
        with serve([server], projects) as servers:
            port = servers[server.name].port
            request = raw_request(workload, port, tokens.get(server.project, ""))
            with peak_connections(admin_url, database) as peak:
                done, _, errors, _ = asyncio.run(
                    load(port, request, HELD_CONCURRENCY, 600, HELD_REQUESTS)
                )
            if errors:
                raise SystemExit(f"{workload.server} {workload.path}: {errors} of {done} not 200")
            time.sleep(1)  # a closed connection's server process ends a moment after
            held.append((workload, peak[0], count_connections(admin_url, database)))
    return held


class Receiver(BaseHTTPRequestHandler):
    """Takes whatever a Sentry envelope or an OTLP/HTTP export posts, and answers 200."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the benchmark prints its own figures."""


@contextmanager
def receiving() -> Iterator[str]:
    """A local receiver for the observed projects' exporters; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def bench(
    databases: list[str], admin_url: str, args: argparse.Namespace
) -> tuple[dict[str, Results], list[tuple[Workload, int, int]]]:
    """Set every project up at once, then serve and measure one database at a time."""
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory() as scratch,
        ThreadPoolExecutor(6) as pool,
        receiving() as receiver,
    ):
        # Installing is mostly waiting on uv and subprocesses: every project at once.
        made = {
            (database, kind): pool.submit(
                make_project,
                kind,
                Path(scratch),
                database,
                admin_url if database != "sqlite" else "",
                receiver,
            )
            for database in databases
            for kind in PROJECTS
        }
        all_results = {}
        held: list[tuple[Workload, int, int]] = []
        for database in databases:
            projects = {kind: made[database, kind].result() for kind in PROJECTS}
            print(
                f"{database}: projects ready after {time.monotonic() - started:.0f} s", flush=True
            )
            all_results[database] = results = {(w.name, w.server): Result() for w in WORKLOADS}
            tokens: dict[str, str] = {}
            for _ in range(args.rounds):
                # New server processes every round: two processes of the same app differ by a
                # few percent (where their memory lands, which core they share with the load
                # generator), as much as some overheads measured here. Medians over rounds then
                # average that out instead of keeping one process's luck for the whole run.
                with serve(SERVERS, projects) as servers:
                    measure(servers, results, args, tokens)
            if database == "postgresql":
                held = held_connections(projects, admin_url, tokens)
    return all_results, held


def measure(
    servers: dict[str, Running], results: Results, args: argparse.Namespace, tokens: dict[str, str]
) -> None:
    """One round of every workload; the servers compared on one workload take turns in short
    slices. `tokens` holds the access tokens (signed in on the first round, kept for the rest).

    On a shared machine the load from elsewhere comes and goes within seconds; alternating
    A, B, B, A, ... in slices exposes both sides of a ratio to the same conditions.
    """
    ports = {name: server.port for name, server in servers.items()}
    if not tokens:
        signed_in = ("fastapi", "hybrid", "fastapi-observed", "hybrid-observed")
        tokens.update({kind: sign_in(kind, ports[kind]) for kind in signed_in})
    requests = {
        (w.name, w.server): raw_request(w, ports[w.server], tokens.get(project_of(w.server), ""))
        for w in WORKLOADS
    }
    for key, request in requests.items():  # first requests fill caches and connection pools
        asyncio.run(load(ports[key[1]], request, args.concurrency, args.warmup, 10**6))
    groups: dict[str, list[tuple[str, str]]] = {}
    for w in WORKLOADS:
        groups.setdefault(w.name, []).append((w.name, w.server))
    share = args.seconds / args.slices
    for members in groups.values():
        count = dict.fromkeys(members, 0)
        elapsed = dict.fromkeys(members, 0.0)
        cpu_time = dict.fromkeys(members, 0.0)
        latencies: dict[tuple[str, str], list[float]] = {key: [] for key in members}
        for number in range(args.slices):
            for key in members if number % 2 == 0 else members[::-1]:
                cpu_before = cpu_seconds(servers[key[1]].pids)
                done, times, errors, spent = asyncio.run(
                    load(ports[key[1]], requests[key], args.concurrency, share, args.max_requests)
                )
                cpu_time[key] += cpu_seconds(servers[key[1]].pids) - cpu_before
                count[key] += done
                elapsed[key] += spent
                latencies[key] += times
                results[key].errors += errors
        for key in members:
            results[key].rates.append(count[key] / elapsed[key])
            results[key].p50.append(percentile(latencies[key], 0.50) * 1000)
            results[key].p99.append(percentile(latencies[key], 0.99) * 1000)
            results[key].cpu_ms.append(cpu_time[key] / count[key] * 1000)


def project_of(server: str) -> str:
    return next(s.project for s in SERVERS if s.name == server)


def rate(results: Results, key: tuple[str, str]) -> float:
    return statistics.median(results[key].rates)


def cpu(results: Results, key: tuple[str, str]) -> float:
    return statistics.median(results[key].cpu_ms)


def report(
    all_results: dict[str, Results], held: list[tuple[Workload, int, int]], args: argparse.Namespace
) -> str:
    """The figures and ratios as Markdown (printed, and written with --markdown)."""
    lines = [
        f"Concurrency {args.concurrency}; {args.seconds:g} s per workload in {args.slices} slices; "
        f"{args.rounds} round(s), each with new server processes, medians; one process per "
        f"server; Python "
        f"{sys.version.split()[0]}; {os.cpu_count()} CPUs, shared with the load generator.",
        "",
        "| workload | served by | database | requests/s | p50 ms | p99 ms | server CPU ms/request "
        "| non-200 |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for database, results in all_results.items():
        for workload in WORKLOADS:
            result = results[workload.name, workload.server]
            lines.append(
                f"| `{workload.path}` | {workload.server} | {database} | "
                f"{statistics.median(result.rates):.0f} | {statistics.median(result.p50):.1f} | "
                f"{statistics.median(result.p99):.1f} | {statistics.median(result.cpu_ms):.2f} | "
                f"{result.errors} |"
            )
    heads = [f"{database}: {kind}" for database in all_results for kind in ("req/s", "CPU")]
    lines += ["", "| ratio | " + " | ".join(heads) + " | goal |"]
    lines.append("| --- |" + " ---: |" * len(heads) + " --- |")
    for label, numerator, denominator, goal in RATIOS:
        cells = []
        for results in all_results.values():
            for value in (
                rate(results, numerator) / rate(results, denominator),
                cpu(results, denominator) / cpu(results, numerator),
            ):
                below = goal is not None and value < goal
                cells.append(f"{value:.2f}" + (" (below)" if below else ""))
        goal_text = "" if goal is None else f">= {goal:.2f}"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {goal_text} |")
    lines += [
        "",
        "req/s: throughput ratio. CPU: the inverse ratio of the server's CPU time per response "
        "(what each request costs the server, which other load on the machine disturbs less).",
    ]
    if held:
        pool = os.environ.get("DATABASE_POOL_MAX_SIZE", "its default")
        lines += [
            "",
            f"PostgreSQL connections of one server process over {HELD_REQUESTS:,} requests at "
            f"concurrency {HELD_CONCURRENCY} (DATABASE_POOL_MAX_SIZE: {pool}):",
            "",
            "| workload | served by | peak during | open after |",
            "| --- | --- | ---: | ---: |",
        ]
        lines += [
            f"| `{workload.path}` | {workload.server} | {peak} | {after} |"
            for workload, peak, after in held
        ]
    return "\n".join(lines) + "\n"


@contextmanager
def postgresql() -> Iterator[str]:
    """The server in PG_TEST_URL, or a throwaway one from .ci/pg for the length of the run."""
    if os.environ.get("PG_TEST_URL"):
        yield os.environ["PG_TEST_URL"]
        return
    started = subprocess.run(
        ["bash", str(REPO_ROOT / ".ci" / "pg"), "start"], check=True, capture_output=True, text=True
    ).stdout
    exports = dict(line.removeprefix("export ").split("=", 1) for line in started.splitlines())
    try:
        yield exports["PG_TEST_URL"]
    finally:
        subprocess.run(
            ["bash", str(REPO_ROOT / ".ci" / "pg"), "stop", exports["PG_TEST_DATA"]], check=False
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="SQLite only, two short rounds (about 2 minutes)"
    )
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], help="default both; quick sqlite"
    )
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--seconds", type=float, help="per workload and round (default 4; quick 1.5)"
    )
    parser.add_argument("--rounds", type=int, help="default 5; quick 2")
    parser.add_argument(
        "--slices", type=int, help="turns per workload and round (default 10; quick 4)"
    )
    parser.add_argument("--max-requests", type=int, default=100_000, help="per workload and round")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    # Quick: PostgreSQL would add a server and three more projects to install, and its
    # workloads; the full run measures both. Two rounds, so a ratio is not one sample.
    args.database = args.database or ("sqlite" if args.quick else "both")
    args.seconds = args.seconds or (1.5 if args.quick else 4.0)
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.slices = args.slices or (4 if args.quick else 10)
    args.warmup = 0.3 if args.quick else 1.0

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    started = time.monotonic()
    with postgresql() if "postgresql" in databases else nullcontext("") as admin_url:
        all_results, held = bench(databases, admin_url, args)
    text = report(all_results, held, args)
    print(text)
    print(f"finished in {time.monotonic() - started:.0f} s")
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
