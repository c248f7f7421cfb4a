"""A small deterministic covering-array generator (greedy, in the style of AETG).

`cover()` returns rows (one value per parameter) such that every *interaction* appears in
at least one row: every pair of values of any two parameters, and, with an `anchor`, every
triple made of one anchor value and values of any two other parameters. Seed rows come
first, unchanged. No randomness: candidates are built along fixed rotations of the
parameter order, and ties go to the value used least so far, then to the first declared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations, product
from typing import Any

Row = dict[str, Any]
Interaction = tuple[tuple[str, Any], ...]


def interactions(
    parameters: Mapping[str, Sequence[Any]], anchor: str | None = None
) -> set[Interaction]:
    """Everything a covering set of rows must contain at least once."""
    names = list(parameters)
    wanted: set[Interaction] = set()
    for first, second in combinations(names, 2):
        for one, two in product(parameters[first], parameters[second]):
            wanted.add(((first, one), (second, two)))
    if anchor is not None:
        others = [name for name in names if name != anchor]
        for first, second in combinations(others, 2):
            for lead, one, two in product(
                parameters[anchor], parameters[first], parameters[second]
            ):
                wanted.add(((anchor, lead), (first, one), (second, two)))
    return wanted


def covered_by(row: Row, names: Sequence[str], anchor: str | None = None) -> set[Interaction]:
    """The interactions a (possibly partial) row contains."""
    items = [(name, row[name]) for name in names if name in row]
    found: set[Interaction] = set(combinations(items, 2))
    if anchor is not None and anchor in row:
        rest = [item for item in items if item[0] != anchor]
        found |= {((anchor, row[anchor]), *pair) for pair in combinations(rest, 2)}
    return found


def cover(
    parameters: Mapping[str, Sequence[Any]],
    seeds: Sequence[Row] = (),
    anchor: str | None = None,
) -> list[Row]:
    """Seed rows, then greedy rows until every interaction is covered."""
    names = list(parameters)
    rows = [dict(seed) for seed in seeds]
    uncovered = interactions(parameters, anchor)
    for seed in rows:
        uncovered -= covered_by(seed, names, anchor)
    position = {name: index for index, name in enumerate(names)}

    def order_key(interaction: Interaction) -> list[tuple[int, int]]:
        return [(position[name], list(parameters[name]).index(v)) for name, v in interaction]

    def score(row: Row, used: Counter[tuple[str, Any]]) -> tuple[int, int]:
        """New interactions first; then prefer values used least so far."""
        new = len(covered_by(row, names, anchor) & uncovered)
        return new, -sum(used[(name, row[name])] for name in names if name in row)

    orders = [names[k:] + names[:k] for k in range(len(names))]
    orders += [order[::-1] for order in orders]
    while uncovered:
        # Each new row starts from the first uncovered interaction, so it covers at least one.
        start = min(uncovered, key=order_key)
        used = Counter((name, row[name]) for row in rows for name in names)
        candidates = []
        for order in orders:
            candidate: Row = dict(start)
            for name in order:
                if name not in candidate:
                    options = [{**candidate, name: value} for value in parameters[name]]
                    candidate = max(options, key=lambda option: score(option, used))
            candidates.append(candidate)
        best = max(candidates, key=lambda candidate: score(candidate, used))
        rows.append({name: best[name] for name in names})
        uncovered -= covered_by(best, names, anchor)
    return rows
