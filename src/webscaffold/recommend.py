"""Which framework fits a set of use cases, and why."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from webscaffold.answers import not_among
from webscaffold.errors import BadInputError
from webscaffold.template import bundled_questions, choices_of

# Our own one-line reasons, one per use case in copier.yml's order, after "FastAPI vs Django:
# Which Python Framework Should You Choose?" (Django's batteries versus FastAPI's async, typed
# APIs). The side each use case falls on is not stored here: it follows from copier.yml's
# expression.
REASONS: dict[str, str] = {
    "e-commerce": "a shop needs accounts, an admin for the catalogue and orders, forms and "
    "server-rendered pages, all of which Django ships with",
    "cms": "content teams need an editing back office and page templates, which is what "
    "Django's admin and template engine (and Wagtail on top) are for",
    "social-network": "profiles, sign-up, permissions and moderation lean on Django's "
    "built-in auth, ORM and admin",
    "saas-dashboard": "a dashboard is a full web app with users, organisations and an admin, "
    "the batteries-included case Django was made for",
    "ml-api": "model serving is an API first: typed request validation, async I/O and "
    "generated docs are what FastAPI does best",
    "microservices": "small services want a light, modular framework with fast start-up and "
    "JSON by default, which is FastAPI's design",
    "real-time": "WebSockets and many concurrent connections call for async from the ground "
    "up, which FastAPI (on Starlette) has built in",
    "mobile-backend": "a mobile app talks to a versioned JSON API with token auth, which "
    "FastAPI serves with little code and documents automatically",
}

FRAMEWORK_SUMMARY: dict[str, str] = {
    "django": "Django: every use case is a full web application with users and an admin.",
    "fastapi": "FastAPI: every use case is an API where speed and typed validation matter.",
    "hybrid": "Hybrid: Django runs the site, admin and users; FastAPI serves the "
    "high-performance API from the same app, database and user model.",
}

NO_USE_CASE_SUMMARY = "FastAPI: with no use case given, a lean API is the smallest useful start."


@dataclass(frozen=True)
class UseCaseReason:
    """Why one use case points at one framework."""

    use_case: str
    framework: str
    reason: str


@dataclass(frozen=True)
class Recommendation:
    """The framework for a set of use cases, with the reasons behind it."""

    framework: str
    summary: str
    reasons: tuple[UseCaseReason, ...]

    def to_json(self) -> dict[str, Any]:
        """What `recommend --json` prints."""
        return asdict(self)


def use_case_names() -> list[str]:
    """The use cases the template offers, in its order."""
    return choices_of(bundled_questions()["use_cases"])


def framework_for(use_cases: Sequence[str]) -> str:
    """Evaluate the template's own default expression for `framework`."""
    from jinja2.sandbox import SandboxedEnvironment  # lazy: `--help` lists REASONS' keys

    expression = str(bundled_questions()["framework"]["default"])
    rendered = SandboxedEnvironment().from_string(expression).render(use_cases=list(use_cases))
    return rendered.strip()


def check_use_cases(use_cases: Sequence[str]) -> list[str]:
    """Reject unknown use cases; return them deduplicated, in the template's order."""
    known = use_case_names()
    for name in use_cases:
        if name not in known:
            raise BadInputError(f"unknown use case '{name}'; {not_among(name, known)}")
    return [name for name in known if name in use_cases]


def recommend(use_cases: Sequence[str]) -> Recommendation:
    """Recommend a framework for the given use cases, with one reason per use case."""
    chosen = check_use_cases(use_cases)
    framework = framework_for(chosen)
    reasons = tuple(UseCaseReason(name, framework_for([name]), REASONS[name]) for name in chosen)
    summary = FRAMEWORK_SUMMARY[framework] if chosen else NO_USE_CASE_SUMMARY
    return Recommendation(framework=framework, summary=summary, reasons=reasons)


SIDE_NAMES = {"django": "Django", "fastapi": "FastAPI"}
# The one framework that runs both sides, so it keeps every use case.
KEEPS_ALL = "hybrid"


@dataclass(frozen=True)
class LeftOut:
    """A chosen use case whose module lives on a side the chosen framework does not run."""

    use_case: str
    side: str  # "django" or "fastapi"

    def advice(self, how: str) -> str:
        """One line for the user; `how` is the option that changes the framework."""
        return (
            f"{self.use_case} needs {SIDE_NAMES[self.side]}'s side: "
            f"pass {how}{KEEPS_ALL} to keep it"
        )


def left_out(use_cases: Sequence[str], framework: str) -> tuple[LeftOut, ...]:
    """The use cases `framework` leaves out: each lives on one side (copier.yml's `use_*` flags)."""
    if framework == KEEPS_ALL:
        return ()
    known = use_case_names()
    sides = ((name, framework_for([name])) for name in use_cases if name in known)
    return tuple(LeftOut(name, side) for name, side in sides if side != framework)
