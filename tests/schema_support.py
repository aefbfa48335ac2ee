"""A Hypothesis strategy for satisfiable JSON Schemas (2020-12), nested, for property tests.

Schemas are built so that some value satisfies them (an allOf is one schema's keywords
split into parts, oneOf branches have different types, contains only where items are
free), so a test can demand that from_schema draws from every one of them.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NAMES = st.sampled_from(["a", "b", "c", "d", "e"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from(["x", "yz", ""]))
# Patterns with the shortest length a match needs (lengths are drawn above it).
PATTERNS = {"^[a-z]+$": 1, "\\d{2,}": 2, "^ab": 2, "x$": 1, "^[A-F0-9]{4}-[0-9]$": 6}
FORMATS = ["uri", "date-time", "date", "email", "uuid", "ipv4", "ipv6"]
TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]


@st.composite
def string_schemas(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    shortest = 0
    if draw(st.booleans()):
        pattern = draw(st.sampled_from(sorted(PATTERNS)))
        schema["pattern"], shortest = pattern, PATTERNS[pattern]
    elif draw(st.booleans()):
        schema["format"] = draw(st.sampled_from(FORMATS))
        return schema
    low = draw(st.integers(0, 3))
    if draw(st.booleans()):
        schema["minLength"] = low
    if draw(st.booleans()):
        schema["maxLength"] = max(low, shortest) + draw(st.integers(0, 6))
    return schema


@st.composite
def number_schemas(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["integer", "number"]))
    schema: dict[str, Any] = {"type": kind}
    low = draw(st.integers(-100, 100) if kind == "integer" else st.floats(-100, 100))
    step = draw(st.sampled_from([None, 1, 2, 3, 5] if kind == "integer" else [None, 0.5, 0.25, 2]))
    width = draw(st.integers(0, 20)) + (2 * (step or 1) if step else 0)
    if draw(st.booleans()):
        schema["exclusiveMinimum" if draw(st.booleans()) else "minimum"] = low
    if draw(st.booleans()):
        schema["exclusiveMaximum" if draw(st.booleans()) else "maximum"] = low + width + 2
    if step is not None:
        schema["multipleOf"] = step
    return schema


LEAVES = st.one_of(
    string_schemas(),
    number_schemas(),
    st.sampled_from([{"type": "null"}, {"type": "boolean"}, {}, True]),
    st.lists(SCALARS, min_size=1, max_size=4).map(lambda values: {"enum": values}),
    SCALARS.map(lambda value: {"const": value}),
    st.lists(st.sampled_from(TYPES), min_size=1, max_size=3, unique=True).map(lambda t: {"type": t}),
)


@st.composite
def object_schemas(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> dict[str, Any]:
    properties = draw(st.dictionaries(NAMES, sub, max_size=3))
    schema: dict[str, Any] = {"type": "object"} if draw(st.booleans()) else {}
    if properties or draw(st.booleans()):
        schema["properties"] = properties
    extra = draw(st.sampled_from(["absent", "true", "false", "schema"]))
    if extra != "absent":
        schema["additionalProperties"] = {"true": True, "false": False}.get(extra) or draw(sub)
    names = sorted(properties)
    closed = extra in ("false", "schema")
    if names:
        schema["required"] = draw(st.lists(st.sampled_from(names), unique=True))
        if len(names) > 1 and draw(st.booleans()):
            schema["dependentRequired"] = {names[0]: [names[1]]}
        if len(names) > 1 and draw(st.booleans()):
            schema["dependentSchemas"] = {names[0]: {"required": [names[1]]}}
    if draw(st.booleans()):
        # With additionalProperties false, only the declared properties count.
        schema["minProperties"] = draw(st.integers(0, len(names) if closed else 3))
    if draw(st.booleans()):
        schema["maxProperties"] = len(names) + draw(st.integers(0, 2))
    if not closed and draw(st.booleans()):
        schema["patternProperties"] = {"^x": draw(sub)}
    if draw(st.booleans()):
        schema["propertyNames"] = draw(st.sampled_from([{"maxLength": 6}, {"pattern": "^[a-z]"}]))
    return schema


@st.composite
def array_schemas(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"} if draw(st.booleans()) else {}
    prefix = draw(st.lists(sub, max_size=2))
    if prefix:
        schema["prefixItems"] = prefix
    items = draw(st.sampled_from(["absent", "schema", "false"]))
    if items == "schema":
        schema["items"] = draw(sub)
    elif items == "false" and prefix:
        schema["items"] = False
    low = draw(st.integers(0, len(prefix) if items == "false" else 2))
    schema["minItems"] = low
    if draw(st.booleans()):
        schema["maxItems"] = low + (0 if items == "false" else draw(st.integers(0, 3)))
    if low <= 1 and draw(st.booleans()):
        schema["uniqueItems"] = True
    if items == "absent" and not prefix and draw(st.booleans()):
        schema["contains"] = draw(LEAVES)
        least = draw(st.integers(0, 2))
        schema["minContains"] = least
        schema["maxContains"] = least + draw(st.integers(0, 2))
        schema.pop("maxItems", None)
        schema.pop("uniqueItems", None)
    return schema


def _split(schema: dict[str, Any], cut: list[bool]) -> dict[str, Any]:
    """The same constraints as one allOf: keywords that read their siblings stay together."""
    groups: dict[str, list[str]] = {}
    together = {
        "additionalProperties": "properties",
        "patternProperties": "properties",
        "items": "prefixItems",
    }
    together |= {"minContains": "contains", "maxContains": "contains", "dependentSchemas": "properties"}
    for key in schema:
        groups.setdefault(together.get(key, key), []).append(key)
    parts: list[dict[str, Any]] = [{}, {}]
    for (_, keys), second in zip(groups.items(), cut * len(groups), strict=False):
        parts[int(second)].update({k: schema[k] for k in keys})
    return {"allOf": [p for p in parts if p] or [{}]}


@st.composite
def combined_schemas(draw: st.DrawFn, sub: st.SearchStrategy[Any]) -> dict[str, Any]:
    kind = draw(st.sampled_from(["allOf", "anyOf", "oneOf", "not", "if"]))
    if kind == "allOf":
        whole = draw(st.one_of(object_schemas(sub), array_schemas(sub), string_schemas(), number_schemas()))
        return _split(whole, draw(st.lists(st.booleans(), min_size=1, max_size=4)))
    if kind == "anyOf":
        return {"anyOf": draw(st.lists(sub, min_size=1, max_size=3))}
    if kind == "oneOf":
        # Branches of different types (and one plain overlap) so exactly one can hold.
        first, second = draw(
            st.lists(
                st.sampled_from(["string", "integer", "object", "array"]), min_size=2, max_size=2, unique=True
            )
        )
        branches = [
            {"type": first},
            {"type": second, "minimum": 3} if second == "integer" else {"type": second},
        ]
        return {"oneOf": branches, **({"not": {"const": 7}} if draw(st.booleans()) else {})}
    if kind == "not":
        return {
            "type": "integer",
            "not": draw(st.sampled_from([{"const": 0}, {"minimum": 10}, {"multipleOf": 2}])),
        }
    return {
        "if": {"type": "string"},
        "then": draw(string_schemas()),
        "else": draw(st.one_of(number_schemas(), st.just({"type": "array", "maxItems": 2}))),
    }


def json_schemas(depth: int = 2) -> st.SearchStrategy[Any]:
    """Satisfiable schemas covering every keyword from_schema claims, nested ``depth`` levels."""
    if depth == 0:
        return LEAVES
    sub = json_schemas(depth - 1)
    return st.one_of(LEAVES, object_schemas(sub), array_schemas(sub), combined_schemas(sub))
