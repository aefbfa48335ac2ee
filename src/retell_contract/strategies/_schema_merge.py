"""Fold ``allOf`` (and a combinator's branch) into one schema to generate from.

``merge(a, b)`` returns a schema whose instances are those valid under both, where the
keyword rules below can say so exactly, and tells the caller when it could not (two
different patterns, say): the generator then filters its draws with a validator of the
original schema, so a lost constraint costs rejected draws, never an invalid value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from retell_contract._json_semantics import is_int, json_key
from retell_contract.contracts import JsonSchema

Schema = JsonSchema | bool

# Keywords that only annotate: a conflict between them changes no instance's validity.
ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "$schema",
        "$id",
        "$anchor",
        "contentMediaType",
        "contentEncoding",
        "discriminator",
        "xml",
        "externalDocs",
    }
)
_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
# Keywords that read their siblings: merging them across two schemas changes their meaning.
_ENTANGLED = {
    "additionalProperties": ("properties", "patternProperties"),
    "items": ("prefixItems",),
    "minContains": ("contains",),
    "maxContains": ("contains",),
    "then": ("if",),
    "else": ("if",),
}


def fold(schema: Schema) -> tuple[Schema, bool]:
    """``schema`` with its ``allOf`` merged in, and whether the merge kept every constraint."""
    if isinstance(schema, bool) or not isinstance(schema.get("allOf"), list):
        return schema, True
    base: Schema = {k: v for k, v in schema.items() if k != "allOf"}
    exact = True
    for part in schema["allOf"]:
        folded, part_exact = fold(part)
        base, merged_exact = merge(base, folded)
        exact = exact and part_exact and merged_exact
        if base is False:
            return False, True
    return base, exact


def merge(a: Schema, b: Schema) -> tuple[Schema, bool]:
    """A schema for values valid under both ``a`` and ``b``; False when none can be."""
    if a is True or b is False:
        return b, True
    if b is True or a is False:
        return a, True
    assert isinstance(a, dict)
    assert isinstance(b, dict)
    out, exact = dict(a), True
    for key, theirs in b.items():
        if key not in out:
            out[key] = theirs
            continue
        mine = out[key]
        if json_key(mine) == json_key(theirs) or key in ANNOTATIONS or key.startswith("x-"):
            continue
        rule = _RULES.get(key)
        result = rule(mine, theirs) if rule is not None else None
        if result is None:
            exact = False  # keep ours; the caller's validator holds the draws to theirs
        elif result is _EMPTY:
            return False, True
        else:
            out[key] = result
    return out, exact and not _entangled(out, a, b)


def _entangled(out: JsonSchema, a: JsonSchema, b: JsonSchema) -> bool:
    """Whether a keyword now sits beside siblings other than those it was written with."""
    for key, siblings in _ENTANGLED.items():
        for owner in (a, b):
            if owner.get(key, True) is not True and any(
                json_key(owner.get(s)) != json_key(out.get(s)) for s in siblings
            ):
                return True
    return False


_EMPTY = object()  # a rule's answer when no value satisfies both


def _types(mine: Any, theirs: Any) -> Any:
    left = {mine} if isinstance(mine, str) else set(mine)
    right = {theirs} if isinstance(theirs, str) else set(theirs)
    both = left & right
    for wide, narrow in (("number", "integer"),):
        if (wide in left and narrow in right) or (wide in right and narrow in left):
            both.add(narrow)
    return sorted(both) if both else _EMPTY


def _enum(mine: Any, theirs: Any) -> Any:
    keys = {json_key(v) for v in theirs}
    common = [v for v in mine if json_key(v) in keys]
    return common or _EMPTY


def _union(mine: Any, theirs: Any) -> Any:
    return [*mine, *(n for n in theirs if n not in mine)]


def _schema_maps(mine: Any, theirs: Any) -> Any:
    out = dict(mine)
    for name, sub in theirs.items():
        out[name] = {"allOf": [out[name], sub]} if name in out else sub
    return out


def _both(mine: Any, theirs: Any) -> Any:
    return {"allOf": [mine, theirs]}


def _multiple(mine: Any, theirs: Any) -> Any:
    if is_int(mine) and is_int(theirs):
        return math.lcm(mine, theirs)
    return None


_RULES: dict[str, Callable[[Any, Any], Any]] = {
    "type": _types,
    "enum": _enum,
    "const": lambda mine, theirs: _EMPTY,  # equal consts were kept above
    "required": _union,
    "properties": _schema_maps,
    "patternProperties": _schema_maps,
    "dependentSchemas": _schema_maps,
    "dependentRequired": lambda mine, theirs: {
        k: _union(mine.get(k, []), theirs.get(k, [])) for k in {**mine, **theirs}
    },
    "propertyNames": _both,
    "items": _both,  # only reached when both schemas agree on prefixItems
    "additionalProperties": lambda mine, theirs: (
        False if mine is False or theirs is False else _both(mine, theirs)
    ),
    "not": lambda mine, theirs: {"anyOf": [mine, theirs]},
    "uniqueItems": lambda mine, theirs: bool(mine or theirs),
    "multipleOf": _multiple,
    **dict.fromkeys(_LOWER_BOUNDS, max),
    **dict.fromkeys(_UPPER_BOUNDS, min),
}
