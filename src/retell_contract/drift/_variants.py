"""Tell the variants of a union apart, name them, and pair old variants with new ones.

References are inlined before comparing, so component names are gone; a variant is
known by its discriminating property instead (a property every variant pins to a few
values, such as a transcript entry's ``role``), else by its type, else by position.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from retell_contract._json_semantics import discriminator, json_key
from retell_contract.drift._canonical import Node, types_of

_SIMILAR_ENOUGH = 0.5


@dataclass(frozen=True)
class VariantMatch:
    """Indices: ``pairs`` of (old, new) that are the same variant, and the unmatched rest."""

    pairs: list[tuple[int, int]]
    removed: list[int]
    added: list[int]


@dataclass(frozen=True)
class VariantLabels:
    old: list[str]
    new: list[str]


def shared_discriminator(before: list[Node], after: list[Node]) -> str | None:
    """The discriminator both sides of a change agree on (a side with no variants has no say)."""
    names = {discriminator(side) for side in (before, after) if side}
    return names.pop() if len(names) == 1 else None


def pinned_values(variant: Node, name: str) -> set[Hashable]:
    """Value keys the discriminating property ``name`` may take in ``variant``."""
    return {json_key(v) for v in variant.get("properties", {}).get(name, {}).get("enum", ())}


def label(variant: Node, name: str | None, position: int, siblings: list[Node]) -> str:
    """A short, stable name for a variant, e.g. ``role=node_transition`` or ``string``."""
    if name is not None:
        values = variant["properties"][name]["enum"]
        return f"{name}={'|'.join(str(v) for v in values)}"
    own = types_of(variant)
    if own is not None and sum(types_of(other) == own for other in siblings) == 1:
        return " | ".join(sorted(own))
    return f"variant {position + 1}"


def labels_of(variants: list[Node], name: str | None) -> list[str]:
    """The label of each of ``variants``, told apart by the discriminating property ``name``."""
    return [label(variant, name, position, variants) for position, variant in enumerate(variants)]


def variant_labels(before: list[Node], after: list[Node]) -> VariantLabels:
    name = shared_discriminator(before, after)
    return VariantLabels(labels_of(before, name), labels_of(after, name))


def match_variants(before: list[Node], after: list[Node]) -> VariantMatch:
    """Pair variants: equal ones first, then by shared discriminator values, then by similarity."""
    name = shared_discriminator(before, after)
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs: list[tuple[int, int]] = []

    def take(candidates: list[tuple[float, int, int]]) -> None:
        for _score, i, j in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
            if i not in used_old and j not in used_new:
                used_old.add(i)
                used_new.add(j)
                pairs.append((i, j))

    def score(old: Node, new: Node) -> float:
        if name is None:
            return _similarity(old, new)
        return float(len(pinned_values(old, name) & pinned_values(new, name)))

    least = _SIMILAR_ENOUGH if name is None else 1.0  # with a discriminator: one shared value
    take([(1.0, i, j) for i, o in enumerate(before) for j, n in enumerate(after) if o == n])
    take(
        [(s, i, j) for i, o in enumerate(before) for j, n in enumerate(after) if (s := score(o, n)) >= least]
    )
    return VariantMatch(
        sorted(pairs),
        [i for i in range(len(before)) if i not in used_old],
        [j for j in range(len(after)) if j not in used_new],
    )


def _similarity(old: Node, new: Node) -> float:
    before, after = types_of(old), types_of(new)
    if before is not None and after is not None and not before & after:
        return 0.0
    names: tuple[Any, Any] = (set(old.get("properties", {})), set(new.get("properties", {})))
    union = names[0] | names[1]
    return 1.0 if not union else len(names[0] & names[1]) / len(union)
