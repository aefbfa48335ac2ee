"""Values valid under a JSON Schema 2020-12 (sub)schema, for fields with no consistency rules.

Every keyword the loader accepts is honoured. Most are generated exactly (see
:mod:`._schema_scalars`, :mod:`._schema_containers`); ``allOf`` is folded into one schema
(:mod:`._schema_merge`); ``anyOf``/``oneOf``/``if`` pick a branch merged with its
siblings. Where generation can only aim (``not``, overlapping ``oneOf`` branches,
two patterns at once, ``contains``, ``dependentSchemas``, unknown keywords), draws are
filtered with a validator of the schema, the last resort, so no invalid value escapes.
``$ref`` is inlined by the loader (contracts/_normalize.py) before schemas get here.

``complete=True`` includes every optional property and at least one item per array, so
that every nested field exists. hypothesis-jsonschema would do much of this, but 0.23.1
uses Hypothesis internals that current Hypothesis removed (it fails on any object schema)
and knows no 2020-12 keywords such as prefixItems.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from jsonschema import Draft202012Validator

from retell_contract._json_semantics import discriminator, json_key
from retell_contract.contracts import JsonSchema
from retell_contract.strategies import _json, _schema_containers, _schema_scalars
from retell_contract.strategies._schema_merge import ANNOTATIONS, Schema, fold

MAX_ITEMS = _schema_containers.MAX_ITEMS
ANY: JsonSchema = {}  # the schema that allows anything

_OBJECT_KEYS = frozenset(
    {
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "propertyNames",
        "minProperties",
        "maxProperties",
        "dependentRequired",
        "dependentSchemas",
    }
)
_ARRAY_KEYS = frozenset(
    {"items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"}
)
_STRING_KEYS = frozenset({"minLength", "maxLength", "pattern", "format"})
_NUMBER_KEYS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})
# Keywords the generator reads; any other assertion keyword means "filter with a validator".
_KNOWN = _OBJECT_KEYS | _ARRAY_KEYS | _STRING_KEYS | _NUMBER_KEYS | ANNOTATIONS | {"type", "enum", "const"}
_IMPLIED = (
    ("object", _OBJECT_KEYS),
    ("array", _ARRAY_KEYS),
    ("string", _STRING_KEYS),
    ("number", _NUMBER_KEYS),
)
_CACHE_LIMIT = 20_000  # schemas made up by property tests must not grow the cache forever


def types_of(schema: JsonSchema) -> tuple[str, ...]:
    """The JSON types a schema's ``type`` allows (empty when it does not say)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    return tuple(t for t in declared if isinstance(t, str)) if isinstance(declared, list) else ()


@dataclass(frozen=True)
class _Options:
    complete: bool
    name: str
    believable: bool

    def sub(self, schema: Schema, name: str) -> st.SearchStrategy[Any]:
        return from_schema(schema, complete=self.complete, name=name, believable=self.believable)


# Built strategies, per schema text: building (and validating) a strategy costs more than
# drawing from it. Keyed by the schema's canonical JSON, not its identity, so a schema
# changed in place (or a new object that reuses a freed id) never gets a stale strategy.
_BUILT: dict[tuple[str, bool, str, bool], st.SearchStrategy[Any]] = {}


def from_schema(
    schema: Schema, *, complete: bool = False, name: str = "", believable: bool = False
) -> st.SearchStrategy[Any]:
    """Values valid under ``schema``; ``name`` (the field's name) only flavours strings.

    ``believable`` draws text a person would accept (see :mod:`._plausible`) and no
    hostile extra members, instead of the corners that break parsers.
    """
    if not isinstance(schema, dict | bool):
        raise InvalidArgument(f"schema must be a JSON Schema (an object or a boolean), not {schema!r}")
    text = _schema_text(schema)
    if text is None:
        return _build(schema, _Options(complete, name, believable))  # not JSON: nothing to key it by
    key = (text, complete, name, believable)
    built = _BUILT.get(key)
    if built is None:
        if len(_BUILT) > _CACHE_LIMIT:
            _BUILT.clear()
        built = _BUILT[key] = _build(schema, _Options(complete, name, believable))
    return built


