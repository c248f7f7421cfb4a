"""Background jobs on one Celery worker process: latency, throughput, and what they save a request.

Run: uv run python benchmarks/jobs_bench.py [--tasks N] [--jobs N] [--orders N]

Generates a hybrid project (e-commerce + ml-api) twice, with background jobs on and off, on
SQLite, and starts a throwaway redis-server (Debian's) and one worker (`--concurrency 1`).
- enqueue-to-done latency (p50/p95, tasks sent one at a time) and throughput (a burst) of a
  near-trivial task (clearsessions on an empty table) and of a 100-row batch scoring job;
- the checkout request (Django's test client, the real view and database) with the order
  confirmation queued (jobs on) against sent in the request over SMTP (jobs off) to a mail
  server on loopback that answers at once: a lower bound, real mail servers answer slower.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import copier
from copier.errors import DirtyLocalWarning

REPO_ROOT = Path(__file__).resolve().parents[1]
SLUG = "bench_probe"

# Runs inside the generated project's environment; prints one JSON object.
DRIVER = r"""
import json, os, socketserver, statistics, sys, threading, time
from decimal import Decimal

import django

django.setup()
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench_probe.accounts.models import User
from bench_probe.catalog.models import Category, Product

mode, count = sys.argv[1], int(sys.argv[2])
result = {}


def percentiles(samples):
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1),
        "n": len(ordered),
    }


def wait(done, timeout=120):
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.002)


