"""Interrupting an update: before the switch nothing changes; during it, it is rolled back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import webscaffold.update
from history import snapshot, status
from support import scaffold
from update_cases import Case
from webscaffold import gitutil


def test_ctrl_c_while_computing_changes_nothing(
    edited: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(webscaffold.update, "_keep_edited_removals", interrupted)
    before = snapshot(edited.project)
    code, output = scaffold("update", str(edited.project))
    assert code == 130
    assert "nothing was changed" in output
    assert snapshot(edited.project) == before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_writing_rolls_back(
    edited: Case, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    """A signal that lands while git switches the work tree undoes the switch."""
    real_git = gitutil.git

    def git_then_signal(cwd: Path, *args: str, **kwargs: object) -> object:
        if args[:1] == ("read-tree",) and cwd == edited.project:
            os.kill(os.getpid(), signum)  # held until git is done
        return real_git(cwd, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(webscaffold.update, "git", git_then_signal)
    before = snapshot(edited.project)
    code, output = scaffold("update", str(edited.project))
    assert code == 130, output
    assert "nothing was changed" in output
    assert snapshot(edited.project) == before
    assert status(edited.project) == []


@pytest.mark.parametrize("delay", [0.2, 0.6, 1.0])
def test_real_sigterm_leaves_the_project_before_or_after(edited: Case, delay: float) -> None:
    """A real process, terminated at some point: the project is either untouched or updated."""
    before = snapshot(edited.project)
    process = subprocess.Popen(
        [sys.executable, "-m", "webscaffold", "update", str(edited.project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert "Traceback" not in output
    # Interrupted: 130 from our handler, or death by the signal (SIGTERM before our handler
    # is installed; SIGINT when Python re-raises an interrupt that reached the top level).
    if process.returncode in {130, -signal.SIGTERM, -signal.SIGINT}:
        assert snapshot(edited.project) == before
    else:
        assert process.returncode == 1, output  # finished first: updated, with its conflict
        assert (edited.project / "new.txt").exists()


def test_commands_restore_the_signal_handlers_they_install(edited: Case) -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    for args in (("recommend", "-u", "cms"), ("diff", str(edited.project), "--stat")):
        code, output = scaffold(*args)
        assert code == 0, output
        assert {sig: signal.getsignal(sig) for sig in before} == before
