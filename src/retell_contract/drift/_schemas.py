"""Compare two canonical schemas, judging each difference for the data's direction.

A field added to a request or response is reported once: nothing inside it is
walked, so a new optional ``agent_override`` with hundreds of nested properties is
one change, not hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from retell_contract._json_semantics import json_key
from retell_contract.drift import _rules as rules
from retell_contract.drift._canonical import Node, show_value, types_of
from retell_contract.drift._model import Change, ChangeKind, Direction
from retell_contract.drift._variants import match_variants, variant_labels

K = ChangeKind
Location = tuple[str, ...]

# (inclusive keyword, exclusive keyword or None, is a lower bound)
_BOUNDS = (
    ("minimum", "exclusiveMinimum", True),
    ("maximum", "exclusiveMaximum", False),
    ("minLength", None, True),
    ("maxLength", None, False),
    ("minItems", None, True),
    ("maxItems", None, False),
    ("minProperties", None, True),
    ("maxProperties", None, False),
    ("minContains", None, True),
    ("maxContains", None, False),
)
_PRESENCE = ("pattern", "format", "uniqueItems")
# The types of value each constraint binds (keywords not listed bind every type).
_NUMBERS = frozenset({"integer", "number"})
_BINDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("minLength", "maxLength", "pattern"), frozenset({"string"})),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), _NUMBERS),
    **dict.fromkeys(
        ("minItems", "maxItems", "uniqueItems", "minContains", "maxContains"), frozenset({"array"})
    ),
    **dict.fromkeys(("minProperties", "maxProperties"), frozenset({"object"})),
}
_STRUCTURAL = {"type", "enum", "anyOf", "properties", "required", "additionalProperties", "items"}
_HANDLED = (
    _STRUCTURAL
    | {name for bound in _BOUNDS for name in bound[:2] if isinstance(name, str)}
    | set(_PRESENCE)
    | {"multipleOf"}
)


@dataclass
class ChangeSink:
    """Collects changes for one operation and direction, judging each by the rules."""

    operation: str
    direction: Direction
    changes: list[Change] = field(default_factory=list)

    def report(
        self, location: Location, kind: ChangeKind, condition: str = rules.ALWAYS, detail: str = ""
    ) -> None:
        rule = rules.judge(kind, self.direction, condition)
        self.changes.append(Change(self.operation, location, kind, rule.severity, rule.reason, detail))


def compare_schemas(old: Node, new: Node, location: Location, sink: ChangeSink) -> None:
    """Report every difference between two canonical schemas under ``location``."""
    if old == new:
        return
    if "anyOf" in old or "anyOf" in new:
        # Variants carry their own types; only null-ness lives on the union itself.
        _compare_types(_nullness(old), _nullness(new), location, sink, shown=(old, new))
        _compare_variants(old, new, location, sink)
        if "anyOf" not in old or "anyOf" not in new:
            return  # the lone side was compared as a variant
    elif not _compare_types(old, new, location, sink):
        return  # disjoint types: what is inside no longer corresponds
    _compare_enum(old, new, location, sink)
    _compare_constraints(old, new, location, sink)
    if _allows(old, "object") and _allows(new, "object"):
        _compare_objects(old, new, location, sink)
    if _allows(old, "array") and _allows(new, "array"):
        compare_schemas(old.get("items", {}), new.get("items", {}), (*location, "[]"), sink)


def compare_top_level(old: Node, new: Node, location: Location, sink: ChangeSink) -> None:
    """Fields of two different objects compared one level deep: which are lost, gained or retyped.

    For a response replaced by another operation's (a deprecated operation's successor):
    what a client moving over needs is which fields it must now get elsewhere, not every
    nested difference between two unrelated objects. Fields of one type on both sides are
    no change, whatever lies inside them.
    """
    before, after = old.get("properties", {}), new.get("properties", {})
    for name in sorted(set(after) - set(before)):
        sink.report((*location, name), K.FIELD_ADDED, detail=describe_types(types_of(after[name])))
    for name in sorted(set(before) - set(after)):
        detail = describe_types(types_of(before[name]))
        sink.report((*location, name), K.FIELD_REMOVED, rules.SUCCESSOR, detail)
    for name in sorted(set(before) & set(after)):
        _compare_types(before[name], after[name], (*location, name), sink)
        if name in old.get("required", ()) and name not in new.get("required", ()):
            sink.report((*location, name), K.REQUIRED_REMOVED)


def describe_types(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return " | ".join(sorted(types, key=lambda kind: (kind == "null", kind))) or "nothing"


def covers(wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
    """Whether every value of type ``narrow`` is also of type ``wide`` (integer ⊂ number)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(kind in wide or (kind == "integer" and "number" in wide) for kind in narrow)


