"""Render one template version with recorded answers: all of it, or just a few files.

`update` needs the old version of the files a release removes, to tell the user's
edits from the template's text. Copier renders every path name of a template even
when told to write one file, which costs a third of a full copy, so `untouched_files`
first renders a copy of the version that holds only the files whose names could
become the wanted paths, and falls back to Copier's full walk for anything else.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from webscaffold.copierutil import copier_errors, copy_template
from webscaffold.errors import ScaffoldError
from webscaffold.gitutil import git

# Variables whose value depends on where and how the template was fetched: a pruned
# copy renders them differently, so files using them (or optional includes, which a
# pruned copy may lack) are always checked by the full render.
_SOURCE_DEPENDENT = re.compile(r"\b_(?:commit|src_path|vcs_ref|copier_conf)\b|ignore\s+missing")
_JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_CONFIG_FILES = ("copier.yml", "copier.yaml")
_INCLUDE_TAG = re.compile(r"\{%-?\s*(?:include|import|from|extends)\b(.*?)%\}", re.DOTALL)
_QUOTED = re.compile(r"(['\"])(.+?)\1")


def render_version(
    src: str,
    dest: Path,
    data: dict[str, Any],
    vcs_ref: str | None,
    *,
    only: Iterable[str] | None = None,
) -> None:
    """Plain Copier copy of one template version with the given answers (`only` some paths)."""
    # Exclude everything, then re-include each wanted path literally: less to write.
    wanted = list(only or ())
    exclude = ["*", *(f"!/{_glob_literal(path)}" for path in wanted)] if wanted else []
    with copier_errors(fault="template", prefix=f"cannot render {src} at {vcs_ref}: "):
        copy_template(src, dest, data, vcs_ref=vcs_ref, exclude=exclude)


def untouched_files(
    src: str, vcs_ref: str, data: dict[str, Any], current: Mapping[str, bytes]
) -> set[str]:
    """The paths whose `current` bytes are exactly what the template renders at `vcs_ref`."""
    untouched: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="scaffold-old-") as scratch:
        quick = Path(scratch) / "quick"
        for path in _render_pruned(src, vcs_ref, data, list(current), Path(scratch), quick):
            if _same(quick / path, current[path]):
                untouched.add(path)
        # Only a match is trusted from the pruned copy; every other path gets the full walk.
        rest = [path for path in current if path not in untouched]
        if rest:
            full = Path(scratch) / "full"
            render_version(src, full, data, vcs_ref, only=rest)
            untouched |= {path for path in rest if _same(full / path, current[path])}
    return untouched


def _same(rendered: Path, text: bytes) -> bool:
    return rendered.is_file() and not rendered.is_symlink() and rendered.read_bytes() == text


def _render_pruned(
    src: str, vcs_ref: str, data: dict[str, Any], wanted: list[str], scratch: Path, dest: Path
) -> list[str]:
    """Render what it can of `wanted` from a pruned copy of the version; those paths."""
    from jinja2 import TemplateError

    pruned = _pruned_copy(src, vcs_ref, wanted, scratch)
    if pruned is None:
        return []
    copy, renderable = pruned
    try:
        render_version(str(copy), dest, data, None, only=renderable)
    except (ScaffoldError, TemplateError):  # e.g. an include whose name is computed
        return []
    return renderable


def _pruned_copy(
    src: str, vcs_ref: str, wanted: list[str], scratch: Path
) -> tuple[Path, list[str]] | None:
    """A copy of the version holding only what rendering (some of) `wanted` needs.

    That is the config, the payload files whose names could render to a wanted path,
    and every file the kept ones include or import (by a literal name or name prefix).
    Paths that a source-dependent file could render are left to the full render.
    """
    repo = _local_objects(src, scratch)
    settings = _settings(repo, vcs_ref) if repo is not None else None
    if repo is None or settings is None:
        return None
    config, subdirectory, suffix = settings
    blobs = _listing(repo, vcs_ref)
    targets: dict[str, set[str]] = {}  # payload file -> the wanted paths it could render
    for path in blobs:
        pattern = name_pattern(path, config, subdirectory, suffix)
        matched = {target for target in wanted if pattern and pattern.fullmatch(target)}
        if matched:
            targets[path] = matched
    loaded = _contents(repo, blobs, [config, *targets]) if targets else None
    if loaded is None:
        return None
    unsafe = {
        target
        for path, matched in targets.items()
        if depends_on_source(_text(loaded[path]))
        for target in matched
    }
    renderable = [target for target in wanted if target not in unsafe]
    for path, matched in targets.items():
        if matched <= unsafe:
            del loaded[path]
    kept = _with_includes(repo, blobs, loaded) if renderable else None
    # The config and includes shape every kept file: if they depend on the source, nothing does.
    shared = [path for path in kept or () if path not in targets]
    if kept is None or any(depends_on_source(_text(kept[path])) for path in shared):
        return None
    copy = scratch / "template"
    for path, content in kept.items():
        (copy / path).parent.mkdir(parents=True, exist_ok=True)
        (copy / path).write_bytes(content)
    return copy, renderable


def _listing(repo: Path, ref: str) -> dict[str, str | None]:
    """Every file of a version: its blob id, or None for symlinks and submodules."""
    blobs: dict[str, str | None] = {}
    for entry in git(repo, "ls-tree", "-r", "-z", ref).stdout.split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            mode, _kind, oid = meta.split()
            blobs[path] = oid if mode in {"100644", "100755"} else None
    return blobs


def _contents(
    repo: Path, blobs: dict[str, str | None], paths: list[str]
) -> dict[str, bytes] | None:
    """The contents of some files of a version (None if one is a symlink or submodule)."""
    oids = [blobs.get(path) for path in paths]
    if not paths or any(oid is None for oid in oids):
        return None
    return dict(zip(paths, _blob_contents(repo, [oid for oid in oids if oid]), strict=True))


def _with_includes(
    repo: Path, blobs: dict[str, str | None], loaded: dict[str, bytes]
) -> dict[str, bytes] | None:
    """`loaded` plus every file its files include or import, transitively."""
    kept = dict(loaded)
    pending = kept
    while pending:
        found = {
            name
            for content in pending.values()
            for prefix in included_names(_text(content))
            for name in blobs
            if name.startswith(prefix) and name not in kept
        }
        if not found:
            break
        fetched = _contents(repo, blobs, sorted(found))
        if fetched is None:
            return None
        kept.update(fetched)
        pending = fetched
    return kept


def depends_on_source(text: str) -> bool:
    """Whether a template file renders differently depending on where it was fetched from."""
    return _SOURCE_DEPENDENT.search(text) is not None


def _text(content: bytes) -> str:
    return content.decode("utf-8", "replace")


def included_names(text: str) -> set[str]:
    """Literal names (or name prefixes, for computed names) in include-like Jinja tags."""
    return {
        match.group(2)
        for tag in _INCLUDE_TAG.finditer(text)
        for match in _QUOTED.finditer(tag.group(1))
    }


def _blob_contents(repo: Path, oids: list[str]) -> list[bytes]:
    """Blob contents in one git process, in the order asked."""
    result = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        input="".join(f"{oid}\n" for oid in oids).encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise ScaffoldError(f"git cat-file failed in {repo}")
    output, contents, offset = result.stdout, [], 0
    for _oid in oids:
        header_end = output.index(b"\n", offset)
        size = int(output[offset:header_end].split()[2])
        contents.append(output[header_end + 1 : header_end + 1 + size])
        offset = header_end + 1 + size + 1
    return contents


def _local_objects(src: str, scratch: Path) -> Path | None:
    """A git repository holding the template's objects, without copying a local one."""
    path = Path(src)
    if path.is_dir():
        return path
    if path.is_file():  # a git bundle: read it into a bare repository (no checkout)
        bare = scratch / "template.git"
        cloned = git(scratch, "clone", "--bare", "--quiet", str(path), str(bare), check=False)
        return bare if cloned.returncode == 0 else None
    return None  # a remote: Copier's own cache serves the full render better


