"""Screenshots of generated projects for the documentation site, from real projects and servers.

Run: uv run python scripts/screenshots.py [--out docs/img] [--only NAME ...]
Needs Debian's `chromium` (/usr/bin/chromium) and `npm`. Not part of CI: run it after changing what
the pictures show, look at them, and commit the PNGs.

It generates a Django project with the four site use cases and one FastAPI project per API use
case, seeds a little data through `manage.py shell`, serves each as its README says (uvicorn, local
settings), and photographs pages in headless Chromium. Two things stand between the browser and
the server, in a small proxy: signed-in pages get a session cookie made for a seeded user (the
browser cannot fill in the log-in form from the command line), and FastAPI's `/docs` page, which
loads Swagger UI from a CDN this machine cannot reach, gets the same files from the
`swagger-ui-dist` npm package, fetched with npm.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generated import REPO_ROOT, Project, clean_env, free_port, generate

from webscaffold.recommend import read_table

CHROMIUM = "/usr/bin/chromium"
WINDOW = "1280,900"
MAX_BYTES = 150_000  # keep the repository small; a warning names any picture above this
SWAGGER_CDN = b"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/"
SWAGGER_LOCAL = b"/_swagger-ui/"
PASSWORD = "screenshot-password-8c2f"  # noqa: S105 - throwaway users in a throwaway database

# The site's use cases, from the template's table (includes/usecases.jinja).
SITE_USE_CASES = [row["key"] for row in read_table() if row["side"] == "django"]
# One FastAPI project per API use case, named for what such a service might be.
API_PROJECTS = {
    "ml-api": "Iris Predictions",
    "microservices": "Inventory Service",
    "real-time": "Chat Rooms",
    "mobile-backend": "Field App Backend",
}


@dataclass(frozen=True)
class Shot:
    """One picture: which project, which path (`{page}`: the seeded CMS page's id), signed in as
    whom ("" for nobody)."""

    name: str
    project: str
    path: str
    user: str = ""


SHOTS = [
    Shot("shop", "site", "/shop/"),
    Shot("admin", "site", "/admin/catalog/product/", "admin"),
    Shot("cms-page", "site", "/pages/welcome/"),
    Shot("cms-editor", "site", "/cms/pages/{page}/edit/", "admin"),
    Shot("social-feed", "site", "/social/", "alice"),
    Shot("org-dashboard", "site", "/orgs/acme/", "alice"),
    *(Shot(f"{case}-docs", case, "/docs") for case in API_PROJECTS),
]

# Data for the site's pages; prints the session keys of the users the pictures sign in as.
SEED_SITE = f"""
import datetime, json
from decimal import Decimal
from importlib import import_module
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

User = get_user_model()
password = {PASSWORD!r}
admin = User.objects.create_superuser("admin", "admin@example.com", password)
alice, bob, carol = (
    User.objects.create_user(name, f"{{name}}@example.com", password, first_name=name.title())
    for name in ("alice", "bob", "carol")
)

Category, Product = apps.get_model("catalog", "Category"), apps.get_model("catalog", "Product")
for category, items in {{
    "Coffee": [("Ethiopia Yirgacheffe", "14.50"), ("Colombia Huila", "12.90"),
               ("House espresso", "11.00")],
    "Brewing": [("Pour-over dripper", "24.00"), ("Paper filters", "5.50"),
                ("Hand grinder", "59.00")],
}}.items():
    shelf = Category.objects.create(name=category, slug=category.lower())
    for n, (name, price) in enumerate(items):
        Product.objects.create(
            category=shelf, name=name, slug=name.lower().replace(" ", "-"),
            sku=f"{{category[:3].upper()}}-{{n + 1:03}}", price=Decimal(price), stock=12 - 3 * n,
            description=f"{{name}}, from the seeded catalogue.",
        )

Follow, Post = apps.get_model("social", "Follow"), apps.get_model("social", "Post")
Follow.objects.create(follower=alice, followed=bob)
Follow.objects.create(follower=alice, followed=carol)
now = datetime.datetime.now(datetime.UTC)
for minutes, author, body in [
    (5, bob, "Shipped the new checkout today. Two customers, one last item, one sale."),
    (40, carol, "Reading list for the weekend: three papers on consensus protocols."),
    (95, bob, "Anyone else running Django and FastAPI in one process? Works nicely here."),
]:
    when = now - datetime.timedelta(minutes=minutes)
    Post.objects.create(author=author, body=body, created_at=when)

Organization = apps.get_model("organizations", "Organization")
Membership = apps.get_model("organizations", "Membership")
Invitation = apps.get_model("organizations", "Invitation")
acme = Organization.objects.create(name="Acme Analytics", slug="acme")
for user, role in [(alice, "owner"), (bob, "admin"), (carol, "member")]:
    Membership.objects.create(organization=acme, user=user, role=role)
Invitation.objects.create(organization=acme, email="dave@example.com", invited_by=alice)

HomePage, StandardPage = apps.get_model("cms", "HomePage"), apps.get_model("cms", "StandardPage")
home = HomePage.objects.get()
page = StandardPage(
    title="Welcome to the site", slug="welcome", date=datetime.date(2026, 11, 30),
    intro="A page written in Wagtail's editor and served under /pages/.",
    body="<p>Editors add pages like this one under the home page, with rich text, images and "
    "documents. Publishing makes them live at once.</p>",
)
home.add_child(instance=page)
page.save_revision().publish()

store = import_module(settings.SESSION_ENGINE).SessionStore
sessions = {{}}
for user in (admin, alice):
    session = store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions[user.username] = f"{{settings.SESSION_COOKIE_NAME}}={{session.session_key}}"
print(json.dumps({{"sessions": sessions, "page": page.id}}))
"""


@dataclass
class Site:
    """What the pictures need beyond the project: its port, sessions and the CMS page's id."""

    project: Project
    port: int = 0
    sessions: dict[str, str] = field(default_factory=dict)
    page: int = 0


def make_site(name: str, scratch: Path) -> Site:
    """Generate, install and migrate one project; the site also gets its seed data."""
    site = name == "site"
    answers: dict[str, object] = {
        "project_name": "Showcase" if site else API_PROJECTS[name],
        "framework": "django" if site else "fastapi",
        "use_cases": SITE_USE_CASES if site else [name],
    }
    made = Site(generate(scratch / name, answers, clean_env()))
    if site:
        made.project.run("python", "manage.py", "migrate", "-v0")
        output = made.project.run("python", "manage.py", "shell", "-c", SEED_SITE)
        facts = json.loads(output.splitlines()[-1])  # after any notice of the shell
        made.sessions, made.page = facts["sessions"], facts["page"]
    else:
        made.project.run("alembic", "upgrade", "head")
    return made


@contextmanager
def serve(site: Site) -> Iterator[None]:
    """The project's README command, on a free loopback port, until the block ends."""
    project, site.port = site.project, free_port()
    command = ["uvicorn", f"{project.slug}.asgi:application", "--port", str(site.port)]
    process = subprocess.Popen(
        ["uv", "run", "--no-dev", *command, "--log-level", "warning"],
        cwd=project.path,
        env=project.env,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{site.port}/health", timeout=2):
                    break
            except (OSError, urllib.error.HTTPError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{project.slug} did not start") from None
                time.sleep(0.3)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def swagger_assets(scratch: Path) -> Path:
    """The files FastAPI's /docs loads from the CDN: the same npm package, fetched with npm."""
    subprocess.run(
        ["npm", "pack", "swagger-ui-dist@5", "--silent", "--pack-destination", str(scratch)],
        cwd=scratch,
        check=True,
        capture_output=True,
    )
    archive = next(scratch.glob("swagger-ui-dist-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(scratch / "swagger", filter="data")
    return scratch / "swagger" / "package"


@contextmanager
def proxy(upstream: int, cookie: str, assets: Path) -> Iterator[int]:
    """A loopback proxy that adds `cookie` to every request and serves Swagger UI's files."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith(SWAGGER_LOCAL.decode()):
                body = (assets / Path(self.path).name).read_bytes()
                kind = "text/css" if self.path.endswith(".css") else "text/javascript"
                self.answer(200, [("Content-Type", kind)], body)
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            if cookie:
                headers["Cookie"] = cookie
            request = urllib.request.Request(
                f"http://127.0.0.1:{upstream}{self.path}", headers=headers
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                    status, reply, body = response.status, response.getheaders(), response.read()
            except urllib.error.HTTPError as error:
                status, reply, body = error.code, error.headers.items(), error.read()
            self.answer(status, reply, body.replace(SWAGGER_CDN, SWAGGER_LOCAL))

        def answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            skip = {"content-length", "transfer-encoding", "connection", "content-encoding"}
            for name, value in headers:
                if name.lower() not in skip:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()


def photograph(url: str, out: Path, scratch: Path) -> None:
    """Headless Chromium's screenshot of `url`, after its scripts have had time to run."""
    profile = tempfile.mkdtemp(dir=scratch)
    subprocess.run(
        [
            CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            "--virtual-time-budget=8000", f"--screenshot={out}", f"--window-size={WINDOW}", url,
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    shutil.rmtree(profile, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "img")
    parser.add_argument("--only", nargs="*", choices=[shot.name for shot in SHOTS])
    args = parser.parse_args()
    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        assets = swagger_assets(scratch) if any(s.path == "/docs" for s in shots) else scratch
        for name in dict.fromkeys(shot.project for shot in shots):
            site = make_site(name, scratch)
            with serve(site):
                for shot in (s for s in shots if s.project == name):
                    cookie = site.sessions.get(shot.user, "")
                    with proxy(site.port, cookie, assets) as port:
                        out = args.out / f"{shot.name}.png"
                        photograph(
                            f"http://127.0.0.1:{port}{shot.path.format(page=site.page)}",
                            out,
                            scratch,
                        )
                    size = out.stat().st_size
                    note = (
                        f"  (over {MAX_BYTES // 1000} KB: consider a smaller window)"
                        if size > MAX_BYTES
                        else ""
                    )
                    print(f"{out}: {size // 1000} KB{note}")


if __name__ == "__main__":
    main()