def _allows(node: Node, kind: str) -> bool:
    types = types_of(node)
    return types is None or kind in types


def _nullness(node: Node) -> Node:
    types = types_of(node)
    return {"type": ["null"] if types is None or "null" in types else []}


def _compare_types(
    old: Node, new: Node, location: Location, sink: ChangeSink, shown: tuple[Node, Node] | None = None
) -> bool:
    """Report a type change; False when the types no longer overlap at all."""
    before, after = types_of(old), types_of(new)
    if before == after:
        return True
    if sink.direction is Direction.REQUEST:
        condition = rules.WIDENED if covers(after, before) else rules.OTHER
    else:
        condition = rules.NARROWED if covers(before, after) else rules.OTHER
    old_shown, new_shown = shown or (old, new)
    detail = f"{describe_types(types_of(old_shown))} → {describe_types(types_of(new_shown))}"
    sink.report(location, K.TYPE_CHANGED, condition, detail)
    return covers(before, after) or covers(after, before) or bool((before or set()) & (after or set()))


def _compare_enum(old: Node, new: Node, location: Location, sink: ChangeSink) -> None:
    before, after = old.get("enum"), new.get("enum")
    if before == after:
        return
    if before is None:
        sink.report(location, K.CONSTRAINT_TIGHTENED, detail=f"enum {_values(after or [])} introduced")
        return
    if after is None:
        sink.report(location, K.CONSTRAINT_LOOSENED, detail="enum removed")
        return
    old_keys, new_keys = {json_key(v) for v in before}, {json_key(v) for v in after}
    added = [v for v in after if json_key(v) not in old_keys]
    removed = [v for v in before if json_key(v) not in new_keys]
    if added:
        sink.report(location, K.ENUM_VALUE_ADDED, detail=_values(added))
    if removed:
        sink.report(location, K.ENUM_VALUE_REMOVED, detail=_values(removed))


def _values(values: list[Any]) -> str:
    return ", ".join(show_value(v) for v in values)


def _compare_constraints(old: Node, new: Node, location: Location, sink: ChangeSink) -> None:
    old, new = _applicable(old, new), _applicable(new, old)
    for inclusive, exclusive, lower in _BOUNDS:
        before, after = _bound(old, inclusive, exclusive, lower), _bound(new, inclusive, exclusive, lower)
        if before != after:
            kind = _tightening(before, after)
            detail = (
                f"{_describe_bound(old, inclusive, exclusive)} → {_describe_bound(new, inclusive, exclusive)}"
            )
            sink.report(location, kind, detail=detail)
    for name in _PRESENCE:
        before, after = old.get(name), new.get(name)
        if before != after:
            kind = _presence_change(before, after)
            sink.report(location, kind, detail=f"{name} {_show(before)} → {_show(after)}")
    _compare_multiple_of(old.get("multipleOf"), new.get("multipleOf"), location, sink)
    for name in sorted((set(old) | set(new)) - _HANDLED):
        if old.get(name) != new.get(name):
            sink.report(location, K.CONSTRAINT_CHANGED, detail=f"{name} differs")


def _applicable(node: Node, other: Node) -> Node:
    """``node`` without the constraints that bind a type ``other`` does not allow.

    ``integer`` → ``integer | string`` with ``minLength: 1`` refuses no value that was
    accepted before: the bound only binds strings, and the type change already says strings
    are new.
    """
    types = types_of(other)
    if types is None:
        return node
    allowed = set(types) | ({"integer"} if "number" in types else set())
    return {name: value for name, value in node.items() if _BINDS.get(name) is None or _BINDS[name] & allowed}


def _bound(node: Node, inclusive: str, exclusive: str | None, lower: bool) -> tuple[Any, bool] | None:
    """The effective bound as a sortable (key, strict) pair where greater means tighter."""
    candidates = []
    if isinstance(node.get(inclusive), int | float):
        candidates.append((node[inclusive], False))
    if exclusive and isinstance(node.get(exclusive), int | float):
        candidates.append((node[exclusive], True))
    if not candidates:
        return None
    keyed = [(value if lower else -value, strict) for value, strict in candidates]
    return max(keyed)


