"""MkDocs hook: show sections of a generated project's README, taken from the golden fixtures.

The fixtures in `tests/fixtures/` are real generated projects that CI keeps identical to what the
template makes, so a page embedding one of their README sections never drifts from the template. A
page asks with `<!-- generated-readme FIXTURE: HEADING -->` (the heading's text without its `#`s);
the section goes in with its headings shifted to start at level 3. A missing fixture or heading
fails the build, naming both.
"""

from __future__ import annotations

import re
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
MARKER = re.compile(
    r"^<!-- generated-readme (?P<fixture>[\w.-]+): (?P<heading>.+?) -->$", re.MULTILINE
)
HEADING = re.compile(r"^(#{1,6}) (.*)$")
LEVEL = 3  # the embedded section's top heading, under the page's own `##` sections


class SectionNotFoundError(LookupError):
    """A page names a fixture or heading that does not exist."""


def readme_section(fixture: str, heading: str) -> str:
    """The section under `heading`, up to the next heading of its level or higher, or the footer."""
    readme = FIXTURES / fixture / "README.md"
    if not readme.is_file():
        raise SectionNotFoundError(f"no generated README at {readme}")
    lines = readme.read_text(encoding="utf-8").splitlines()
    fence = False
    start = level = None
    for number, line in enumerate(lines):
        fence ^= line.startswith("```")
        if start is not None and not fence and line == "---":  # the README's closing footer
            return _shift(lines[start:number], LEVEL - (level or LEVEL))
        match = None if fence else HEADING.match(line)
        if not match:
            continue
        if start is None and match[2] == heading:
            start, level = number, len(match[1])
        elif start is not None and level is not None and len(match[1]) <= level:
            return _shift(lines[start:number], LEVEL - level)
    if start is None or level is None:
        raise SectionNotFoundError(f"{readme} has no heading {heading!r}")
    return _shift(lines[start:], LEVEL - level)


def _shift(lines: list[str], by: int) -> str:
    out, fence = [], False
    for line in lines:
        fence ^= line.startswith("```")
        match = None if fence else HEADING.match(line)
        out.append(f"{'#' * (len(match[1]) + by)} {match[2]}" if match else line)
    return "\n".join(out).rstrip() + "\n"


def on_page_markdown(markdown: str, **_: object) -> str:
    """MkDocs hook: replace every marker with its section."""
    return MARKER.sub(lambda m: readme_section(m["fixture"], m["heading"]), markdown)
