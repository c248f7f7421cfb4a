"""Build hook: ship the template's tagged git history inside the package.

Copier can only update a project from a git source that holds the version the
project was made from. A wheel therefore carries `git bundle` of the template's
tags (plus the commit it was built from), next to the plain template directory.
An sdist carries the same bundle at its root, so a wheel built from the sdist
(where there is no `.git`) still gets it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUNDLE_NAME = "webscaffold-template.bundle"  # webscaffold.template.BUNDLE_NAME
WHEEL_PATH = f"webscaffold/_template/{BUNDLE_NAME}"


class TemplateBundleHook(BuildHookInterface):  # type: ignore[type-arg]  # not type-checked: hatchling is only in the build env
    """Add the template's history bundle to wheels and sdists."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Write (or reuse) the bundle and force-include it in this target."""
        if self.target_name == "wheel" and version == "editable":
            return  # an editable install updates from the repository itself
        root = Path(self.root)
        bundle = self._bundle(root)
        if bundle is None:
            self.app.display_warning(
                f"{BUNDLE_NAME}: no git history here and no prebuilt bundle; projects generated "
                "by this build can be created but not updated"
            )
            return
        target = WHEEL_PATH if self.target_name == "wheel" else BUNDLE_NAME
        build_data["force_include"][str(bundle)] = target

    def _bundle(self, root: Path) -> Path | None:
        if not (root / ".git").exists():
            prebuilt = root / BUNDLE_NAME  # building a wheel from an sdist
            return prebuilt if prebuilt.is_file() else None
        if _git(root, "rev-parse", "--is-shallow-repository") == "true":
            message = (
                f"{BUNDLE_NAME}: this is a shallow clone, so the package cannot carry the "
                "template's tagged history; run `git fetch --unshallow --tags` and build again"
            )
            if os.environ.get("WEBSCAFFOLD_RELEASE"):
                raise RuntimeError(message)  # a release must never ship without it
            self.app.display_warning(message + " (projects it generates cannot be updated)")
            return None
        out = root / "build" / BUNDLE_NAME
        out.parent.mkdir(parents=True, exist_ok=True)
        # Builds of one checkout may run at once (a wheel and `uv tool install .`); git locks
        # its output file, so each build writes its own file and moves it into place.
        partial = out.with_name(f"{BUNDLE_NAME}.{os.getpid()}")
        _git(root, "bundle", "create", "--quiet", str(partial), "--tags", "HEAD")
        partial.replace(out)
        return out


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"git {args[0]} failed: {done.stderr.strip()}")
    return done.stdout.strip()