def _tightening(before: tuple[Any, bool] | None, after: tuple[Any, bool] | None) -> ChangeKind:
    if before is None:
        return K.CONSTRAINT_TIGHTENED
    if after is None or after < before:
        return K.CONSTRAINT_LOOSENED
    return K.CONSTRAINT_TIGHTENED


def _presence_change(before: Any, after: Any) -> ChangeKind:
    """A constraint that appears tightens, one that goes loosens; a new value is neither."""
    if before is None:
        return K.CONSTRAINT_TIGHTENED
    return K.CONSTRAINT_LOOSENED if after is None else K.CONSTRAINT_CHANGED


def _describe_bound(node: Node, inclusive: str, exclusive: str | None) -> str:
    parts = [f"{name} {node[name]}" for name in (inclusive, exclusive) if name and name in node]
    return ", ".join(parts) or f"no {inclusive}"


def _show(value: Any) -> str:
    return "none" if value is None else str(value)


def _compare_multiple_of(before: Any, after: Any, location: Location, sink: ChangeSink) -> None:
    if before == after:
        return
    detail = f"multipleOf {_show(before)} → {_show(after)}"
    if before is None or after is None:
        kind = K.CONSTRAINT_TIGHTENED if before is None else K.CONSTRAINT_LOOSENED
    elif Fraction(str(after)) % Fraction(str(before)) == 0:
        kind = K.CONSTRAINT_TIGHTENED  # every multiple of the new step was already allowed
    elif Fraction(str(before)) % Fraction(str(after)) == 0:
        kind = K.CONSTRAINT_LOOSENED
    else:
        kind = K.CONSTRAINT_CHANGED
    sink.report(location, kind, detail=detail)


def _compare_objects(old: Node, new: Node, location: Location, sink: ChangeSink) -> None:
    before, after = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    request = sink.direction is Direction.REQUEST
    for name in sorted(set(after) - set(before)):
        condition = (rules.REQUIRED if name in new_required else rules.OPTIONAL) if request else rules.ALWAYS
        sink.report((*location, name), K.FIELD_ADDED, condition, describe_types(types_of(after[name])))
    for name in sorted(set(before) - set(after)):
        closed = new.get("additionalProperties") is False
        condition = (rules.CLOSED_OBJECT if closed else rules.OPEN_OBJECT) if request else rules.ALWAYS
        sink.report((*location, name), K.FIELD_REMOVED, condition, describe_types(types_of(before[name])))
    for name in sorted(set(before) & set(after)):
        compare_schemas(before[name], after[name], (*location, name), sink)
    for name in sorted(old_required ^ new_required):
        if (name in before) != (name in after):
            continue  # reported as the field's addition or removal
        kind = K.REQUIRED_ADDED if name in new_required else K.REQUIRED_REMOVED
        sink.report((*location, name), kind)
    _compare_additional(old.get("additionalProperties"), new.get("additionalProperties"), location, sink)


def _compare_additional(before: Any, after: Any, location: Location, sink: ChangeSink) -> None:
    """``None`` (any extra field), ``False`` (none) or a schema every extra field must match."""
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        compare_schemas(before, after, (*location, "*"), sink)
        return
    openness = {None: 2, False: 0}
    rank_before = openness.get(before, 1) if not isinstance(before, dict) else 1
    rank_after = openness.get(after, 1) if not isinstance(after, dict) else 1
    kind = K.CONSTRAINT_TIGHTENED if rank_after < rank_before else K.CONSTRAINT_LOOSENED
    sink.report(location, kind, detail=f"additionalProperties {_openness(before)} → {_openness(after)}")


def _openness(value: Any) -> str:
    return "allowed" if value is None else "forbidden" if value is False else "restricted by a schema"


def _variants_of(node: Node) -> list[Node]:
    if "anyOf" in node:
        return list(node["anyOf"])
    lone = dict(node)
    if "type" in lone:
        lone["type"] = [kind for kind in lone["type"] if kind != "null"]
    return [lone]


def _compare_variants(old: Node, new: Node, location: Location, sink: ChangeSink) -> None:
    before, after = _variants_of(old), _variants_of(new)
    labels = variant_labels(before, after)
    match = match_variants(before, after)
    for index in match.removed:
        sink.report(location, K.VARIANT_REMOVED, detail=labels.old[index])
    for index in match.added:
        sink.report(location, K.VARIANT_ADDED, detail=labels.new[index])
    for old_index, new_index in match.pairs:
        where = (*location, f"({labels.new[new_index]})") if len(after) > 1 else location
        compare_schemas(before[old_index], after[new_index], where, sink)
