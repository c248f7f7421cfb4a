"""render.py's Jinja scanning, case by case: what a pruned render keeps, matches and distrusts."""

from __future__ import annotations

import pytest

from webscaffold.render import depends_on_source, included_names, name_pattern


@pytest.mark.parametrize(
    ("text", "names"),
    [
        pytest.param("{% include 'includes/a.jinja' %}", {"includes/a.jinja"}, id="include"),
        pytest.param('{%- include "a.jinja" -%}', {"a.jinja"}, id="trimmed-double-quoted"),
        pytest.param(
            "{% from 'includes/names.jinja' import reserved %}",
            {"includes/names.jinja"},
            id="from-import",
        ),
        pytest.param("{% import 'macros.jinja' as m %}", {"macros.jinja"}, id="import"),
        pytest.param("{% extends 'base.jinja' %}", {"base.jinja"}, id="extends"),
        pytest.param("{% include\n   'split.jinja'\n%}", {"split.jinja"}, id="multi-line-tag"),
        pytest.param(
            "{% include ['first.jinja', 'second.jinja'] %}",
            {"first.jinja", "second.jinja"},
            id="list-of-candidates",
        ),
        pytest.param(
            "{% include 'includes/' ~ name ~ '.jinja' %}",
            {"includes/", ".jinja"},
            id="computed-name-gives-prefixes",
        ),
        pytest.param(
            "{% include 'a.jinja' %} and {% include 'b.jinja' %}", {"a.jinja", "b.jinja"}, id="two"
        ),
        pytest.param("{{ \"include 'x.jinja'\" }}", set(), id="an-expression-is-no-tag"),
        pytest.param("{% set include = 'x.jinja' %}", set(), id="a-variable-named-include"),
        pytest.param("{% if flag %}text{% endif %}", set(), id="no-include"),
    ],
)
def test_included_names(text: str, names: set[str]) -> None:
    assert included_names(text) == names


@pytest.mark.parametrize(
    ("path", "subdirectory", "matches", "misses"),
    [
        pytest.param("copier.yml", "template", [], [], id="the-config-renders-nothing"),
        pytest.param("README.md", "template", [], [], id="outside-the-payload"),
        pytest.param(
            "template/README.md.jinja",
            "template",
            ["README.md"],
            ["README.md.jinja", "docs/README.md"],
            id="suffix-dropped",
        ),
        pytest.param(
            "template/static/app.css",
            "template",
            ["static/app.css"],
            ["static/app.css.map"],
            id="copied-as-is",
        ),
        pytest.param(
            "template/{{project_slug}}/app.py.jinja",
            "template",
            ["shop/app.py", "my_shop/app.py"],
            ["shop/app.pyc", "app.py.jinja"],
            id="variable-directory",
        ),
        pytest.param(
            "template/{% if use_django %}manage.py{% endif %}.jinja",
            "template",
            ["manage.py", "manage.pyc"],  # a Jinja part may render to anything: a superset
            ["manage.txt", "tests/manage.txt"],
            id="conditional-name",
        ),
        pytest.param(
            "template/{{_copier_conf.answers_file}}.jinja",
            "template",
            [".copier-answers.yml", "anything"],
            [],
            id="name-all-jinja",
        ),
        pytest.param("docs/x.md", "", ["docs/x.md"], ["x.md"], id="no-subdirectory"),
    ],
)
def test_name_pattern(path: str, subdirectory: str, matches: list[str], misses: list[str]) -> None:
    pattern = name_pattern(path, "copier.yml", subdirectory, ".jinja")
    if not matches:
        assert pattern is None
        return
    assert pattern is not None
    for name in matches:
        assert pattern.fullmatch(name), name
    for name in misses:
        assert not pattern.fullmatch(name), name


@pytest.mark.parametrize(
    ("text", "dependent"),
    [
        pytest.param("{{ _commit }}", True, id="commit"),
        pytest.param("{{ _src_path }}", True, id="src-path"),
        pytest.param("{{ _vcs_ref }}", True, id="vcs-ref"),
        pytest.param("{{ _copier_conf.answers_file }}", True, id="copier-conf"),
        pytest.param("{% include 'x.jinja' ignore missing %}", True, id="optional-include"),
        pytest.param("{% include 'x.jinja' ignore\n  missing %}", True, id="optional-split"),
        pytest.param("{{ commit }}", False, id="a-plain-variable"),
        pytest.param("{{ my_commit }}", False, id="a-longer-name"),
        pytest.param("{{ _commits_total }}", False, id="a-longer-private-name"),
        pytest.param("{% include 'x.jinja' %}", False, id="a-required-include"),
    ],
)
def test_depends_on_source(text: str, dependent: bool) -> None:
    assert depends_on_source(text) is dependent
