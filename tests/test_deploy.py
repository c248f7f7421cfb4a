"""The deployment files: linted for every framework, and built and run for real where Docker is.

Lint needs only the dev group (hadolint, kubernetes-validate, check-jsonschema). Tests marked
`docker` need a Docker daemon and Debian's `docker-compose`; `.ci/run` provides both and sets
WEBSCAFFOLD_REQUIRE_DOCKER=1, which turns their skip into a failure. Locally:
    eval "$(bash .ci/docker start)"
    WEBSCAFFOLD_REQUIRE_DOCKER=1 uv run pytest -m docker tests/test_deploy.py
    bash .ci/docker stop "$WEBSCAFFOLD_DOCKER_DIR"
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from ipaddress import ip_network
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from support import copy_project, free_port, get, http_get, project_env, run, stylesheets

# Every test here renders the whole template (or builds on a matrix row): the full suite's, not
# the quick loop's.
pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# Debian's client: BuildKit built in (a separately installed `docker` may lack buildx).
DOCKER = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
APP_UID = 10001
# What the Dockerfile's collectstatic step uses; it must never reach the runtime image.
BUILD_ONLY_KEY = b"collectstatic-build-only-placeholder-key"

# Every framework and the options that change the deployment files, each on some variant.
VARIANTS: dict[str, dict[str, Any]] = {
    "fastapi-sqlite": {"framework": "fastapi", "database": "sqlite"},
    "fastapi-postgresql-k8s": {
        "framework": "fastapi",
        "use_cases": ["ml-api", "microservices"],
        "database": "postgresql",
        "kubernetes": True,
    },
    "django-sqlite": {"framework": "django", "database": "sqlite"},
    "django-postgresql-k8s": {
        "framework": "django",
        "use_cases": ["cms"],
        "database": "postgresql",
        "kubernetes": True,
    },
    # Uploads in S3: no pod keeps them (CMS images and documents, product images, attachments).
    "hybrid-postgresql-k8s": {
        "framework": "hybrid",
        "use_cases": ["e-commerce", "cms", "microservices", "mobile-backend"],
        "database": "postgresql",
        "kubernetes": True,
        "media_storage": "s3",
        "observability": ["sentry", "tracing", "metrics"],
    },
    # Redis without background jobs: real-time rooms broadcast through it across processes.
    "fastapi-realtime-postgresql-k8s": {
        "framework": "fastapi",
        "use_cases": ["real-time"],
        "background_jobs": False,
        "database": "postgresql",
        "kubernetes": True,
    },
}
K8S_VARIANTS = [name for name, answers in VARIANTS.items() if answers.get("kubernetes")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every variant, rendered once for the module."""
    root = tmp_path_factory.mktemp("deploy")
    return {name: copy_project(root / name, **answers) for name, answers in VARIANTS.items()}


