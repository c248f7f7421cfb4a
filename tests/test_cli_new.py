"""`scaffold new`: what a user sees, and that bad input changes nothing."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import scaffold

NAME = ["--data", "project_name=Bar Probe"]


def answers_of(project: Path) -> dict[str, object]:
    loaded = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_new_with_defaults_commits_and_prints_next_steps(tmp_path: Path) -> None:
    code, output = scaffold("new", str(tmp_path / "bar"), *NAME)
    assert code == 0, output
    assert "Created Bar Probe" in output
    assert "uv sync" in output
    assert answers_of(tmp_path / "bar")["framework"] == "fastapi"
    log = subprocess.run(
        ["git", "log", "--oneline"],
        cwd=tmp_path / "bar",
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=tmp_path / "bar",
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_use_case_options_drive_the_framework(tmp_path: Path) -> None:
    code, output = scaffold(
        "new", str(tmp_path / "p"), *NAME, "--no-git", "-u", "cms", "-u", "ml-api"
    )
    assert code == 0, output
    answers = answers_of(tmp_path / "p")
    assert answers["use_cases"] == ["cms", "ml-api"]
    assert answers["framework"] == "hybrid"
    assert not (tmp_path / "p" / ".git").exists()


def test_framework_option_overrides_the_recommendation(tmp_path: Path) -> None:
    code, output = scaffold(
        "new", str(tmp_path / "p"), *NAME, "--no-git", "-u", "cms", "--framework", "fastapi"
    )
    assert code == 0, output
    assert answers_of(tmp_path / "p")["framework"] == "fastapi"


def test_data_file_answers(tmp_path: Path) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text("project_name: From File\nuse_cases: [e-commerce]\ndatabase: postgresql\n")
    code, output = scaffold("new", str(tmp_path / "p"), "--no-git", "--data-file", str(data_file))
    assert code == 0, output
    answers = answers_of(tmp_path / "p")
    assert answers["project_slug"] == "from_file"
    assert answers["framework"] == "django"
    assert answers["database"] == "postgresql"


def test_project_secret_lives_in_ignored_env_not_in_answers(tmp_path: Path) -> None:
    code, output = scaffold("new", str(tmp_path / "p"), *NAME)
    assert code == 0, output
    project = tmp_path / "p"
    if not (project / ".gitignore").is_file():
        pytest.fail("the template must ship a .gitignore that ignores .env")
    env = (project / ".env").read_text()
    assert "SECRET_KEY=" in env
    secret = env.split("SECRET_KEY=", 1)[1].split()[0]
    assert secret not in (project / ".copier-answers.yml").read_text()
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=project, capture_output=True, text=True, check=True
    ).stdout.split()
    assert ".env" not in tracked


def env_values(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize(
    ("framework", "opt_in"),
    [
        ("fastapi", ("ENVIRONMENT", "development")),
        ("django", ("DJANGO_SETTINGS_MODULE", "bar_probe.settings.local")),
        ("hybrid", ("DJANGO_SETTINGS_MODULE", "bar_probe.settings.local")),
    ],
)
def test_env_file_is_private_and_opts_into_development(
    tmp_path: Path, framework: str, opt_in: tuple[str, str]
) -> None:
    project = tmp_path / "p"
    code, output = scaffold("new", str(project), *NAME, "--no-git", "--framework", framework)
    assert code == 0, output
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600  # it holds the secret
    values = env_values(project)
    key, value = opt_in
    assert values[key] == value
    assert len(values["SECRET_KEY"]) >= 50  # the one key-strength rule of every framework
    other = {"ENVIRONMENT", "DJANGO_SETTINGS_MODULE"} - {key}
    assert not other & values.keys()


BAD_INPUT = [
    pytest.param(["--data", "project_slug=django"], "project_slug", id="invalid-answer"),
    pytest.param(["--data", "author_email=nope"], "author_email", id="invalid-email"),
    pytest.param(["--data", "colour=blue"], "unknown answer key 'colour'", id="unknown-key"),
    pytest.param(["--data", "no-equals-sign"], "KEY=VALUE", id="malformed-data"),
    pytest.param(["--data", "use_django=true"], "unknown answer key", id="derived-flag"),
    pytest.param(["-u", "blog"], "unknown use case 'blog'", id="unknown-use-case"),
    pytest.param(
        ["--framework", "flask"],
        "--framework: unknown framework 'flask'; choose from: django, fastapi, hybrid",
        id="unknown-framework",
    ),
    # Near misses name the intended value.
    pytest.param(
        ["-u", "ecommerce"], "use case 'ecommerce'; did you mean 'e-commerce'?", id="near-use-case"
    ),
    pytest.param(
        ["--framework", "djnago"], "framework 'djnago'; did you mean 'django'?", id="near-framework"
    ),
    pytest.param(
        ["--data", "databse=sqlite"], "key 'databse'; did you mean 'database'?", id="near-key"
    ),
    pytest.param(
        ["--data", "framework=djnago"], "'djnago'; did you mean 'django'?", id="near-choice"
    ),
    pytest.param(
        ["--data", "use_cases=[ecommerce]"],
        "'ecommerce'; did you mean 'e-commerce'?",
        id="near-choice-in-list",
    ),
    pytest.param(["--data", "database=mysql"], "database", id="bad-choice"),
    pytest.param(["--data", "use_cases=cms"], "use_cases must be a list", id="list-as-text"),
    pytest.param(["--data", "use_cases=[blog]"], "use_cases", id="unknown-in-list"),
]


@pytest.mark.parametrize(("extra", "message"), BAD_INPUT)
def test_bad_input_exits_2_and_creates_nothing(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    dest = tmp_path / "p"
    code, output = scaffold("new", str(dest), *NAME, *extra)
    assert code == 2, output
    assert message in output
    assert len(output.strip().splitlines()) == 1 or output.count("error:") == 1
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []  # no staging directory left behind


def test_missing_data_file(tmp_path: Path) -> None:
    code, output = scaffold("new", str(tmp_path / "p"), "--data-file", str(tmp_path / "nope.yml"))
    assert code == 2
    assert "no such file" in output
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("project_name: [unclosed\n", "not valid YAML", id="yaml-syntax"),
        pytest.param("- a list\n", "must be a mapping", id="not-a-mapping"),
        pytest.param("project_name: X\nuse_cases: cms\n", "must be a list", id="list-as-text"),
        pytest.param(
            "project_name: X\nflavour: mint\n", "unknown answer key 'flavour'", id="unknown-key"
        ),
    ],
)
def test_malformed_data_file(tmp_path: Path, content: str, message: str) -> None:
    data_file = tmp_path / "answers.yml"
    data_file.write_text(content)
    code, output = scaffold("new", str(tmp_path / "p"), "--data-file", str(data_file))
    assert code == 2, output
    assert message in output
    assert not (tmp_path / "p").exists()


def test_non_empty_destination_is_untouched(tmp_path: Path) -> None:
    dest = tmp_path / "p"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    code, output = scaffold("new", str(dest), *NAME)
    assert code == 2
    assert "exists and is not empty" in output
    assert [p.name for p in dest.iterdir()] == ["mine.txt"]
    assert (dest / "mine.txt").read_text() == "keep me"


def test_empty_destination_is_filled(tmp_path: Path) -> None:
    dest = tmp_path / "p"
    dest.mkdir()
    code, output = scaffold("new", str(dest), *NAME, "--no-git")
    assert code == 0, output
    assert (dest / ".copier-answers.yml").is_file()


def test_without_a_terminal_a_missing_answer_is_named(tmp_path: Path) -> None:
    code, output = scaffold("new", str(tmp_path / "p"))
    assert code == 2
    assert "project_name" in output
    assert "--data project_name=" in output
    assert not (tmp_path / "p").exists()


def test_never_prompts_without_a_tty(tmp_path: Path) -> None:
    """A real process with stdin closed: it must answer at once, not wait for input."""
    result = subprocess.run(
        ["scaffold", "new", str(tmp_path / "p")],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "project_name" in result.stderr
    assert "Traceback" not in result.stderr


def test_version() -> None:
    code, output = scaffold("--version")
    assert code == 0
    assert output.startswith("scaffold ")


def test_brackets_in_a_name_and_in_a_message_are_printed(tmp_path: Path) -> None:
    code, output = scaffold(
        "new", str(tmp_path / "p"), "--no-git", "--data", "project_name=Shop [beta]"
    )
    assert code == 0, output
    assert "Created Shop [beta] in" in output
    code, output = scaffold("new", str(tmp_path / "q"), *NAME, "--data", "use_cases=cms")
    assert code == 2
    assert "e.g. --data 'use_cases=[e-commerce, cms]'" in output


def test_spaces_around_the_project_name_are_dropped(tmp_path: Path) -> None:
    project = tmp_path / "p"
    code, output = scaffold(
        "new", str(project), "--no-git", "--framework", "django", "-d", "project_name=   Orbit  "
    )
    assert code == 0, output
    assert answers_of(project)["project_name"] == "Orbit"
    settings = (project / "orbit" / "settings" / "base.py").read_text()
    assert 'SITE_NAME = "Orbit"\n' in settings


@pytest.mark.parametrize(
    ("options", "advice"),
    [
        (
            ["--framework", "fastapi", "-u", "e-commerce", "-u", "ml-api"],
            ["e-commerce needs Django's side: pass --framework hybrid to keep it"],
        ),
        (
            ["--framework", "django", "-u", "cms", "-u", "real-time", "-u", "ml-api"],
            [
                "ml-api needs FastAPI's side: pass --framework hybrid to keep it",
                "real-time needs FastAPI's side: pass --framework hybrid to keep it",
            ],
        ),
        (["-u", "cms", "-u", "ml-api"], []),  # the recommended hybrid keeps both
    ],
)
def test_use_cases_the_framework_leaves_out_are_named(
    tmp_path: Path, options: list[str], advice: list[str]
) -> None:
    code, output = scaffold("new", str(tmp_path / "p"), *NAME, "--no-git", *options)
    assert code == 0, output
    notes = [line.removeprefix("note: ") for line in output.splitlines() if "needs" in line]
    assert sorted(notes) == advice


def test_next_steps_name_the_projects_own_test_command(tmp_path: Path) -> None:
    code, output = scaffold("new", str(tmp_path / "p"), *NAME, "--no-git")
    assert code == 0, output
    steps = output.split("Next steps:", 1)[1].splitlines()
    assert [step.split("#")[0].strip() for step in steps[1:4]] == [
        f"cd {tmp_path / 'p'}",
        "uv sync",
        "uv run pytest",
    ]


def test_a_destination_through_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, output = scaffold("new", str(tmp_path / "notes.txt" / "inner"), *NAME)
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1
    assert "notes.txt is a file, not a directory" in output
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_a_destination_nobody_may_write_is_refused() -> None:
    # The kernel refuses new files in /proc to everyone, root included.
    code, output = scaffold("new", "/proc/scaffold-test/site", *NAME)
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1
    assert "cannot create /proc/scaffold-test/site: /proc is not writable" in output


def test_new_help_shows_real_metavars() -> None:
    code, output = scaffold("new", "--help")
    assert code == 0
    assert "{dest}" not in output
    assert "<list[str]>" not in output
    for metavar in ("DIR", "--use-case USE_CASE", "--data KEY=VALUE", "--framework NAME"):
        assert metavar in output, metavar


def test_help_lists_every_command_whole_with_maintainer_commands_apart() -> None:
    code, short = scaffold("-h")
    assert code == 0
    assert scaffold("--help").output == short
    commands, _, maintainer = short.partition("Maintainer commands:")
    assert "..." not in commands.partition("Commands:")[2] + maintainer
    assert "  fixtures " in maintainer
    assert "fixtures" not in commands.partition("Commands:")[2]
    described = " ".join(short.split())
    for line in (
        "update Update a project to a newer template version, keeping your changes.",
        "check Is the project behind its template, and which files drifted from it?",
        "fixtures Regenerate or check golden fixture projects",
    ):
        assert line in described, line
    assert "--install-completion" in short
    assert "--show-completion" in short


def test_usage_line_shows_a_required_argument_plainly() -> None:
    code, output = scaffold("new", "-h")
    assert code == 0
    assert output.splitlines()[0] == "Usage: scaffold new [OPTIONS] DIR"
    assert (
        "Usage: scaffold fixtures regen [OPTIONS] DIR" in scaffold("fixtures", "regen", "-h").output
    )


# Typer finds the shell among the command's parent processes: start it from bash, as a user does.
IN_BASH = ["bash", "-c", '"$0" "$@"; exit $?', str(Path(sys.executable).with_name("scaffold"))]


def test_shell_completion_script_is_shown() -> None:
    result = subprocess.run(
        [*IN_BASH, "--show-completion", "bash"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "complete -o default -F _scaffold_completion scaffold" in result.stdout


def test_install_completion_as_the_readme_says(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    result = subprocess.run(
        [*IN_BASH, "--install-completion", "bash"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "bash completion installed" in result.stdout
    assert "scaffold" in (tmp_path / ".bashrc").read_text()


def test_help_imports_no_heavy_library() -> None:
    """`scaffold --help` stays fast: Copier, YAML, Jinja and Rich load only when a command runs."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "webscaffold", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "webscaffold.cli" in imported
    heavy = {
        name for name in imported if name.split(".")[0] in {"copier", "yaml", "jinja2", "rich"}
    }
    assert heavy == set()
