"""Arrays and objects under their JSON Schema keywords.

Members come from ``sub(schema, name)`` (the caller's cached ``from_schema``), so every
member is valid under its own schema. What is generated here exactly: items, prefixItems,
minItems/maxItems, uniqueItems (by JSON equality), properties, required,
additionalProperties, minProperties/maxProperties, dependentRequired. What is only aimed
at (``contains``, patternProperties, propertyNames, maxProperties against dependencies)
is reported as inexact, and the caller filters with a validator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from retell_contract._json_semantics import json_key
from retell_contract.contracts import JsonSchema
from retell_contract.strategies import _json, _plausible
from retell_contract.strategies._members import members
from retell_contract.strategies._schema_merge import Schema
from retell_contract.strategies._schema_scalars import from_pattern

MAX_ITEMS = 4
Sub = Callable[[Schema, str], st.SearchStrategy[Any]]
Built = tuple[st.SearchStrategy[Any], bool]  # a strategy, and whether its draws are all valid


def arrays(schema: JsonSchema, sub: Sub, name: str, complete: bool) -> Built:
    prefix: list[Schema] = (
        schema.get("prefixItems", []) if isinstance(schema.get("prefixItems"), list) else []
    )
    items: Schema = schema.get("items", True)
    if not isinstance(items, dict | bool):
        items = True
    low = int(schema.get("minItems", 0))
    cap = int(schema["maxItems"]) if "maxItems" in schema else None
    if items is False:
        cap = len(prefix) if cap is None else min(cap, len(prefix))
    high = max(low, MAX_ITEMS) if cap is None else min(cap, max(low, MAX_ITEMS))
    low = min(max(low, 1 if complete else 0), high) if low <= high else low
    if low > high:
        return st.nothing(), True
    unique = schema.get("uniqueItems") is True
    rest = sub(items, name)
    if not prefix:
        drawn: st.SearchStrategy[list[Any]] = st.lists(
            rest, min_size=low, max_size=high, unique_by=json_key if unique else None
        )
        exact = True
    else:
        heads = [sub(p, name) for p in prefix]
        drawn = st.integers(min_value=low, max_value=high).flatmap(
            lambda n: st.tuples(*(heads[i] if i < len(heads) else rest for i in range(n))).map(list)
        )
        exact = not unique
    contains = schema.get("contains")
    if contains is None:
        return drawn, exact
    # Aim at contains: append matching items (valid under items too), then let the
    # validator hold the whole array to the counts, bounds and uniqueness.
    least = int(schema.get("minContains", 1))
    matching = sub({"allOf": [items, contains]}, name)
    extra = st.lists(matching, min_size=least, max_size=least + 1)
    return st.builds(lambda a, b: [*a, *b], drawn, extra), False


def objects(schema: JsonSchema, sub: Sub, *, complete: bool, believable: bool) -> Built:
    """Objects with the required properties, some (or all) optional ones, and maybe extras."""
    properties: dict[str, Schema] = schema.get("properties", {})
    required = [n for n in schema.get("required", []) if isinstance(n, str)]
    optional = [n for n in properties if n not in required and properties[n] is not False]
    least = int(schema.get("minProperties", 0))
    extra: Schema = schema.get("additionalProperties", True)
    patterns: dict[str, Schema] = schema.get("patternProperties", {})
    shortfall = least - len(required) - (len(optional) if complete else 0)
    if shortfall > 0 and not complete and (extra is False or properties) and not patterns:
        # Too few members for minProperties: promote optional ones before inventing keys.
        promoted = optional[:shortfall]
        required, optional = [*required, *promoted], optional[shortfall:]
        shortfall -= len(promoted)

    def member(n: str) -> st.SearchStrategy[Any]:
        return sub(member_schema(schema, n), n)

    needed = {n: member(n) for n in required}
    maybe = {n: member(n) for n in optional}
    fixed = st.fixed_dictionaries({**needed, **maybe}) if complete else members(needed, maybe)
    extras = _extras(schema, sub, complete=complete, believable=believable, least=max(shortfall, 0))
    drawn = fixed if extras is None else st.builds(lambda f, e: {**e, **f}, fixed, extras)
    rich = ("maxProperties", "dependentRequired", "dependentSchemas", "patternProperties", "propertyNames")
    if not any(k in schema for k in rich) and (shortfall <= 0 or extras is not None):
        return drawn, True
    return _with_dependencies(drawn, schema, sub), False


def member_schema(schema: JsonSchema, name: str) -> Schema:
    """The schema a member called ``name`` answers to: its property, patterns, or the rest."""
    properties: dict[str, Schema] = schema.get("properties", {})
    patterns: dict[str, Schema] = schema.get("patternProperties", {})
    matching = [sub for p, sub in patterns.items() if re.search(p, name)]
    if name in properties:
        own = [properties[name], *matching]
    else:
        own = matching or [schema.get("additionalProperties", True)]
    return own[0] if len(own) == 1 else {"allOf": own}


def _extras(
    schema: JsonSchema, sub: Sub, *, complete: bool, believable: bool, least: int
) -> st.SearchStrategy[dict[str, Any]] | None:
    properties: dict[str, Schema] = schema.get("properties", {})
    extra: Schema = schema.get("additionalProperties", True)
    patterns: dict[str, Schema] = schema.get("patternProperties", {})
    most = max(least, 3)
    if "maxProperties" in schema:
        most = max(least, min(most, int(schema["maxProperties"]) - len(schema.get("required", []))))
    parts: list[st.SearchStrategy[dict[str, Any]]] = []
    for pattern, value in patterns.items():
        keys = from_pattern(pattern).filter(lambda k: k not in properties)
        parts.append(st.dictionaries(keys, sub(value, ""), max_size=2))
    free = extra is not False and (not properties or least > 0)
    if free:
        names = schema.get("propertyNames")
        keys = _json.keys() if names is None else sub(names, "").filter(lambda k: isinstance(k, str))
        keys = keys.filter(lambda k: k not in properties)
        plain = not isinstance(extra, dict) or _plain_text(extra)
        if believable and plain and not patterns and names is None and least == 0:
            parts.append(_plausible.variables())
        else:
            values = (
                sub(extra, "")
                if isinstance(extra, dict)
                else (_json.scalars() if complete else _json.values(max_leaves=4))
            )
            fewest = min(max(int(complete), least), most)
            parts.append(st.dictionaries(keys, values, min_size=fewest, max_size=max(most, 0)))
    if not parts:
        return None
    return st.tuples(*parts).map(lambda ds: {k: v for d in ds for k, v in d.items()})


def _plain_text(extra: JsonSchema) -> bool:
    declared = extra.get("type")
    return set(extra) <= {"type", "description", "title"} and declared in (None, "string")


def _with_dependencies(
    drawn: st.SearchStrategy[dict[str, Any]], schema: JsonSchema, sub: Sub
) -> st.SearchStrategy[dict[str, Any]]:
    """Drop optional members over maxProperties, then add those dependencies ask for.

    dependentRequired names are added, and so are the names a dependentSchemas entry
    requires (valued under its properties too); the rest of dependentSchemas is left
    to the caller's validator.
    """
    dependent: dict[str, list[str]] = {k: list(v) for k, v in schema.get("dependentRequired", {}).items()}
    values: dict[str, Schema] = {}
    for key, extra in schema.get("dependentSchemas", {}).items():
        if isinstance(extra, dict):
            dependent[key] = [*dependent.get(key, []), *extra.get("required", [])]
            values.update(
                {n: s for n, s in extra.get("properties", {}).items() if n in extra.get("required", [])}
            )
    required = set(schema.get("required", []))
    most = schema.get("maxProperties")

    members: dict[str, st.SearchStrategy[Any]] = {}

    def member(name: str) -> st.SearchStrategy[Any]:
        if name not in members:
            own = member_schema(schema, name)
            members[name] = sub(own if name not in values else {"allOf": [own, values[name]]}, name)
        return members[name]

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        out = draw(drawn)
        if isinstance(most, int) and len(out) > most:
            for key in [k for k in out if k not in required][: len(out) - most]:
                del out[key]
        pending = [d for k in list(out) for d in dependent.get(k, []) if d not in out]
        while pending:
            name = pending.pop()
            if name not in out:
                out[name] = draw(member(name))
                pending += [d for d in dependent.get(name, []) if d not in out]
        return out

    return build()
