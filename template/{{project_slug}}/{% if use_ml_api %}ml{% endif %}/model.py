"""The iris classifier: training, versioned artifacts, safe loading and prediction.

Artifacts live in MODEL_DIR as `iris-v<N>.skops` (the fitted pipeline) and `iris-v<N>.json` (its
model card: version, metrics, features, classes). Training writes version N+1; serving loads the
newest. skops stores the model without pickle and, on load, refuses any type outside its
allowlist of scikit-learn and NumPy types, so an artifact cannot run code when it is loaded.
Never pass `trusted=` types to `skops.io.load` for artifacts you did not produce yourself.
"""

import asyncio
import json
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
import skops.io
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

if sys.platform != "win32":
    import fcntl  # POSIX file locks: processes sharing MODEL_DIR train one at a time

logger = logging.getLogger(__name__)

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
_ARTIFACT = re.compile(r"iris-v(\d+)\.skops")


class ModelUnavailableError(Exception):
    """No usable model: the artifact is missing, corrupt or not loadable safely."""


@dataclass(frozen=True)
class ModelCard:
    """What a model version is and how well it did on held-out data."""

    version: int
    trained_at: str
    metrics: dict[str, float]
    features: list[str]
    classes: list[str]
    sklearn_version: str

    def as_dict(self) -> dict[str, Any]:
        """The card as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Prediction:
    """The predicted class of one row and the probability of every class."""

    label: str
    probabilities: dict[str, float]


@dataclass(frozen=True)
class LoadedModel:
    """A fitted pipeline with its card. `predict` is CPU-bound: call it off the event loop."""

    card: ModelCard
    estimator: Any

    def predict(self, rows: Sequence[Sequence[float]]) -> list[Prediction]:
        """Predictions for rows of features, in the order of FEATURES."""
        matrix = np.asarray(rows, dtype=np.float64)
        probabilities: np.ndarray[Any, np.dtype[np.float64]] = self.estimator.predict_proba(matrix)
        classes = self.card.classes
        return [
            Prediction(
                label=classes[int(row.argmax())],
                probabilities={
                    name: round(float(p), 6) for name, p in zip(classes, row, strict=True)
                },
            )
            for row in probabilities
        ]


def versions(model_dir: Path) -> list[int]:
    """The model versions stored in `model_dir`, oldest first."""
    if not model_dir.is_dir():
        return []
    found = (_ARTIFACT.fullmatch(path.name) for path in model_dir.iterdir())
    return sorted(int(match[1]) for match in found if match)


def artifact_paths(model_dir: Path, version: int) -> tuple[Path, Path]:
    """The model file and the card file of a version."""
    return model_dir / f"iris-v{version}.skops", model_dir / f"iris-v{version}.json"


def train(model_dir: Path) -> ModelCard:
    """Fit the baseline on iris (bundled with scikit-learn) and store it as the next version."""
    dataset = load_iris()
    x_train, x_test, y_train, y_test = train_test_split(
        dataset.data, dataset.target, test_size=0.25, random_state=0, stratify=dataset.target
    )
    estimator = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    estimator.fit(x_train, y_train)
    predicted = estimator.predict(x_test)
    version = max(versions(model_dir), default=0) + 1
    card = ModelCard(
        version=version,
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        metrics={
            "accuracy": round(float(accuracy_score(y_test, predicted)), 4),
            "f1_macro": round(float(f1_score(y_test, predicted, average="macro")), 4),
        },
        features=list(FEATURES),
        classes=[str(name) for name in dataset.target_names],
        sklearn_version=sklearn.__version__,
    )
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path, card_path = artifact_paths(model_dir, version)
    # Card first, model last: a version counts once its model file exists (written then renamed).
    card_path.write_text(json.dumps(card.as_dict(), indent=2) + "\n")
    partial = model_path.with_suffix(".partial")
    skops.io.dump(estimator, partial)
    partial.replace(model_path)
    logger.info("trained model version %d", version, extra={"metrics": card.metrics})
    return card


def load(model_dir: Path) -> LoadedModel:
    """The newest model in `model_dir`, loaded safely; ModelUnavailableError if there is none."""
    stored = versions(model_dir)
    if not stored:
        raise ModelUnavailableError(f"no model artifact in {model_dir}")
    model_path, card_path = artifact_paths(model_dir, stored[-1])
    try:
        card = ModelCard(**json.loads(card_path.read_text()))
        estimator = skops.io.load(model_path)  # refuses types outside skops' safe allowlist
    except Exception as error:  # corrupt zip, bad JSON, untrusted types, ...
        reason = f"{type(error).__name__}: {error}"
        message = f"model artifact {model_path.name} cannot be loaded ({reason})"
        raise ModelUnavailableError(message) from error
    if card.sklearn_version != sklearn.__version__:
        logger.warning(
            "model version %d was trained with scikit-learn %s, serving with %s; retrain it",
            card.version,
            card.sklearn_version,
            sklearn.__version__,
        )
    return LoadedModel(card=card, estimator=estimator)


def load_or_train(model_dir: Path, *, train_if_missing: bool) -> LoadedModel:
    """Load the newest model; with none stored, train the baseline first if allowed.

    Every process that serves or scores (each app process, each worker) calls this at start, and
    they may share MODEL_DIR: a lock file there lets one of them train while the others wait, then
    load what it wrote, rather than each writing the same version over the others.
    """
    if not versions(model_dir) and train_if_missing:
        with training_lock(model_dir):
            if not versions(model_dir):
                logger.warning("no model artifact in %s: training the baseline now", model_dir)
                train(model_dir)
    return load(model_dir)


@contextmanager
def training_lock(model_dir: Path) -> Iterator[None]:
    """Hold MODEL_DIR's lock file for the block (on Windows, no lock: it has no flock)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with (model_dir / ".train.lock").open("a") as lock:
        if sys.platform != "win32":
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


@dataclass(frozen=True)
class ModelState:
    """What the app serves: a model, or the reason there is none."""

    model: LoadedModel | None
    error: str | None = None


async def load_for_serving(model_dir: Path, *, train_if_missing: bool) -> ModelState:
    """At startup, off the event loop: the model, or why it is unavailable (logged, not raised).

    The service still starts without a model, so its other endpoints and probes keep working;
    prediction endpoints answer 503 with the reason.
    """
    try:
        model = await asyncio.to_thread(load_or_train, model_dir, train_if_missing=train_if_missing)
    except ModelUnavailableError as error:
        logger.error("serving without a model: %s", error)
        return ModelState(model=None, error=str(error))
    logger.info("serving model version %d", model.card.version)
    return ModelState(model=model)
