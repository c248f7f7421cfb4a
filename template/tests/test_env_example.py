"""`.env.example` lists every environment variable the project reads, and nothing else.

"Reads" is found in the code, not in a list kept by hand: `os.environ` and `os.getenv` calls,
the settings' `env_*` helpers, `dj_database_url.config()`, the fields of pydantic-settings
classes, and `${NAME}` in compose.yaml. Add a setting, and this test asks for its line.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / ".env.example"
NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# `NAME=value`, or `# NAME=value` for an optional one (the value shown is the default).
LISTED = re.compile(r"#?\s*([A-Z][A-Z0-9_]*)=")
SKIPPED_DIRS = {"tests", "migrations", "node_modules"}


def source_files() -> Iterator[Path]:
    """The project's own Python files: no tests, migrations, virtualenvs or caches."""
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts[:-1]
        if not any(part.startswith(".") or part in SKIPPED_DIRS for part in parts):
            yield path


def literal(node: ast.expr | None) -> str | None:
    """The value of a string literal that looks like an environment variable name."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if NAME.fullmatch(node.value) else None
    return None


def dotted(node: ast.expr) -> str:
    """`os.environ.get` for the expression `os.environ.get`; "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    """A keyword argument of a call, if given."""
    return next((item.value for item in call.keywords if item.arg == name), None)


def call_reads(call: ast.Call) -> Iterator[str]:
    """Variables one call reads."""
    function = dotted(call.func)
    first = call.args[0] if call.args else keyword(call, "key") or keyword(call, "name")
    owner, _, method = function.rpartition(".")
    environ = owner in {"os.environ", "environ"} and method in {"get", "setdefault", "pop"}
    getenv = function in {"os.getenv", "getenv"}
    if environ or getenv or method.startswith("env_"):
        found = literal(first)
    elif function == "dj_database_url.config":
        found = literal(keyword(call, "env")) or "DATABASE_URL"
    else:
        found = None
    if found:
        yield found


def settings_fields(cls: ast.ClassDef) -> Iterator[str]:
    """Variables a pydantic-settings class reads: its fields' names (or aliases), upper-cased."""
    prefix = ""
    for statement in cls.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "model_config"
            for target in statement.targets
        ):
            if isinstance(statement.value, ast.Call):
                prefix = (literal(keyword(statement.value, "env_prefix")) or "").upper()
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if dotted(statement.annotation).endswith("ClassVar"):
                continue
            alias = None
            if isinstance(statement.value, ast.Call):
                alias = keyword(statement.value, "validation_alias") or keyword(
                    statement.value, "alias"
                )
            named = alias.value if isinstance(alias, ast.Constant) else None
            yield str(named).upper() if named else prefix + statement.target.id.upper()


def read_in(path: Path) -> set[str]:
    """Every variable one Python file reads."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            names.update(call_reads(node))
        elif isinstance(node, ast.Subscript) and dotted(node.value) in {"os.environ", "environ"}:
            names.update(filter(None, [literal(node.slice)]))
        elif isinstance(node, ast.ClassDef) and any(
            dotted(base).endswith("BaseSettings") for base in node.bases
        ):
            names.update(settings_fields(node))
    return names


def readers() -> dict[str, list[str]]:
    """Each variable the project reads, with the files that read it."""
    found: dict[str, list[str]] = {}
    for path in source_files():
        for name in read_in(path):
            found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    compose = ROOT / "compose.yaml"
    for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose.read_text(encoding="utf-8")):
        found.setdefault(name, []).append(compose.name)
    return found


def listed() -> dict[str, int]:
    """Variables `.env.example` lists, with their line numbers; fails on an undescribed one."""
    names: dict[str, int] = {}
    described = False
    for number, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), start=1):
        match = LISTED.match(line)
        if match:
            assert described, f".env.example:{number}: say what {match[1]} means in a comment above"
            names[match[1]] = number
        else:
            # A comment describes the variables under it, up to the next blank line.
            described = line.startswith("#") and not line.startswith("# ──")
    return names


def test_every_variable_read_is_listed() -> None:
    missing = {name: files for name, files in readers().items() if name not in listed()}
    assert not missing, "\n".join(
        f"{name} is read by {', '.join(files)} but .env.example does not list it: "
        f"add `# {name}=<default>` with a comment saying what it means"
        for name, files in sorted(missing.items())
    )


def test_every_variable_listed_is_read() -> None:
    read = readers()
    stale = {name: line for name, line in listed().items() if name not in read}
    assert not stale, "\n".join(
        f".env.example:{line} lists {name}, which nothing in the project reads: remove it"
        for name, line in sorted(stale.items())
    )


def test_the_readers_are_found() -> None:
    # Guards the scan itself: the secret key is read in every project.
    assert "SECRET_KEY" in readers()