def _settings(repo: Path, ref: str) -> tuple[str, str, str] | None:
    """The template's config file, payload folder and template suffix, if plainly written."""
    for name in _CONFIG_FILES:
        shown = git(repo, "show", f"{ref}:{name}", check=False)  # fails on an unknown ref too
        if shown.returncode != 0:
            continue
        try:
            config = yaml.safe_load(shown.stdout)
        except yaml.YAMLError:  # e.g. Copier's `!include` tags
            return None
        settings = config if isinstance(config, dict) else {}
        subdirectory = settings.get("_subdirectory", "")
        suffix = settings.get("_templates_suffix", ".jinja")
        plain = isinstance(subdirectory, str) and not _JINJA_TAG.search(subdirectory)
        if config is None or not plain or not isinstance(suffix, str) or not suffix:
            return None
        return name, subdirectory.strip("/"), suffix
    return None


def name_pattern(path: str, config: str, subdirectory: str, suffix: str) -> re.Pattern[str] | None:
    """What a payload file's name could render to, Jinja parts matching anything.

    None for the config and for files outside the payload folder.
    """
    if path == config or (subdirectory and not path.startswith(subdirectory + "/")):
        return None
    relative = path.removeprefix(f"{subdirectory}/" if subdirectory else "").removesuffix(suffix)
    pieces = _JINJA_TAG.split(relative)
    return re.compile(".*".join(re.escape(piece) for piece in pieces), re.DOTALL)


def _glob_literal(path: str) -> str:
    """A gitignore-style pattern matching exactly `path`."""
    return re.sub(r"[\\*?\[\]!#]", lambda match: "\\" + match.group(0), path)
