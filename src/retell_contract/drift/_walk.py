"""Walk a JSON value alongside a canonical schema and report what the schema does not declare.

A recording holds thousands of responses checked against a handful of schema nodes, so
each node is prepared once (its types, enum keys, variant lookup, bounds) and reused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from retell_contract._json_semantics import discriminator, is_number, json_key, json_type
from retell_contract.drift import _rules as rules
from retell_contract.drift._canonical import Node, show_value, types_of
from retell_contract.drift._model import ChangeKind
from retell_contract.drift._schemas import describe_types
from retell_contract.drift._variants import labels_of, pinned_values

K = ChangeKind
Location = tuple[str, ...]
Finding = tuple[Location, ChangeKind, str, str]  # location, kind, rule condition, detail
Emit = Callable[[Finding], None]

_NUMERIC_BOUNDS: tuple[tuple[str, Callable[[float, float], bool]], ...] = (
    ("minimum", lambda value, bound: value >= bound),
    ("exclusiveMinimum", lambda value, bound: value > bound),
    ("maximum", lambda value, bound: value <= bound),
    ("exclusiveMaximum", lambda value, bound: value < bound),
)
_SIZE_BOUNDS: tuple[tuple[str, str, type], ...] = (
    ("minLength", "maxLength", str),
    ("minItems", "maxItems", list),
    ("minProperties", "maxProperties", dict),
)
_CONSTRAINTS = (
    {name for name, _ in _NUMERIC_BOUNDS}
    | {n for b in _SIZE_BOUNDS for n in b[:2]}
    | {
        "pattern",
        "uniqueItems",
    }
)


@dataclass(frozen=True)
class _Prepared:
    """What the walk needs from one schema node, computed once."""

    accepts: frozenset[str] | None  # JSON types allowed (integer included when number is)
    declared: str
    enum: frozenset[Hashable] | None
    constrained: bool
    variants: tuple[Node, ...]
    labels: tuple[str, ...]
    discriminator: str | None
    by_pinned_value: dict[Hashable, int]

    def allows(self, kind: str) -> bool:
        return self.accepts is None or kind in self.accepts


def _prepare(node: Node) -> _Prepared:
    types = types_of(node)
    accepts = None if types is None else types | ({"integer"} if "number" in types else set())
    enum = node.get("enum")
    variants = tuple(node.get("anyOf", ()))
    name = discriminator(list(variants)) if variants else None
    pinned: dict[Hashable, int] = {}
    if name is not None:
        for index, variant in enumerate(variants):
            for key in pinned_values(variant, name):
                pinned.setdefault(key, index)
    return _Prepared(
        accepts=None if accepts is None else frozenset(accepts),
        declared=describe_types(types),
        enum=None if enum is None else frozenset(json_key(v) for v in enum),
        constrained=bool(_CONSTRAINTS & set(node)),
        variants=variants,
        labels=tuple(labels_of(list(variants), name)),
        discriminator=name,
        by_pinned_value=pinned,
    )


class Walker:
    """Walks values against schema nodes; nodes must outlive the walker (they are cached by id)."""

    def __init__(self) -> None:
        self._prepared: dict[int, tuple[Node, _Prepared]] = {}

    def prepared(self, node: Node) -> _Prepared:
        entry = self._prepared.get(id(node))
        if entry is None or entry[0] is not node:
            entry = (node, _prepare(node))
            self._prepared[id(node)] = entry
        return entry[1]

    def walk(self, value: Any, node: Node, location: Location, emit: Emit) -> None:
        """Report where ``value`` goes beyond what the canonical schema ``node`` declares."""
        if not node:
            return  # anything goes
        facts = self.prepared(node)
        kind = json_type(value)
        if not facts.allows(kind):
            emit((location, K.TYPE_CHANGED, rules.OTHER, f"{kind} where {facts.declared} is declared"))
            return
        if value is None:
            return
        if facts.variants:
            self._walk_variant(value, facts, location, emit)
            return
        if facts.enum is not None and json_key(value) not in facts.enum:
            emit((location, K.ENUM_VALUE_ADDED, rules.ALWAYS, show_value(value)))
        if facts.constrained:
            for problem in constraint_problems(value, node):
                emit((location, K.CONSTRAINT_LOOSENED, rules.ALWAYS, problem))
        if isinstance(value, dict):
            self._walk_object(value, node, location, emit)
        elif isinstance(value, list):
            items = node.get("items", {})
            inner = (*location, "[]")
            for item in value:
                self.walk(item, items, inner, emit)

    def _walk_object(self, value: dict[str, Any], node: Node, location: Location, emit: Emit) -> None:
        properties = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value:
                emit(((*location, name), K.REQUIRED_REMOVED, rules.ALWAYS, ""))
        additional = node.get("additionalProperties")
        # An object that declares no fields is a free-form map (metadata, dynamic
        # variables): its keys are data, not fields the API added.
        free_form = not properties and additional is None
        for name, item in value.items():
            if name in properties:
                self.walk(item, properties[name], (*location, name), emit)
            elif isinstance(additional, dict):
                self.walk(item, additional, (*location, "*"), emit)
            elif not free_form:
                emit(((*location, name), K.FIELD_ADDED, rules.ALWAYS, ""))

    def _walk_variant(self, value: Any, facts: _Prepared, location: Location, emit: Emit) -> None:
        name = facts.discriminator
        if name is not None and isinstance(value, dict) and name in value:
            index = facts.by_pinned_value.get(json_key(value[name]))
            if index is None:
                emit((location, K.VARIANT_ADDED, rules.ALWAYS, f"{name}={show_value(value[name])}"))
            else:
                self.walk(value, facts.variants[index], (*location, f"({facts.labels[index]})"), emit)
            return
        attempts = []
        for index, variant in enumerate(facts.variants):
            findings: list[Finding] = []
            self.walk(value, variant, (*location, f"({facts.labels[index]})"), findings.append)
            if not findings:
                return
            attempts.append(findings)
        kind = json_type(value)
        if not any(self.prepared(variant).allows(kind) for variant in facts.variants):
            emit((location, K.VARIANT_ADDED, rules.ALWAYS, kind))
            return
        for finding in min(attempts, key=len):  # the closest variant explains the value best
            emit(finding)


def constraint_problems(value: Any, node: Node) -> list[str]:
    """The declared constraints ``value`` falls outside of, e.g. ``["minLength 1"]``."""
    problems = []
    if is_number(value):
        for name, within in _NUMERIC_BOUNDS:
            if name in node and not within(value, node[name]):
                problems.append(f"{name} {node[name]}")
    for low, high, kind in _SIZE_BOUNDS:
        if isinstance(value, str | list | dict) and isinstance(value, kind):
            if low in node and len(value) < node[low]:
                problems.append(f"{low} {node[low]}")
            if high in node and len(value) > node[high]:
                problems.append(f"{high} {node[high]}")
    pattern = node.get("pattern")
    if isinstance(value, str) and isinstance(pattern, str) and not _matches(pattern, value):
        problems.append(f"pattern {pattern}")
    if isinstance(value, list) and node.get("uniqueItems") and len({json_key(v) for v in value}) < len(value):
        problems.append("uniqueItems")
    return problems


def _matches(pattern: str, value: str) -> bool:
    try:
        return re.search(pattern, value) is not None
    except re.error:
        return True  # a pattern Python cannot read is not evidence of drift
