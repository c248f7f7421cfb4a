"""FastAPI-side use cases in the hybrid's API (Django ORM, Django users).

What a hybrid project with them holds; that it passes its own checks, has its migrations, is
clean for deployment, and boots answering its probes, metrics, request ids and versioned routes.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from projects import RowProject, on_rows, row_named
from support import (
    Response,
    copy_project,
    dependency_names,
    free_port,
    get,
    installed_apps,
    production_env,
    serve,
    uvicorn_command,
)
from usecases import FASTAPI_SIDE, KEYS

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

SLUG = "bar_probe"
MICROSERVICES_FILES = [
    f"{SLUG}/api/routers/ops.py",
    f"{SLUG}/api/readiness.py",
    "tests/test_api_ops.py",
]
REALTIME_FILES = [
    f"{SLUG}/realtime.py",
    f"{SLUG}/api/routers/rooms.py",
    f"{SLUG}/api/room_members.py",
    "tests/test_api_rooms.py",
    "tests/test_rooms_across_processes.py",
]
ML_FILES = [
    f"{SLUG}/ml/model.py",
    f"{SLUG}/ml/__main__.py",
    f"{SLUG}/api/routers/predictions.py",
    f"{SLUG}/api/prediction_log.py",
    f"{SLUG}/predictions/models.py",
    f"{SLUG}/predictions/admin.py",
    f"{SLUG}/predictions/migrations/0001_initial.py",
    f"{SLUG}/job_quota.py",  # batch scoring jobs: background jobs are on by default with ml-api
    "tests/test_api_predictions.py",
]
MOBILE_FILES = [
    f"{SLUG}/pagination.py",
    f"{SLUG}/api/refresh_tokens.py",
    f"{SLUG}/api/routers/devices.py",
    f"{SLUG}/api/device_store.py",
    f"{SLUG}/mobile/models.py",
    f"{SLUG}/mobile/admin.py",
    f"{SLUG}/mobile/migrations/0001_initial.py",
    "tests/test_api_mobile.py",
]
# Each alone, and all together beside every Django-side use case (their API routers share the app).
COMBINATIONS = {**{name: [name] for name in FASTAPI_SIDE}, "everything": KEYS}


@pytest.mark.parametrize("combination", list(COMBINATIONS))
def test_selected_use_cases_are_wired_into_the_api(tmp_path: Path, combination: str) -> None:
    selected = COMBINATIONS[combination]
    project = copy_project(tmp_path / "p", framework="hybrid", use_cases=selected)
    readme = (project / "README.md").read_text()
    microservices = "microservices" in selected
    realtime, ml = "real-time" in selected, "ml-api" in selected
    mobile = "mobile-backend" in selected
    for path in MOBILE_FILES:
        assert (project / path).is_file() == mobile, path
    assert (f"{SLUG}.mobile" in installed_apps(project)) == mobile
    assert ("## Mobile backend" in readme) == mobile
    assert ("`POST /api/v1/devices`" in readme) == mobile
    # With the mobile backend the API's routes are versioned; the probes stay at /api.
    api = "/api/v1" if mobile else "/api"
    assert f"`POST {api}/auth/token`" in readme
    assert "`GET /api/health`" in readme
    if realtime:
        assert f"ws://127.0.0.1:8000{api}/rooms/" in readme
    # Starlette's TestClient (on httpx2) is for the WebSocket tests; the others use httpx.
    assert ("httpx2" in dependency_names(project, "dev")) == realtime
    for path in MICROSERVICES_FILES:
        assert (project / path).is_file() == microservices, path
    for path in REALTIME_FILES:
        assert (project / path).is_file() == realtime, path
    for path in ML_FILES:
        assert (project / path).is_file() == ml, path
    assert ({"scikit-learn", "skops"} <= dependency_names(project)) == ml
    assert ("## Model serving (ML API)" in readme) == ml
    # With microservices, ops.py replaces the database-checking health router.
    assert (project / SLUG / "api" / "routers" / "health.py").exists() != microservices
    assert not {"sqlalchemy", "alembic"} & dependency_names(project)
    assert ("## Running as a microservice" in readme) == microservices
    assert ("`/api/ready`" in readme) == microservices
    assert ("## Real-time rooms (WebSockets)" in readme) == realtime


def test_hybrid_without_use_cases_has_none_of_them(tmp_path: Path) -> None:
    # Without metrics too: then nothing pulls in prometheus-client.
    project = copy_project(tmp_path / "p", framework="hybrid", observability=[])
    assert (project / SLUG / "api" / "routers" / "health.py").is_file()
    everything = MICROSERVICES_FILES + REALTIME_FILES + ML_FILES + MOBILE_FILES
    assert not [path for path in everything if (project / path).exists()]
    assert "prometheus-client" not in dependency_names(project)
    assert "httpx2" not in dependency_names(project, "dev")
    assert "/api/v1" not in (project / "README.md").read_text()


def metric_routes(metrics: str) -> set[str]:
    """The `route` label of every request counter."""
    counted = re.findall(r"^http_requests_total\{([^}]*)\} \S+$", metrics, re.MULTILINE)
    return {dict(re.findall(r'(\w+)="([^"]*)"', labels))["route"] for labels in counted}


@on_rows(*(row_named("hybrid", selected) for selected in COMBINATIONS.values()))
def test_hybrid_use_cases_pass_their_checks_and_serve(row: RowProject) -> None:
    check_and_serve(row)


@on_rows(row_named("hybrid", COMBINATIONS["everything"], "postgresql"))
def test_hybrid_use_cases_pass_their_checks_and_serve_on_postgresql(row: RowProject) -> None:
    check_and_serve(row)


def post(
    url: str, headers: dict[str, str], body: dict[str, str], *, form: bool = False
) -> Response:
    """POST `body` as JSON (or as a form); HTTP errors are responses too."""
    data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
    kind = "application/x-www-form-urlencoded" if form else "application/json"
    request = urllib.request.Request(  # noqa: S310 (loopback only)
        url, data=data, headers={**headers, "Content-Type": kind}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 (loopback only)
            return Response(reply.status, reply.read(), dict(reply.headers))
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read(), dict(error.headers))


# What following the link of the sign-up email does (the project's own tests follow it).
CONFIRM_ADDRESSES = (
    "from allauth.account.models import EmailAddress\nEmailAddress.objects.update(verified=True)\n"
)


def mobile_round_trip(api: str, project: RowProject) -> None:
    """Over real HTTP: sign up and in, rotate, detect a replay, register and list a device."""
    credentials = {"username": "ada", "password": "correct-horse-battery-staple"}
    signed_up = post(f"{api}/auth/register", {}, {**credentials, "email": "ada@example.com"})
    assert signed_up.status == 202, signed_up.body  # "check your email"
    unconfirmed = post(f"{api}/auth/token", {}, credentials, form=True)
    assert unconfirmed.status == 403, unconfirmed.body
    project.manage("shell", "-c", CONFIRM_ADDRESSES)
    signed_in = post(f"{api}/auth/token", {}, credentials, form=True)
    assert signed_in.status == 200, signed_in.body
    first = {"refresh_token": json.loads(signed_in.body)["refresh_token"]}
    rotated = post(f"{api}/auth/refresh", {}, first)
    assert rotated.status == 200, rotated.body
    tokens = json.loads(rotated.body)
    assert post(f"{api}/auth/refresh", {}, first).status == 401  # a replay revokes the sign-in
    successor = {"refresh_token": tokens["refresh_token"]}
    assert post(f"{api}/auth/refresh", {}, successor).status == 401
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}  # access tokens live on
    phone = {"push_token": "apns-1", "platform": "ios"}
    assert post(f"{api}/devices", bearer, phone).status == 201
    assert post(f"{api}/devices", bearer, phone).status == 200  # registered again: the same one
    listed = get(f"{api}/devices?limit=1", bearer)
    assert listed.status == 200, listed.body
    page = json.loads(listed.body)
    assert [item["push_token"] for item in page["items"]] == ["apns-1"]
    assert page["next_cursor"] is None
    assert get(f"{api}/devices", {}).status == 401


def check_and_serve(project: RowProject) -> None:
    """The project's checks, migrations, deploy check, then a boot answering what it added."""
    path, selected = project.path, list(project.combination.use_cases)
    project.own_checks()
    assert "No changes detected" in project.manage("makemigrations", "--check", "--dry-run")
    deploy = project.manage("check", "--deploy", "--fail-level", "WARNING", **production_env(SLUG))
    assert "no issues" in deploy
    project.manage("migrate", "--noinput")
    port = free_port()
    with serve(project.path, uvicorn_command(SLUG, port), project.env, port) as base:
        health = get(f"{base}/api/health", {"X-Request-ID": "boot-check"})
        assert health.status == 200, health.body
        # The API's routes are versioned with the mobile backend; probes stay at /api.
        api = "/api/v1" if "mobile-backend" in selected else "/api"
        if "mobile-backend" in selected:
            mobile_round_trip(f"{base}{api}", project)
        if "real-time" in selected:
            assert get(f"{base}{api}/rooms", {}).status == 401  # listing rooms needs a user
            schema = json.loads(get(f"{base}/api/openapi.json", {}).body)
            assert f"{api}/rooms" in schema["paths"]
        if "ml-api" in selected:  # trained at startup: no artifact existed
            model = get(f"{base}{api}/model", {})
            assert model.status == 200, model.body
            assert json.loads(model.body)["version"] == 1
        if "microservices" not in selected:
            return
        assert json.loads(health.body) == {"status": "ok"}
        assert health.headers["x-request-id"] == "boot-check"
        ready = get(f"{base}/api/ready", {})
        assert ready.status == 200, ready.body
        checks = {
            "database": "ok",
            **({"model": "ok"} if "ml-api" in selected else {}),
            **({"rooms": "ok"} if "real-time" in selected else {}),
        }
        assert json.loads(ready.body) == {"status": "ok", "checks": checks}
        site = get(f"{base}/admin/login/", {})
        assert site.status == 302  # to the site's log-in page, which has two-factor
        assert site.headers["location"].startswith("/accounts/login/"), site.headers
        assert re.fullmatch(r"[0-9a-f]{32}", site.headers["x-request-id"])
        metrics = get(f"{base}/api/metrics", {})
        assert metrics.status == 200
        routes = metric_routes(metrics.body.decode())
        assert {"/api/health", "/api/ready", "/admin/login/"} <= routes, routes
    # One JSON object per line, each request with its id, and the shutdown after SIGTERM.
    lines = [json.loads(line) for line in (path / f"server-{port}.log").read_text().splitlines()]
    requests = [line for line in lines if line["message"] == "request"]
    assert {"request_id": "boot-check", "route": "/api/health", "status": 200}.items() <= next(
        line for line in requests if line["request_id"] == "boot-check"
    ).items()
    assert "shutting down: in-flight requests are done" in [line["message"] for line in lines]
