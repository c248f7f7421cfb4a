"""webscaffold: a Copier template and CLI for Django, FastAPI and hybrid projects."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("webscaffold")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