def tool(name: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a validator from our own environment's bin folder."""
    return subprocess.run(
        [str(BIN / name), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


# ── Lint: every framework's files ────────────────────────────────────────────


@pytest.mark.parametrize("variant", VARIANTS)
def test_dockerfile_is_hadolint_clean(rendered: dict[str, Path], variant: str) -> None:
    result = tool("hadolint", "--failure-threshold", "style", rendered[variant] / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not result.stdout.strip(), result.stdout


@pytest.mark.parametrize("variant", VARIANTS)
def test_dockerfile_follows_uvs_pattern(rendered: dict[str, Path], variant: str) -> None:
    dockerfile = (rendered[variant] / "Dockerfile").read_text()
    assert "# syntax=" not in dockerfile  # resolving a frontend needs a registry
    stages = re.findall(r"^FROM (\S+)(?: AS (\w+))?", dockerfile, flags=re.MULTILINE)
    builder_stage, runtime_stage = ("${PYTHON_IMAGE}", "builder"), ("${PYTHON_IMAGE}", "runtime")
    assert stages == [("${UV_IMAGE}", "uv"), builder_stage, runtime_stage]
    builder, runtime = dockerfile.split("AS runtime")
    deps = builder.index("uv sync --locked --no-dev --no-install-project")
    assert "--mount=type=cache,target=/root/.cache/uv" in builder[:deps]
    assert deps < builder.index("COPY . /app") < builder.index("uv sync --locked --no-dev \\\n")
    assert "uv" not in re.findall(r"COPY --from=(\w+)", runtime)  # no uv in the final image
    assert re.search(r"^USER \d+:\d+$", runtime, flags=re.MULTILINE)
    assert re.search(r'^CMD \["uvicorn"', runtime, flags=re.MULTILINE)  # exec form
    assert re.search(r'HEALTHCHECK .*\n\s+CMD \["python"', runtime)
    assert ("collectstatic" in builder) == (VARIANTS[variant]["framework"] != "fastapi")
    assert "SECRET_KEY" not in runtime


@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_matches_the_compose_spec(rendered: dict[str, Path], variant: str) -> None:
    compose = rendered[variant] / "compose.yaml"
    result = tool("check-jsonschema", "--builtin-schema", "vendor.compose-spec", compose)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "variant", [name for name in VARIANTS if "realtime" in name or "hybrid" in name]
)
def test_compose_runs_redis_with_a_password(rendered: dict[str, Path], variant: str) -> None:
    """A Redis without a password serves anyone on its network: compose requires REDIS_PASSWORD,
    gives it to Redis and puts it in the app's REDIS_URL; the Kubernetes secret's example has
    one."""
    project = rendered[variant]
    stack = yaml.safe_load((project / "compose.yaml").read_text())
    command = stack["services"]["redis"]["command"]
    assert command[:2] == ["redis-server", "--requirepass"]
    assert command[2].startswith("${REDIS_PASSWORD:?")
    assert stack["x-app"]["environment"]["REDIS_URL"] == "redis://:${REDIS_PASSWORD}@redis:6379/0"
    assert "REDIS_PASSWORD=" in (project / ".env.example").read_text()
    assert "REDIS_URL=redis://:PASSWORD@HOST:6379/0" in (project / "README.md").read_text()


@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_sends_email_to_its_mailpit(rendered: dict[str, Path], variant: str) -> None:
    """The stack's app and worker send to Mailpit (pinned) until .env names a mail server; its
    web page is published on this machine only."""
    stack = yaml.safe_load((rendered[variant] / "compose.yaml").read_text())
    mailpit = stack["services"]["mailpit"]
    assert re.fullmatch(r"\$\{MAILPIT_IMAGE:-axllent/mailpit:v\d+\.\d+\.\d+\}", mailpit["image"])
    assert mailpit["ports"] == ["127.0.0.1:${MAILPIT_PORT:-8025}:8025"]
    environment = stack["x-app"]["environment"]
    assert environment["EMAIL_HOST"] == "${EMAIL_HOST:-mailpit}"
    assert environment["EMAIL_PORT"] == "${EMAIL_PORT:-1025}"
    assert environment["EMAIL_USE_TLS"] == "${EMAIL_USE_TLS:-false}"
    assert "http://127.0.0.1:8025" in (rendered[variant] / "README.md").read_text()


@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_runs_migrations_once_before_the_app(
    rendered: dict[str, Path], variant: str
) -> None:
    services = yaml.safe_load((rendered[variant] / "compose.yaml").read_text())["services"]
    expected = {"migrate": {"condition": "service_completed_successfully"}}
    if "redis" in services:  # jobs are queued and rooms subscribe from the first request on
        expected["redis"] = {"condition": "service_healthy"}
    assert services["app"]["depends_on"] == expected
    assert services["migrate"]["restart"] == "no"
    assert "command" not in services["app"]  # the image's server command, no migrate step
    for service in ("app", "migrate"):
        assert not [v for v in services[service].get("volumes", []) if v.startswith((".", "/"))]
        assert services[service]["read_only"] is True
    postgresql = VARIANTS[variant]["database"] == "postgresql"
    assert ("db" in services) == postgresql
    if postgresql:
        assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
        assert "healthcheck" in services["db"]


def image_command(project: Path) -> list[str]:
    """The Dockerfile's CMD (exec form), continuation lines joined."""
    dockerfile = (project / "Dockerfile").read_text().replace("\\\n", "")
    (cmd,) = re.findall(r"^CMD (.*)$", dockerfile, flags=re.MULTILINE)
    command: list[str] = json.loads(cmd)
    return command


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_deployed_server_bounds_request_headers(
    rendered: dict[str, Path], variant: str
) -> None:
    """uvicorn's httptools parser buffers headers of any size (a 64 MB one blocked the event loop
    for seconds): the image parses with h11, bounded to 16 KiB, through the project's protocol that
    also bounds how long a request may take to arrive; compose and Kubernetes run the image's
    command unchanged."""
    command = image_command(rendered[variant])
    slug = command[1].partition(".")[0]
    assert command[command.index("--http") + 1] == f"{slug}.slow_clients:DeadlineH11Protocol"
    assert command[command.index("--h11-max-incomplete-event-size") + 1] == "16384"
    services = yaml.safe_load((rendered[variant] / "compose.yaml").read_text())["services"]
    assert not {"command", "entrypoint"} & set(services["app"])
    if VARIANTS[variant].get("kubernetes"):
        for document in k8s_documents(rendered[variant]):
            if document["kind"] == "Deployment" and document["metadata"]["name"].endswith("-web"):
                (container,) = document["spec"]["template"]["spec"]["containers"]
                assert not {"command", "args"} & set(container)


def k8s_documents(project: Path) -> list[dict[str, Any]]:
    """Every manifest the kustomization lists, parsed, after checking that it lists them all."""
    base = project / "deploy" / "k8s"
    kustomization = yaml.safe_load((base / "kustomization.yaml").read_text())
    files = {path.name for path in base.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    return [yaml.safe_load((base / name).read_text()) for name in kustomization["resources"]]


@pytest.mark.parametrize("variant", K8S_VARIANTS)
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_kubernetes_manifests_validate_strictly(
    rendered: dict[str, Path], variant: str, version: str
) -> None:
    base = rendered[variant] / "deploy" / "k8s"
    resources = [
        base / name
        for name in yaml.safe_load((base / "kustomization.yaml").read_text())["resources"]
    ]
    result = tool("kubernetes-validate", "--strict", "--kubernetes-version", version, *resources)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variant", K8S_VARIANTS)
def test_observability_reaches_the_deploy_files(rendered: dict[str, Path], variant: str) -> None:
    """Pods are scraped at their /metrics; with tracing, the ConfigMap names the collector and
    compose runs a trace viewer only behind its own profile (the default stack is unchanged)."""
    project = rendered[variant]
    tracing = "tracing" in VARIANTS[variant].get("observability", ["metrics"])
    documents = k8s_documents(project)
    (web,) = [
        document
        for document in documents
        if document["kind"] == "Deployment" and document["metadata"]["name"].endswith("-web")
    ]
    annotations = web["spec"]["template"]["metadata"]["annotations"]
    metrics = "/api/metrics" if VARIANTS[variant]["framework"] == "hybrid" else "/metrics"
    assert annotations == {
        "prometheus.io/scrape": "true",
        "prometheus.io/path": metrics,
        "prometheus.io/port": "8000",
    }
    (config,) = [document["data"] for document in documents if document["kind"] == "ConfigMap"]
    assert ("OTEL_EXPORTER_OTLP_ENDPOINT" in config) == tracing
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    profiled = {
        name: service["profiles"] for name, service in services.items() if "profiles" in service
    }
    assert profiled == ({"jaeger": ["tracing"]} if tracing else {})


@pytest.mark.parametrize("variant", K8S_VARIANTS)
def test_kubernetes_pods_are_locked_down(rendered: dict[str, Path], variant: str) -> None:
    documents = k8s_documents(rendered[variant])
    kinds = {document["kind"] for document in documents}
    assert "Secret" not in kinds  # referenced, never committed
    pods = {
        document["metadata"]["name"]: document["spec"]["template"]["spec"]
        for document in documents
        if document["kind"] in {"Deployment", "Job"}
    }
    (job,) = (
        document["spec"]["template"]["spec"] for document in documents if document["kind"] == "Job"
    )
    (web,) = (
        document["spec"]["template"]["spec"]
        for document in documents
        if document["kind"] == "Deployment" and not document["metadata"]["name"].endswith("-worker")
    )
    for pod in pods.values():  # the app, the migration Job and, with background jobs, the worker
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == APP_UID
        (container,) = pod["containers"]
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]  # noqa: S108 (in the pod)
        assert [ref for ref in container["envFrom"] if "secretRef" in ref]
        assert container["resources"]["requests"]
    (container,) = web["containers"]
    uses = VARIANTS[variant].get("use_cases", [])
    ready = ("/api" if VARIANTS[variant]["framework"] == "hybrid" else "") + "/ready"
    assert container["readinessProbe"]["httpGet"]["path"] == (
        ready if "microservices" in uses else "/health"
    )
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert "command" not in container  # the image's server; the Job migrates
    assert job["containers"][0]["command"][-2:] in (["migrate", "--noinput"], ["upgrade", "head"])


@pytest.mark.parametrize("variant", K8S_VARIANTS)
def test_kubernetes_keeps_uploads_where_every_pod_sees_them(
    rendered: dict[str, Path], variant: str
) -> None:
    """With media_storage=s3 no pod keeps uploads on a volume of its own (an emptyDir is lost on
    restart and unseen by the other pods): the ConfigMap names the bucket, the Secret holds the
    credentials. Without it, uploads go to MEDIA_ROOT on the writable volume."""
    documents = k8s_documents(rendered[variant])
    (config,) = (document["data"] for document in documents if document["kind"] == "ConfigMap")
    pods = [
        document["spec"]["template"]["spec"]
        for document in documents
        if document["kind"] in {"Deployment", "Job"}
    ]
    volumes = [volume for pod in pods for volume in pod["volumes"]]
    empty_dirs = {volume["name"] for volume in volumes if "emptyDir" in volume}
    if VARIANTS[variant].get("media_storage") == "s3":
        assert "MEDIA_ROOT" not in config
        assert config["MEDIA_S3_BUCKET"]
        assert "AWS_SECRET_ACCESS_KEY" not in config  # a secret: in the Secret
        readme = (rendered[variant] / "README.md").read_text()
        assert "--from-literal=AWS_SECRET_ACCESS_KEY=" in readme
        # Only /tmp: PostgreSQL keeps the data, the bucket the uploads.
        assert empty_dirs == {"tmp"}
    elif "cms" in VARIANTS[variant].get("use_cases", []):
        assert PurePosixPath(config["MEDIA_ROOT"]).is_relative_to("/data")
        assert "data" in empty_dirs


@pytest.mark.parametrize(
    "variant", [name for name in K8S_VARIANTS if "ml-api" in VARIANTS[name].get("use_cases", [])]
)
def test_kubernetes_workers_can_get_a_model_of_their_own(
    rendered: dict[str, Path], variant: str
) -> None:
    """A worker pod starts with an empty volume and loads or trains the model there (its own
    tests run a job on a worker whose model folder was empty): MODEL_DIR must reach it, on a
    writable volume of its own, as on the web pods."""
    documents = k8s_documents(rendered[variant])
    (config,) = (document for document in documents if document["kind"] == "ConfigMap")
    model_dir = PurePosixPath(config["data"]["MODEL_DIR"])
    deployments = {
        document["metadata"]["name"].rsplit("-", 1)[1]: document["spec"]["template"]["spec"]
        for document in documents
        if document["kind"] == "Deployment"
    }
    assert set(deployments) == {"web", "worker"}
    for pod in deployments.values():
        (container,) = pod["containers"]
        assert {"configMapRef": {"name": config["metadata"]["name"]}} in container["envFrom"]
        mounts = [PurePosixPath(mount["mountPath"]) for mount in container["volumeMounts"]]
        assert any(model_dir.is_relative_to(mount) for mount in mounts), mounts


@pytest.mark.parametrize("variant", VARIANTS)
def test_deployments_trust_only_the_proxy_in_front(rendered: dict[str, Path], variant: str) -> None:
    """Sign-in throttling counts by client address, which X-Forwarded-For gives only from a
    trusted proxy: compose trusts none unless told, Kubernetes its pod network, never `*`."""
    services = yaml.safe_load((rendered[variant] / "compose.yaml").read_text())["services"]
    trusted = services["app"]["environment"]["FORWARDED_ALLOW_IPS"]
    assert trusted == "${FORWARDED_ALLOW_IPS:-127.0.0.1}"
    if not VARIANTS[variant].get("kubernetes"):
        return
    documents = k8s_documents(rendered[variant])
    (config,) = (document for document in documents if document["kind"] == "ConfigMap")
    networks = config["data"]["FORWARDED_ALLOW_IPS"].split(",")
    assert networks
    assert all(ip_network(network).is_private for network in networks)  # so never "*"
    (web,) = (
        document["spec"]["template"]["spec"]
        for document in documents
        if document["kind"] == "Deployment" and document["metadata"]["name"].endswith("-web")
    )
    (container,) = web["containers"]
    assert {"configMapRef": {"name": config["metadata"]["name"]}} in container["envFrom"]


POSTGRESQL_MAX_CONNECTIONS = 100  # the server's default; the official image keeps it


@pytest.mark.parametrize(
    "variant", [name for name in K8S_VARIANTS if VARIANTS[name]["framework"] != "fastapi"]
)
def test_django_connection_pools_fit_under_max_connections(
    rendered: dict[str, Path], variant: str
) -> None:
    """Every web pod the autoscaler may run, each process with a full pool, leaves PostgreSQL
    room for the job workers, migrations and psql; compose's app processes too."""
    documents = k8s_documents(rendered[variant])
    (config,) = (document for document in documents if document["kind"] == "ConfigMap")
    (autoscaler,) = (d for d in documents if d["kind"] == "HorizontalPodAutoscaler")
    pool = int(config["data"]["DATABASE_POOL_MAX_SIZE"])
    web = autoscaler["spec"]["maxReplicas"] * int(config["data"]["WEB_CONCURRENCY"]) * pool
    assert 0 < web <= POSTGRESQL_MAX_CONNECTIONS - 20, web

    stack = yaml.safe_load((rendered[variant] / "compose.yaml").read_text())
    compose_pool = stack["x-app"]["environment"]["DATABASE_POOL_MAX_SIZE"]
    assert compose_pool == f"${{DATABASE_POOL_MAX_SIZE:-{pool}}}"
    dockerfile = (rendered[variant] / "Dockerfile").read_text()
    processes = int(re.search(r"WEB_CONCURRENCY=(\d+)", dockerfile)[1])  # type: ignore[index]
    assert processes * pool <= POSTGRESQL_MAX_CONNECTIONS - 20


def test_kubernetes_needs_a_database_server(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'kubernetes': needs database=postgresql"):
        copy_project(tmp_path / "p", kubernetes=True, database="sqlite")


def test_kubernetes_is_off_by_default(rendered: dict[str, Path]) -> None:
    assert not (rendered["fastapi-sqlite"] / "deploy").exists()
    assert "kubectl" not in (rendered["fastapi-sqlite"] / "README.md").read_text()


# ── .env.example: the generated test keeps it and the settings in step ──────


def env_example_test(project: Path) -> subprocess.CompletedProcess[str]:
    """Run the project's own .env.example test (stdlib only, so our interpreter will do)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "--noconftest",
            "-c",
            os.devnull,
            "--rootdir",
            str(project),
            str(project / "tests" / "test_env_example.py"),
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_env_example_agrees_with_the_settings(rendered: dict[str, Path], variant: str) -> None:
    result = env_example_test(rendered[variant])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("variant", "settings", "line"),
    [
        ("django-sqlite", "bar_probe/settings/base.py", 'NEW = os.environ.get("NEW_SETTING")\n'),
        ("fastapi-sqlite", "bar_probe/config.py", "    new_setting: str = ''\n"),
    ],
)
def test_env_example_test_fails_on_a_setting_it_does_not_list(
    tmp_path: Path, variant: str, settings: str, line: str
) -> None:
    project = copy_project(tmp_path / "p", **VARIANTS[variant])
    path = project / settings
    text = path.read_text()
    if line.startswith(" "):  # a field of the Settings class: put it after the first field
        text = text.replace("\n    environment:", f"\n{line}    environment:", 1)
    else:
        text += line
    path.write_text(text)
    result = env_example_test(project)
    assert result.returncode == 1
    assert f"NEW_SETTING is read by {settings} but .env.example does not list it" in result.stdout


def test_env_example_test_fails_on_a_variable_nothing_reads(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "p", **VARIANTS["django-sqlite"])
    example = project / ".env.example"
    example.write_text(example.read_text() + "# Gone.\nOLD_SETTING=1\n")
    result = env_example_test(project)
    assert result.returncode == 1
    assert "lists OLD_SETTING, which nothing in the project reads: remove it" in result.stdout


# ── For real: build, run, compose up (Docker) ────────────────────────────────


def docker_env() -> dict[str, str]:
    """The environment for docker and docker-compose; skips, or fails in CI, without a daemon."""
    configured = "DOCKER_HOST" in os.environ or Path("/var/run/docker.sock").exists()
    how = (
        'start one with `eval "$(bash .ci/docker start)"`, then run '
        "`uv run pytest -m docker tests/test_deploy.py` (see this module's docstring)"
    )
    if not configured:
        if os.environ.get("WEBSCAFFOLD_REQUIRE_DOCKER") == "1":
            pytest.fail(f"WEBSCAFFOLD_REQUIRE_DOCKER=1 but no Docker daemon is configured: {how}")
        pytest.skip(f"no Docker daemon configured: {how}")
    env = project_env(DOCKER_BUILDKIT="1")
    answer = subprocess.run(
        [DOCKER, "version"], env=env, capture_output=True, text=True, check=False
    )
    assert answer.returncode == 0, f"the configured Docker daemon does not answer:\n{answer.stderr}"
    return env


def build_args() -> list[str]:
    """Local stand-ins for the base images, where `.ci/docker` made them."""
    return [
        arg
        for name in ("PYTHON_IMAGE", "UV_IMAGE")
        if name in os.environ
        for arg in ("--build-arg", f"{name}={os.environ[name]}")
    ]


def docker(*args: str, env: dict[str, str], timeout: float = 900) -> str:
    """Run the Docker client; fail the test with its output if it fails."""
    return run(Path.cwd(), DOCKER, *args, env=env, timeout=timeout)


def compose(project: Path, *args: str, env: dict[str, str], timeout: float = 600) -> str:
    """Run Debian's docker-compose in the project."""
    return run(project, "docker-compose", *args, env=env, timeout=timeout)


def report(line: str) -> None:
    """A cost for the CI log (the container stage runs pytest with -s)."""
    print(f"[container stage] {line}")


def build(project: Path, image: str, env: dict[str, str]) -> tuple[float, str]:
    """`docker build`; returns the seconds it took and its log."""
    started = time.monotonic()
    log = docker(
        "build", "--progress", "plain", "--tag", image, *build_args(), str(project), env=env
    )
    return time.monotonic() - started, log


@dataclass(frozen=True)
class Built:
    """A generated project built into an image, with a marker secret in its .env."""

    variant: str
    project: Path
    image: str
    marker: str
    env: dict[str, str]


# One of each framework; the hybrid runs as the compose stack, on PostgreSQL, with use cases.
SERVED = ["fastapi-sqlite", "django-sqlite"]
BUILT = [*SERVED, "hybrid-postgresql-k8s"]


@pytest.fixture(scope="module")
def images(rendered: dict[str, Path]) -> Iterator[Callable[[str], Built]]:
    """Build a variant's image on first use (lock, marker secret in .env); remove them all after."""
    cache: dict[str, Built] = {}

    def image(variant: str) -> Built:
        if variant not in cache:
            env = docker_env()
            project = rendered[variant]
            run(
                project, "uv", "lock", "--quiet", env=env
            )  # `scaffold new` writes it; copier users run it
            marker = f"marker-secret-{secrets.token_hex(24)}"
            (project / ".env").write_text(f"SECRET_KEY={marker}\n")
            tag = f"webscaffold-test/{variant}:{secrets.token_hex(4)}"
            seconds, _ = build(project, tag, env)
            report(f"{variant}: cold build {seconds:.1f} s")
            cache[variant] = Built(variant, project, tag, marker, env)
        return cache[variant]

    yield image
    for built in cache.values():
        subprocess.run(
            [DOCKER, "image", "rm", "--force", built.image],
            env=built.env,
            check=False,
            capture_output=True,
        )


@pytest.mark.docker
@pytest.mark.parametrize("variant", BUILT)
def test_image_is_production_only(images: Callable[[str], Built], variant: str) -> None:
    built = images(variant)
    inspected = json.loads(docker("image", "inspect", built.image, env=built.env))[0]
    config = inspected["Config"]
    assert config["User"] == f"{APP_UID}:{APP_UID}"
    assert config["Cmd"][0] == "uvicorn"  # exec form: uvicorn is PID 1 and gets SIGTERM
    assert config["Healthcheck"]["Test"][:2] == ["CMD", "python"]
    assert "8000/tcp" in config["ExposedPorts"]
    names = {entry.split("=", 1)[0] for entry in config["Env"]}
    assert "SECRET_KEY" not in names
    assert {"DJANGO_SETTINGS_MODULE", "ENVIRONMENT"} & names  # production settings by default
    history = docker(
        "history", "--no-trunc", "--format", "{{.CreatedBy}}", built.image, env=built.env
    )
    assert BUILD_ONLY_KEY.decode() not in history
    size = inspected["Size"] / 1e6
    report(f"{variant}: image {size:.0f} MB uncompressed")


@pytest.mark.docker
def test_a_source_change_rebuilds_only_the_project(images: Callable[[str], Built]) -> None:
    built = images("fastapi-sqlite")
    (built.project / "bar_probe" / "__init__.py").write_text('"""Changed."""\n')
    seconds, log = build(built.project, built.image, built.env)
    report(f"{built.variant}: build after a source change {seconds:.1f} s")
    pattern = r"^#(\d+) \[builder \d+/\d+\] (RUN .*--no-install-project|COPY \. /app)$"
    steps = {what.split()[0]: step for step, what in re.findall(pattern, log, flags=re.MULTILINE)}
    cached = set(re.findall(r"^#(\d+) CACHED$", log, flags=re.MULTILINE))
    assert steps["RUN"] in cached, log  # the dependency layer is reused
    assert steps["COPY"] not in cached, log


def check_running(container: str, built: Built) -> None:
    """Inside a running container: the server is not root; no secret, tests or dev tools.

    The build context reaches the runtime image only through /app, so /app is what is searched.
    """
    status = docker("exec", container, "cat", "/proc/1/status", env=built.env)
    assert re.search(rf"^Uid:\s+{APP_UID}\s", status, flags=re.MULTILINE), status
    script = (
        "import importlib.util as u, json, pathlib as p, shutil, sys\n"
        "needles = [n.encode() for n in sys.argv[1:]]\n"
        "files = [f for f in p.Path('/app').rglob('*') if f.is_file() and not f.is_symlink()]\n"
        "found = sorted({str(f) for f in files for n in needles if n in f.read_bytes()})\n"
        "print(json.dumps([[m for m in ('pytest', 'mypy', 'ruff') if u.find_spec(m)],"
        " sorted(x.name for x in p.Path('/app').iterdir()), shutil.which('uv'), found]))\n"
    )
    output = docker(
        "exec",
        container,
        "python",
        "-c",
        script,
        built.marker,
        BUILD_ONLY_KEY.decode(),
        env=built.env,
    )
    dev_tools, files, uv, found = json.loads(output.strip().splitlines()[-1])
    assert found == [], f"secrets in the image: {found}"
    assert dev_tools == []
    assert not {".env", "tests", ".git"} & set(files), files
    assert uv is None  # the builder's tool stays in the builder


def container_env(variant: str) -> dict[str, str]:
    """What a deployment sets: a real key, its hosts, and a writable database."""
    django = VARIANTS[variant]["framework"] != "fastapi"
    hosts = "localhost,127.0.0.1" if django else '["localhost","127.0.0.1"]'
    env = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": hosts,
        "EMAIL_HOST": "127.0.0.1",  # production requires a mail server; nothing is sent
    }
    if VARIANTS[variant]["database"] == "sqlite":
        env["DATABASE_URL"] = "sqlite:////data/app.sqlite3"
    if VARIANTS[variant].get("media_storage") == "s3":
        env["MEDIA_S3_BUCKET"] = "media"  # production requires one; nothing is uploaded
    return env


def wait_for_health(url: str, deadline: float, logs: Callable[[], str]) -> None:
    """Until `url` answers 200; fails with the server's logs if it never does."""
    started = time.monotonic()
    while time.monotonic() < started + deadline:
        try:
            if http_get(url, timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200:\n{logs()}")


def seconds_since_start(container: str, env: dict[str, str]) -> float:
    """Seconds since the container's process started (Docker's clock is this machine's)."""
    started = docker("inspect", "--format", "{{.State.StartedAt}}", container, env=env).strip()
    # RFC 3339 with nanoseconds; Python takes microseconds.
    moment = datetime.fromisoformat(started[:26].rstrip("Z") + "+00:00")
    return (datetime.now(UTC) - moment).total_seconds()


def stop_gracefully(container: str, built: Built, logs: Callable[[], str]) -> None:
    """`docker stop` with a 30 s grace period ends well inside it, and the server exits cleanly."""
    started = time.monotonic()
    docker("stop", "--time", "30", container, env=built.env)
    seconds = time.monotonic() - started
    report(f"{built.variant}: docker stop {seconds:.1f} s")
    assert seconds < 10
    state = json.loads(docker("inspect", "--format", "{{json .State}}", container, env=built.env))
    assert state["ExitCode"] == 0, logs()


@pytest.mark.docker
@pytest.mark.parametrize("variant", SERVED)
def test_container_serves_health_and_stops_gracefully(
    images: Callable[[str], Built], variant: str
) -> None:
    built = images(variant)
    env_args = [arg for k, v in container_env(variant).items() for arg in ("-e", f"{k}={v}")]
    port = free_port()
    started = time.monotonic()
    # The image's own HEALTHCHECK, polled every 2 s instead of 30 so the test sees its verdict;
    # locked down as compose and Kubernetes run it.
    container = docker(
        "run",
        "--detach",
        "--publish",
        f"127.0.0.1:{port}:8000",
        "--health-interval",
        "2s",
        "--read-only",
        "--tmpfs",
        "/tmp",  # noqa: S108 (in the container)
        "--volume",
        "/data",
        "--cap-drop",
        "ALL",
        *env_args,
        built.image,
        env=built.env,
    ).strip()
    logs = partial(docker, "logs", container, env=built.env)
    try:
        wait_for_health(f"http://127.0.0.1:{port}/health", 180, logs)
        report(
            f"{variant}: 200 from /health {time.monotonic() - started:.1f} s after docker run, "
            f"{seconds_since_start(container, built.env):.1f} s after the process started"
        )
        status = ""
        for _ in range(60):
            status = docker(
                "inspect", "--format", "{{.State.Health.Status}}", container, env=built.env
            )
            if status.strip() == "healthy":
                break
            time.sleep(1)
        assert status.strip() == "healthy", docker("inspect", container, env=built.env)
        check_running(container, built)
        if VARIANTS[variant]["framework"] == "django":  # static files collected at build time
            https = {"X-Forwarded-Proto": "https", "Host": "localhost"}
            page = get(f"http://127.0.0.1:{port}/", headers=https)
            assert page.status == 200, page.body[:500]
            (css,) = stylesheets(page.body)
            assert get(f"http://127.0.0.1:{port}{css}", headers=https).status == 200
        stop_gracefully(container, built, logs)
    finally:
        subprocess.run(
            [DOCKER, "rm", "--force", container], env=built.env, capture_output=True, check=False
        )


@pytest.mark.docker
@pytest.mark.parametrize("variant", VARIANTS)
def test_compose_file_is_valid_for_docker_compose(tmp_path: Path, variant: str) -> None:
    env = docker_env()
    project = copy_project(tmp_path / variant, **VARIANTS[variant])
    (project / ".env").write_text((project / ".env.example").read_text())  # as the README says
    compose(project, "config", "--quiet", env=env)


@pytest.mark.docker
def test_compose_stack_serves_on_postgresql(images: Callable[[str], Built]) -> None:
    built = images("hybrid-postgresql-k8s")
    project = built.project
    stack = yaml.safe_load((project / "compose.yaml").read_text())
    docker("tag", built.image, stack["x-app"]["image"], env=built.env)
    production = container_env(built.variant) | {
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "REDIS_PASSWORD": secrets.token_hex(16),
    }
    # The runtime secret is the marker: it reaches the container, never the image.
    production["SECRET_KEY"] = built.marker
    (project / ".env").write_text("".join(f"{k}={v}\n" for k, v in production.items()))
    port = free_port()
    env = built.env | {
        "APP_PORT": str(port),
        "COMPOSE_PROJECT_NAME": f"wstest{secrets.token_hex(4)}",
    }
    logs = partial(compose, project, "logs", "--no-color", env=env)
    started = time.monotonic()
    try:
        compose(project, "up", "--detach", "--no-build", env=env)
        wait_for_health(f"http://127.0.0.1:{port}/health", 180, logs)
        app = compose(project, "ps", "-q", "app", env=env).strip()
        report(
            f"{built.variant}: 200 from /health {time.monotonic() - started:.1f} s after "
            f"compose up, {seconds_since_start(app, env):.1f} s after the app process started"
        )
        migrate = json.loads(
            docker("inspect", compose(project, "ps", "-q", "migrate", env=env).strip(), env=env)
        )[0]["State"]
        assert (migrate["Status"], migrate["ExitCode"]) == ("exited", 0), logs()
        app_started = docker("inspect", "--format", "{{.State.StartedAt}}", app, env=env).strip()
        assert migrate["FinishedAt"] <= app_started  # the app waited for its migrations
        # Tables exist. With the mobile backend the API's routes are versioned; probes stay at /api.
        versioned = "mobile-backend" in VARIANTS[built.variant].get("use_cases", [])
        products = f"http://127.0.0.1:{port}/api{'/v1' if versioned else ''}/products"
        assert http_get(products).status == 200, logs()
        assert http_get(f"http://127.0.0.1:{port}/api/ready").status == 200, logs()
        # Background jobs are on (e-commerce): the worker takes tasks from the stack's Redis.
        worker = compose(project, "ps", "-q", "worker", env=env).strip()
        slug = stack["x-app"]["environment"]["DJANGO_SETTINGS_MODULE"].split(".")[0]
        ping = ("celery", "--app", slug, "inspect", "ping", "--timeout", "10")
        assert "pong" in docker("exec", worker, *ping, env=env), logs()
        check_running(app, built)
        stop_gracefully(app, built, logs)
    finally:
        subprocess.run(
            ["docker-compose", "down", "--volumes", "--remove-orphans", "--timeout", "5"],
            cwd=project,
            env=env,
            capture_output=True,
            check=False,
        )
