"""MkDocs hook: the options reference, rendered from `copier.yml` each time the site is built.

A page opts in with the line `<!-- options-reference -->`; the hook replaces it with one section
per question (type, choices, default and how it is derived, help, validator messages) and a table
of the computed flags (`when: false`). Nothing is written by hand: a new question appears by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, nodes

MARKER = "<!-- options-reference -->"
REPO_ROOT = Path(__file__).resolve().parents[2]

# Only the syntax is needed (no rendering), so Copier's own filters need not be registered.
_JINJA = Environment(autoescape=False)  # noqa: S701 - parsed for display, never rendered to HTML


def load_questions(copier_yml: Path) -> dict[str, dict[str, Any]]:
    """The questions of `copier_yml` in order; shorthand ones (`key: default`) expanded."""
    questions: dict[str, dict[str, Any]] = {}
    for document in yaml.safe_load_all(copier_yml.read_text(encoding="utf-8")):
        for key, spec in (document or {}).items():
            if not key.startswith("_"):
                questions[key] = spec if isinstance(spec, dict) else {"default": spec}
    return questions


def is_computed(spec: dict[str, Any]) -> bool:
    """Never asked: Copier computes the value from its default expression."""
    return spec.get("when") is False or str(spec.get("when", "")).strip().lower() == "false"


def _is_expression(value: object) -> bool:
    return isinstance(value, str) and ("{{" in value or "{%" in value)


def _source(node: nodes.Node) -> str:
    """A compact rendering of an expression node, for messages that interpolate answers."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_source(node.node)} | {node.name}"
    return "…"


def validator_messages(validator: str) -> list[str]:
    """The messages a validator can return: each output block, answers shown as `{{ name }}`."""
    messages = []
    for output in _JINJA.parse(validator).find_all(nodes.Output):
        parts = [
            child.data if isinstance(child, nodes.TemplateData) else f"{{{{ {_source(child)} }}}}"
            for child in output.nodes
        ]
        message = " ".join("".join(parts).split())
        if message:
            messages.append(message)
    return messages


def _type(spec: dict[str, Any]) -> str:
    kind = str(spec.get("type", "str" if "choices" in spec else _infer(spec.get("default"))))
    if spec.get("multiselect"):
        return f"list of {kind} (pick any number)"
    if "choices" in spec:
        return f"{kind} (one choice)"
    return kind


def _infer(default: object) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, list):
        return "list"
    return "str" if default is None or isinstance(default, str) else "yaml"


def _choices(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    choices = spec.get("choices")
    if isinstance(choices, dict):
        for label, value in choices.items():
            yield str(value if not isinstance(value, dict) else value.get("value")), str(label)
    elif isinstance(choices, list):
        for choice in choices:
            if isinstance(choice, list | tuple) and len(choice) == 2:  # noqa: PLR2004 - [label, value]
                yield str(choice[1]), str(choice[0])
            else:
                yield str(choice), ""


def _literal(value: object) -> str:
    if value is None:
        return "none: an answer is required"
    text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
    return f"`{text}`"


def _fence(expression: str) -> list[str]:
    # Folded YAML (`>-`) joins the lines of multi-statement expressions: one statement a line again.
    return ["```jinja", *re.sub(r"%\}\s+(?=\{)", "%}\n", expression.strip()).splitlines(), "```"]


def render_question(name: str, spec: dict[str, Any]) -> list[str]:
    """One question as Markdown: a heading named after its answer key, then its facts."""
    lines = [f"### `{name}`", ""]
    if spec.get("help"):
        lines += [str(spec["help"]).strip(), ""]
    lines.append(f"- **Type:** {_type(spec)}")
    if spec.get("secret"):
        lines.append("- **Secret:** yes: never written to the answers file")
    when = spec.get("when")
    if _is_expression(when):
        lines.append(f"- **Asked when:** `{str(when).strip()}`")
    choices = list(_choices(spec))
    if choices:
        lines.append("- **Choices:**")
        lines += [f"    - `{value}`" + (f": {label}" if label else "") for value, label in choices]
    default = spec.get("default")
    if _is_expression(default):
        lines += ["- **Default:** derived from earlier answers:", ""]
        lines += ["    " + line for line in _fence(str(default))]
    else:
        lines.append(f"- **Default:** {_literal(default)}")
    validator = spec.get("validator")
    if validator:
        lines.append("- **Refused with:**")
        lines += [f"    - {message}" for message in validator_messages(str(validator))]
    return [*lines, ""]


def render_computed(questions: dict[str, dict[str, Any]]) -> list[str]:
    """The computed flags: never asked, never accepted as answers; each with its expression."""
    lines = ["| flag | type | computed as |", "| --- | --- | --- |"]
    for name, spec in questions.items():
        expression = " ".join(str(spec.get("default", "")).split())  # a code span keeps its pipes
        lines.append(f"| `{name}` | {spec.get('type', 'str')} | `{expression}` |")
    return [*lines, ""]


def render_options(copier_yml: Path) -> str:
    """The whole reference as Markdown."""
    questions = load_questions(copier_yml)
    asked = {name: spec for name, spec in questions.items() if not is_computed(spec)}
    computed = {name: spec for name, spec in questions.items() if is_computed(spec)}
    lines = [f"## Questions ({len(asked)})", ""]
    for name, spec in asked.items():
        lines += render_question(name, spec)
    if computed:
        lines += [f"## Computed flags ({len(computed)})", ""]
        lines += [
            "Copier computes these from the answers (`when: false`): they are never asked, and",
            "templates and file names test them instead of repeating the comparisons.",
            "",
            *render_computed(computed),
        ]
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: object) -> str:
    """MkDocs hook: fill in the marker on any page that carries it."""
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, render_options(REPO_ROOT / "copier.yml"))
