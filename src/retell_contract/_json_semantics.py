"""JSON's value semantics, defined once for strategies, checks, the mock and drift.

JSON Schema says ``true`` is not ``1``, ``1`` equals ``1.0`` (and is an integer), member
order in an object does not matter and item order in an array does. Every layer asks
these questions, and a second answer to any of them disagrees at the edges, so they are
answered here only. Integers are compared exactly, never through ``float``: ``10**400``
has no float and ``2**53 + 1`` is not ``2**53``.

A leaf module: it imports nothing from the package, so any layer may use it.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeGuard

# Names a discriminating member usually has; the first present wins over alphabetical order.
_PREFERRED = ("type", "role", "kind", "object", "event")
_TYPE_NAMES = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    str: "string",
    list: "array",
    dict: "object",
}


def is_number(value: object) -> TypeGuard[int | float]:
    """A JSON number: booleans are not numbers, as in JSON Schema."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_int(value: object) -> TypeGuard[int]:
    """A Python ``int`` that is no ``bool``: a whole number written without a fraction, as
    timestamps and versions must be (``2.0`` is a JSON Schema integer, not this)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_integer(value: object) -> bool:
    """A JSON Schema integer: a whole number, ``2.0`` included, however large."""
    return as_int(value) is not None


def as_int(value: object) -> int | None:
    """The ``int`` a JSON Schema integer stands for (``2.0`` → ``2``), else None."""
    if is_int(value):
        return value
    return int(value) if isinstance(value, float) and value.is_integer() else None


def json_type(value: object) -> str:
    """The JSON Schema type name of a parsed JSON value (``integer`` for any whole number)."""
    kind = _TYPE_NAMES.get(type(value))  # the exact types a parser returns: drift's hot path
    if kind is not None:
        return kind
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def json_key(value: Any) -> Hashable:
    """A hashable key that two values share exactly when :func:`same_json` holds for them."""
    kind = type(value)  # the exact types a parser returns first: drift keys every value it meets
    if kind is str:
        return ("string", value)
    if kind is int:
        return ("number", value)
    if kind is float:
        return ("number", _float_key(value))
    return _other_key(value)


def _other_key(value: Any) -> Hashable:
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return ("string", str(value))
    if isinstance(value, int):
        return ("number", int(value))
    if isinstance(value, float):
        return ("number", _float_key(float(value)))
    if isinstance(value, list | tuple):
        return ("array", tuple(json_key(item) for item in value))
    if isinstance(value, Mapping):
        return ("object", frozenset((name, json_key(item)) for name, item in value.items()))
    return ("other", type(value).__qualname__, repr(value))


def _float_key(value: float) -> int | float | str:
    if math.isnan(value):
        return "nan"  # NaN is not JSON, but parsers accept it; it equals itself here
    whole = as_int(value)
    return value if whole is None else whole


def same_json(left: Any, right: Any) -> bool:
    """JSON equality: numbers by exact value (``1 == 1.0``), ``true`` is not ``1``, key order is free."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if is_number(left) and is_number(right):
        return left == right or (left != left and right != right)  # exact for ints; NaN meets NaN
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(same_json(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right


def discriminator(branches: object) -> str | None:
    """The member that tells a union's object branches apart, if one does.

    Every branch must require it and pin it to strings (a non-empty ``enum``, or a
    ``const``), with no value in two branches: then one member's value alone picks the
    branch. Where several members qualify, the usual names (``type``, ``role``, ...) come
    first, then the alphabet, so the choice does not depend on the order of ``properties``.
    """
    if not isinstance(branches, Sequence) or isinstance(branches, str) or not branches:
        return None
    if not all(isinstance(branch, Mapping) for branch in branches):
        return None
    candidates = set.intersection(*(_pinned_members(branch) for branch in branches))
    for member in sorted(candidates, key=_preference):
        values = [value for branch in branches for value in _pinned(branch["properties"][member])]
        if len(values) == len(set(values)):
            return member
    return None


def _pinned_members(branch: Mapping[str, Any]) -> set[str]:
    properties = branch.get("properties")
    required = branch.get("required")
    if not isinstance(properties, Mapping) or not isinstance(required, list):
        return set()
    return {
        name
        for name, sub in properties.items()
        if name in required and isinstance(sub, Mapping) and _pinned(sub)
    }


def _pinned(sub: Mapping[str, Any]) -> list[str]:
    """The strings ``sub`` pins a member to (its ``const``, or its ``enum``), else none."""
    values = [sub["const"]] if "const" in sub else sub.get("enum")
    if isinstance(values, list) and all(isinstance(value, str) for value in values):
        return values
    return []


def _preference(name: str) -> tuple[int, str]:
    return (_PREFERRED.index(name) if name in _PREFERRED else len(_PREFERRED), name)