def _schema_text(schema: Schema) -> str | None:
    """The schema as canonical JSON text (keys sorted), or None when it is not plain JSON."""
    try:
        return json.dumps(schema, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return None


def _build(schema: Schema, options: _Options) -> st.SearchStrategy[Any]:
    if schema is True:
        return _json.values()
    if schema is False:
        return st.nothing()
    assert isinstance(schema, dict)
    folded, exact = fold(schema)
    if not isinstance(folded, dict):
        return _build(folded, options)
    choices = folded.get("enum") if "const" not in folded else [folded["const"]]
    if isinstance(choices, list):
        return _sampled(schema, choices)  # checked against all of the schema, allOf included
    strategy, generated_exactly = _combined(folded, options)
    if exact and generated_exactly:
        return strategy
    return strategy.filter(Draft202012Validator(schema).is_valid)  # the last resort


def _sampled(schema: JsonSchema, choices: list[Any]) -> st.SearchStrategy[Any]:
    """The enum (or const) members that the rest of the schema accepts too."""
    if any(k not in ANNOTATIONS and k not in ("enum", "const") and not k.startswith("x-") for k in schema):
        validator = Draft202012Validator(schema)
        choices = [c for c in choices if validator.is_valid(c)]
    unique = list({json_key(c): c for c in choices}.values())
    return st.sampled_from(unique) if unique else st.nothing()


def _combined(schema: JsonSchema, options: _Options) -> tuple[st.SearchStrategy[Any], bool]:
    """A branch of anyOf / oneOf / if, merged with its siblings; ``not`` as a filter."""
    for combinator in ("anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list):
            rest = _without(schema, combinator)
            parts = [_build({"allOf": [rest, b]}, options) for b in branches]
            if combinator == "oneOf" and discriminator(branches) is None:
                parts = [p.filter(_only_branch(branches, i)) for i, p in enumerate(parts)]
            return st.one_of(parts), True
    if "if" in schema:
        rest = _without(schema, "if", "then", "else")
        condition: Schema = schema["if"]
        then = _build({"allOf": [rest, condition, schema.get("then", True)]}, options)
        unmet = Draft202012Validator(condition).is_valid
        otherwise = _build({"allOf": [rest, schema.get("else", True)]}, options).filter(
            lambda v: not unmet(v)
        )
        return st.one_of(then, otherwise), True
    if "not" in schema:
        forbidden = Draft202012Validator(schema["not"]).is_valid
        return _build(_without(schema, "not"), options).filter(lambda v: not forbidden(v)), True
    return _typed(schema, options)


def _without(schema: JsonSchema, *keys: str) -> JsonSchema:
    return {k: v for k, v in schema.items() if k not in keys}


def _only_branch(branches: list[Schema], index: int) -> Any:
    others = [Draft202012Validator(b).is_valid for i, b in enumerate(branches) if i != index]
    return lambda value: not any(valid(value) for valid in others)


def _typed(schema: JsonSchema, options: _Options) -> tuple[st.SearchStrategy[Any], bool]:
    exact = all(k in _KNOWN or k.startswith("x-") for k in schema)
    kinds = types_of(schema) or tuple(kind for kind, keys in _IMPLIED if keys & schema.keys())
    if not kinds:
        return _json.values(), exact
    built = [_of_type(kind, schema, options) for kind in dict.fromkeys(kinds)]
    return st.one_of([s for s, _ in built]), exact and all(ok for _, ok in built)


def _of_type(kind: str, schema: JsonSchema, options: _Options) -> tuple[st.SearchStrategy[Any], bool]:
    if kind == "object":
        return _schema_containers.objects(
            schema, options.sub, complete=options.complete, believable=options.believable
        )
    if kind == "array":
        return _schema_containers.arrays(schema, options.sub, options.name, options.complete)
    if kind == "string":
        return _schema_scalars.strings(schema, options.name, options.believable), True
    if kind == "integer":
        return _schema_scalars.integers(schema, options.believable), True
    if kind == "number":
        return _schema_scalars.numbers(schema, options.believable), True
    if kind == "boolean":
        return st.booleans(), True
    return (st.none(), True) if kind == "null" else (st.nothing(), True)
