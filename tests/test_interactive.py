"""`scaffold new` on a real terminal: it prompts, and an interrupt leaves nothing behind."""

from __future__ import annotations

import fcntl
import signal
import struct
import termios
from pathlib import Path

import pytest
import yaml

from support import Terminal


@pytest.mark.slow  # a whole interactive session on a pty: the full suite's
def test_prompts_on_a_terminal(tmp_path: Path) -> None:
    term = Terminal(["scaffold", "new", "site", "--use-case", "cms", "--no-git"], cwd=tmp_path)
    term.wait_for("Project name")
    term.type("Pty Probe\r")
    for question in ("package name", "description", "Author or team name", "email", "Framework"):
        term.wait_for(question)
        term.type("\r")  # accept each default
    for question in (
        "Database",
        "Continuous integration",
        "Kubernetes",
        "Email in production",
        "Social log-in",
        "Uploaded files",
        "Background jobs",
        "Observability",
    ):
        term.wait_for(question)
        term.type("\r")
    assert term.finish() == 0, term.screen
    answers = yaml.safe_load((tmp_path / "site" / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "pty_probe"
    assert answers["framework"] == "django"  # the default derived from the use case
    assert answers["background_jobs"] is False  # a CMS has no work to push off the request
    assert answers["email_provider"] == "smtp"
    assert answers["social_login"] == []
    assert answers["media_storage"] == "local"
    assert answers["observability"] == ["metrics"]


def test_terminate_at_a_prompt_leaves_nothing(tmp_path: Path) -> None:
    term = Terminal(["scaffold", "new", "site"], cwd=tmp_path)
    term.wait_for("Project name")
    term.process.send_signal(signal.SIGTERM)
    assert term.finish() == 130, term.screen
    assert "nothing was changed" in term.screen
    assert list(tmp_path.iterdir()) == []


def test_a_refused_answer_is_shown_whole_on_an_80_column_terminal(tmp_path: Path) -> None:
    term = Terminal(["scaffold", "new", "site", "--no-git", "--no-lock"], cwd=tmp_path)
    # The terminal the program sees: 80 columns (prompt_toolkit asks the terminal, not $COLUMNS).
    fcntl.ioctl(term.master, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    term.wait_for("Project name")
    term.type("Pty Probe\r")
    term.wait_for("package name")
    term.type("\x15multiprocessing\r")  # Ctrl-U clears the suggested slug
    term.wait_for("would shadow an import; rename it")
    term.process.send_signal(signal.SIGTERM)
    assert term.finish() == 130, term.screen
