"""The template renders strictly: a name it does not define stops the render, naming it.

Without this, Jinja renders an undefined name (a misspelling, a macro import that was dropped) as
an empty string, and the project comes out subtly wrong instead of not at all. Every matrix row is
rendered through the same setting, so each row's render is the check that the template defines
every name it uses.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import copier
import pytest
from jinja2.exceptions import UndefinedError

from support import CANONICAL_ANSWERS, REPO_ROOT


def template_with(tmp_path: Path, name: str, body: str) -> Path:
    """The template with one more file, `name` under the payload, holding `body`."""
    root = tmp_path / "template-copy"
    root.mkdir()
    shutil.copy(REPO_ROOT / "copier.yml", root)
    for folder in ("template", "includes"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    (root / "template" / name).write_text(body, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("body", "name"),
    [
        pytest.param("{{ project_nmae }}\n", "project_nmae", id="misspelled-answer"),
        pytest.param("{{ api_path }}/auth/token\n", "api_path", id="macro-without-its-import"),
        pytest.param(
            "{%- from 'includes/usecases.jinja' import placed with context -%}\n"
            "{% for row in placed %}{{ row.no_such_field }}{% endfor %}\n",
            "no_such_field",
            id="a-field-no-row-has",
        ),
    ],
)
def test_an_undefined_name_stops_the_render_and_is_named(
    tmp_path: Path, body: str, name: str
) -> None:
    template = template_with(tmp_path, "probe.txt.jinja", body)
    with pytest.raises(UndefinedError) as raised:
        copier.run_copy(
            str(template),
            tmp_path / "project",
            data={**CANONICAL_ANSWERS, "framework": "django", "use_cases": ["e-commerce"]},
            defaults=True,
            quiet=True,
        )
    assert name in str(raised.value)