class Sink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class Session(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        while line := self.rfile.readline():
            if line[:4].upper() == b"DATA":
                self.wfile.write(b"354 go\r\n")
                while self.rfile.readline() not in {b".\r\n", b""}:
                    pass
                self.wfile.write(b"250 ok\r\n")
            elif line[:4].upper() == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


sink = Sink(("127.0.0.1", int(os.environ["EMAIL_PORT"])), Session)
threading.Thread(target=sink.serve_forever, daemon=True).start()

if mode == "orders":
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(os.environ["EMAIL_PORT"])
    settings.EMAIL_USE_TLS = False
    settings.ALLOWED_HOSTS = ["testserver"]
    user = User.objects.create_user("buyer", "buyer@example.com", "pw")
    books = Category.objects.create(name="Books", slug="books")
    novel = Product.objects.create(
        category=books, name="Novel", slug="novel", sku="N", price=Decimal("9.99"), stock=10**6
    )
    client = Client()
    client.force_login(user)
    timings = []
    for _ in range(count + 5):
        client.post(reverse("cart:add", args=[novel.pk]), {"quantity": 1})
        started = time.perf_counter()
        response = client.post(reverse("orders:checkout"))
        timings.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    result["checkout"] = percentiles(timings[5:])  # the first few warm caches up
else:
    from celery import Celery

    from bench_probe.ml.model import train
    from bench_probe.predictions.models import JobStatus, PredictionJob
    from bench_probe.predictions.tasks import score_prediction_job

    log = os.environ["WORKER_LOG"]
    broker = Celery(broker=os.environ["REDIS_URL"])
    task = "bench_probe.accounts.tasks.clear_expired_sessions"

    def succeeded(ids):
        text = open(log).read()
        return all(f"[{task_id}] succeeded" in text for task_id in ids)

    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        sent = broker.send_task(task, queue=os.environ["CELERY_QUEUE"])
        wait(lambda: succeeded([sent.id]))
        latencies.append(time.perf_counter() - started)
    result["trivial_latency"] = percentiles(latencies)
    started = time.perf_counter()
    ids = [broker.send_task(task, queue=os.environ["CELERY_QUEUE"]).id for _ in range(count * 4)]
    wait(lambda: succeeded(ids))
    result["trivial_throughput_per_s"] = round(len(ids) / (time.perf_counter() - started), 1)

    train(settings.MODEL_DIR)
    owner = User.objects.create_user("scorer", "", "pw")
    rows = [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.8, 2.2]] * 50

    def finished(job_ids):
        done = PredictionJob.objects.filter(pk__in=job_ids, status=JobStatus.DONE).count()
        return done == len(job_ids)

    latencies = []
    for _ in range(max(count // 2, 5)):
        job = PredictionJob.objects.create(owner=owner, rows=rows)
        started = time.perf_counter()
        score_prediction_job.delay(job.pk)
        wait(lambda: finished([job.pk]))
        latencies.append(time.perf_counter() - started)
    result["batch_latency"] = percentiles(latencies)
    jobs = [PredictionJob.objects.create(owner=owner, rows=rows) for _ in range(count)]
    started = time.perf_counter()
    for job in jobs:
        score_prediction_job.delay(job.pk)
    wait(lambda: finished([job.pk for job in jobs]))
    result["batch_throughput_jobs_per_s"] = round(len(jobs) / (time.perf_counter() - started), 1)

print(json.dumps(result))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_project(dest: Path, *, jobs: bool, env: dict[str, str]) -> Path:
    """Render a hybrid e-commerce + ml-api project from this working tree, install and migrate."""
    warnings.filterwarnings("ignore", category=DirtyLocalWarning)  # uncommitted work is wanted
    copier.run_copy(
        str(REPO_ROOT),
        dest,
        data={
            "project_name": "Bench Probe",
            "framework": "hybrid",
            "use_cases": ["e-commerce", "ml-api"],
            "background_jobs": jobs,
        },
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    subprocess.run(["uv", "sync", "--quiet"], cwd=dest, env=env, check=True)
    migrate = ["uv", "run", "python", "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=dest, env=env, check=True)
    (dest / "driver.py").write_text(DRIVER)
    return dest


@contextmanager
def process(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("wb") as output:
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            yield
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def wait_for(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.1)


def drive(project: Path, env: dict[str, str], mode: str, count: int) -> dict[str, object]:
    command = ["uv", "run", "python", "driver.py", mode, str(count)]
    done = subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=100, help="tasks sent one at a time")
    parser.add_argument("--orders", type=int, default=100, help="checkouts per variant")
    counts = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="jobs-bench-"))
    redis_port, mail_port = free_port(), free_port()
    base = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    for name in ("DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL"):
        base.pop(name, None)
    base.update(
        UV_NO_PROGRESS="1",
        DJANGO_SETTINGS_MODULE=f"{SLUG}.settings.local",
        CELERY_QUEUE="bench",
        EMAIL_PORT=str(mail_port),
        MODEL_DIR=str(scratch / "artifacts"),
    )
    redis_server = shutil.which("redis-server") or "redis-server"
    redis = [redis_server, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
    with process(redis, scratch, base, scratch / "redis.log"):
        with_jobs = {**base, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
        with_jobs["DATABASE_URL"] = f"sqlite:///{scratch / 'on.sqlite3'}"
        on = make_project(scratch / "on", jobs=True, env=with_jobs)
        without = {**base, "DATABASE_URL": f"sqlite:///{scratch / 'off.sqlite3'}"}
        off = make_project(scratch / "off", jobs=False, env=without)

        worker_log = scratch / "worker.log"
        worker = ["uv", "run", "celery", "-A", SLUG, "worker", "--concurrency", "1"]
        worker += ["--loglevel", "INFO", "--without-mingle", "--without-gossip"]
        worker_env = {**with_jobs, "EMAIL_HOST": "127.0.0.1", "EMAIL_USE_TLS": "false"}
        # Checkouts first, with no worker running: the request's own cost, not the worker's
        # competition for the CPU and SQLite's one write lock (it sends the queued mail later).
        queued = drive(on, with_jobs, "orders", counts.orders)
        in_request = drive(off, without, "orders", counts.orders)
        with process(worker, on, worker_env, worker_log):
            wait_for(lambda: " ready." in worker_log.read_text(), "the worker")
            jobs = drive(on, {**with_jobs, "WORKER_LOG": str(worker_log)}, "jobs", counts.tasks)

    print(f"trivial task, enqueue to done: {jobs['trivial_latency']}")
    print(f"trivial task throughput: {jobs['trivial_throughput_per_s']}/s")
    print(f"100-row batch scoring job, enqueue to done: {jobs['batch_latency']}")
    print(f"batch scoring throughput: {jobs['batch_throughput_jobs_per_s']} jobs/s")
    print(f"checkout, confirmation queued (jobs on): {queued['checkout']}")
    print(f"checkout, confirmation sent in the request (jobs off): {in_request['checkout']}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
