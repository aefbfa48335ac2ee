"""Values for a (sub)schema of the contract, for fields with no consistency rules.

Covers the JSON Schema the contract uses (type, enum, const, properties, required,
additionalProperties, items, discriminated oneOf, minLength/maxLength, minimum/maximum);
anything else falls back to any JSON value. ``complete=True`` includes every optional
property and at least one item per array, so that every nested field exists.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import strategies as st

from retell_contract.contracts import JsonSchema
from retell_contract.strategies import _json, _plausible

MAX_ITEMS = 4
ANY: JsonSchema = {}  # the schema that allows anything (one shared object: see _BUILT)
_MAX_INT = 2**31 - 1


def types_of(schema: JsonSchema) -> tuple[str, ...]:
    """The JSON types a schema's ``type`` allows (empty when it does not say)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    return tuple(t for t in declared if isinstance(t, str)) if isinstance(declared, list) else ()


# Built strategies, per schema object: building (and validating) a strategy costs more
# than drawing from it. Contract schemas live as long as their (cached) contract.
_BUILT: dict[tuple[int, bool, str, bool], tuple[JsonSchema, st.SearchStrategy[Any]]] = {}


def from_schema(
    schema: JsonSchema, *, complete: bool = False, name: str = "", believable: bool = False
) -> st.SearchStrategy[Any]:
    """Values valid under ``schema``; ``name`` (the field's name) only flavours strings.

    ``believable`` draws text a person would accept (see :mod:`._plausible`) and no
    hostile extra members, instead of the corners that break parsers.
    """
    key = (id(schema), complete, name, believable)
    built = _BUILT.get(key)
    if built is None or built[0] is not schema:
        built = _BUILT[key] = (schema, _build(schema, complete, name, believable))
    return built[1]


def _build(schema: JsonSchema, complete: bool, name: str, believable: bool) -> st.SearchStrategy[Any]:
    if "const" in schema:
        return st.just(schema["const"])
    if isinstance(schema.get("enum"), list):
        return st.sampled_from(schema["enum"])
    branches = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(branches, list) and branches:
        return st.one_of(
            [from_schema(b, complete=complete, name=name, believable=believable) for b in branches]
        )
    kinds = types_of(schema) or (("object",) if "properties" in schema else ())
    if not kinds:
        return _json.values()
    return st.one_of([_of_type(kind, schema, complete, name, believable) for kind in kinds])


def _of_type(
    kind: str, schema: JsonSchema, complete: bool, name: str, believable: bool
) -> st.SearchStrategy[Any]:
    if kind == "object":
        return objects(schema, complete=complete, believable=believable)
    if kind == "array":
        items: JsonSchema = schema["items"] if isinstance(schema.get("items"), dict) else ANY
        low = max(int(schema.get("minItems", 0)), 1 if complete else 0)
        unique = _canonical if schema.get("uniqueItems") is True else None
        elements = from_schema(items, complete=complete, name=name, believable=believable)
        return st.lists(elements, min_size=low, max_size=max(low, MAX_ITEMS), unique_by=unique)
    if kind == "string":
        return _strings(schema, name, believable)
    if kind == "integer":
        low, high = int(schema.get("minimum", 0)), int(schema.get("maximum", _MAX_INT))
        return st.integers(min_value=low, max_value=high)
    if kind == "number":
        bottom, top = float(schema.get("minimum", 0)), float(schema.get("maximum", 1e6))
        return st.one_of(
            st.integers(min_value=math.ceil(bottom), max_value=math.floor(top)),
            st.floats(min_value=bottom, max_value=top, allow_nan=False, allow_infinity=False),
        )
    if kind == "boolean":
        return st.booleans()
    return st.none()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _strings(schema: JsonSchema, name: str, believable: bool) -> st.SearchStrategy[str]:
    if name.endswith("_url") or name == "url" or schema.get("format") in ("uri", "url"):
        return st.builds(_url, st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=16))
    low = int(schema.get("minLength", 0))
    if believable and low <= 1 and "maxLength" not in schema and "pattern" not in schema:
        return _plausible.text_for(name)
    return st.text(_json._characters, min_size=low, max_size=int(schema.get("maxLength", max(low, 24))))


def _url(slug: str) -> str:
    return f"https://storage.example.com/calls/{slug}"


def objects(
    schema: JsonSchema, *, complete: bool = False, believable: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with the required properties, some (or all) optional ones, and maybe extras."""
    properties: dict[str, JsonSchema] = schema.get("properties", {})
    required = [n for n in schema.get("required", []) if isinstance(n, str)]

    def member(n: str, sub: JsonSchema) -> st.SearchStrategy[Any]:
        return from_schema(sub, complete=complete, name=n, believable=believable)

    strategies = {n: member(n, properties.get(n, ANY)) for n in required}
    optional = {n: member(n, sub) for n, sub in properties.items() if n not in required}
    if complete:
        fixed = st.fixed_dictionaries({**strategies, **optional})
    else:
        fixed = st.fixed_dictionaries(strategies, optional=optional)
    extra = schema.get("additionalProperties", True)
    if properties or extra is False:
        return fixed  # declared properties: extra keys would be drift, not data
    if believable and (not isinstance(extra, dict) or types_of(extra) in ((), ("string",))):
        return st.builds(lambda f, e: {**e, **f}, fixed, _plausible.variables())
    if isinstance(extra, dict):
        values = from_schema(extra)
    else:
        values = _json.scalars() if complete else _json.values(max_leaves=4)
    extras = st.dictionaries(_json.keys(), values, min_size=int(complete), max_size=3)
    return st.builds(lambda f, e: {**e, **f}, fixed, extras)
