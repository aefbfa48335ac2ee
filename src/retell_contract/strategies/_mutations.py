"""Schema violations derived from a schema: where each can be made, and what it reports.

:func:`violation_sites` walks a JSON Schema and lists, for every field, the single
breakages it allows (missing required field, wrong JSON type, null where an object is
required, boolean where an integer is required, value outside the enum, string too
short, transcript item of no known variant). Each :class:`Site` knows the ``(rule,
path)`` that :mod:`retell_contract.validation` reports for it. :func:`draw_broken`
applies one site to a valid document.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Literal

from hypothesis import reject
from hypothesis import strategies as st

from retell_contract._json_semantics import discriminator, json_type
from retell_contract.contracts import JsonSchema
from retell_contract.strategies import _json
from retell_contract.strategies._invalid import Invalid
from retell_contract.strategies._schema import types_of

ITEM = "[]"  # any element of an array
NEW_KEY = "{}"  # a new member of an object whose members all share one schema
Kind = Literal["missing", "wrong_type", "null", "boolean", "not_in_enum", "too_short"]
_JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")
Segment = str | int


@dataclass(frozen=True)
class Site:
    """One way to break a document: ``kind`` at ``path`` reports ``rule``."""

    name: str
    kind: Kind
    path: tuple[str, ...]
    rule: str
    allowed: tuple[str, ...] = ()  # JSON types the value may have (wrong_type)
    forbidden: tuple[Any, ...] = ()  # values to avoid (not_in_enum)
    min_length: int = 0
    # (position of an ITEM in path, member, value): the element chosen there must match.
    variant: tuple[tuple[int, str, str], ...] = ()
    # The validator reports a failed union at the item: keep this many concrete segments.
    report_depth: int | None = None


def violation_sites(schema: JsonSchema, *, root: str) -> tuple[Site, ...]:
    """Every site in ``schema``; ``root`` names the document itself (``body``, ``call``)."""
    sites: list[Site] = []
    _walk(schema, (), root, "", (), sites)
    # Names join field names with "_", so "a_b" and "a.b" could collide: number repeats.
    seen: dict[str, int] = {}
    unique = []
    for site in sites:
        seen[site.name] = seen.get(site.name, 0) + 1
        unique.append(site if seen[site.name] == 1 else replace(site, name=f"{site.name}_{seen[site.name]}"))
    return tuple(unique)


def _walk(
    schema: JsonSchema,
    path: tuple[str, ...],
    label: str,
    prefix: str,
    variant: tuple[tuple[int, str, str], ...],
    sites: list[Site],
) -> None:
    sites.extend(_value_sites(schema, path, label, variant))
    if path and path[-1] == NEW_KEY:
        return  # a fresh member is only ever replaced whole
    kinds = types_of(schema) or (("object",) if "properties" in schema else ())
    if "object" in kinds:
        _walk_object(schema, path, prefix, variant, sites)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and types_of(extra) and not schema.get("properties"):
            _walk(extra, (*path, NEW_KEY), f"{label}_value", "", variant, sites)
    items = schema.get("items")
    if "array" in kinds and isinstance(items, dict):
        union = discriminator(items.get("oneOf"))
        if union is None:
            _walk(items, (*path, ITEM), f"{label}_item", f"{label}_", variant, sites)
        else:
            _walk_union(items, union, (*path, ITEM), label, variant, sites)


def _walk_object(
    schema: JsonSchema,
    path: tuple[str, ...],
    prefix: str,
    variant: tuple[tuple[int, str, str], ...],
    sites: list[Site],
    skip: str = "",
) -> None:
    for name in schema.get("required", []):
        if isinstance(name, str) and name != skip:
            sites.append(
                Site(f"{prefix}{name}_missing", "missing", (*path, name), "schema.required", variant=variant)
            )
    for name, sub in schema.get("properties", {}).items():
        if name != skip and isinstance(sub, dict):
            _walk(sub, (*path, name), f"{prefix}{name}", f"{prefix}{name}_", variant, sites)


def _walk_union(
    items: JsonSchema,
    member: str,
    path: tuple[str, ...],
    label: str,
    variant: tuple[tuple[int, str, str], ...],
    sites: list[Site],
) -> None:
    """A discriminated oneOf: breaking the item or its discriminator fails every branch."""
    depth = len(path)
    values = tuple(v for b in items["oneOf"] for v in b["properties"][member]["enum"])
    item_sites = _value_sites({"type": "object"}, path, f"{label}_item", variant)
    whole = [
        *item_sites,
        Site(f"{label}_{member}_missing", "missing", (*path, member), ""),
        Site(f"{label}_{member}_unknown", "not_in_enum", (*path, member), "", forbidden=values),
    ]
    sites.extend(replace(s, rule="schema.oneOf", report_depth=depth, variant=variant) for s in whole)
    for branch in items["oneOf"]:
        first = branch["properties"][member]["enum"][0]
        branch_variant = (*variant, (depth - 1, member, first))
        _walk_object(branch, path, f"{label}_{first}_", branch_variant, sites, skip=member)


def _value_sites(
    schema: JsonSchema, path: tuple[str, ...], label: str, variant: tuple[tuple[int, str, str], ...]
) -> Iterator[Site]:
    kinds = types_of(schema)
    enum = schema.get("enum")
    if isinstance(enum, list):
        if all(isinstance(v, str) or v is None for v in enum) and kinds in (
            (),
            ("string",),
            ("string", "null"),
        ):
            yield Site(
                f"{label}_not_in_enum",
                "not_in_enum",
                path,
                "schema.enum",
                forbidden=tuple(enum),
                variant=variant,
            )
        return
    if not kinds or "const" in schema:
        return
    null_site = "object" in kinds and "null" not in kinds
    boolean_site = "integer" in kinds and "boolean" not in kinds
    if null_site:
        yield Site(f"{label}_null", "null", path, "schema.type", allowed=kinds, variant=variant)
    if boolean_site:
        yield Site(f"{label}_boolean", "boolean", path, "schema.type", allowed=kinds, variant=variant)
    if _wrong_types(kinds):
        named = "_or_".join(k for k in kinds if k != "null")
        yield Site(f"{label}_not_{named}", "wrong_type", path, "schema.type", allowed=kinds, variant=variant)
    low = schema.get("minLength")
    if "string" in kinds and isinstance(low, int) and low >= 1:
        suffix = "empty" if low == 1 else "too_short"
        yield Site(
            f"{label}_{suffix}", "too_short", path, "schema.minLength", min_length=low, variant=variant
        )


# -- applying a site ----------------------------------------------------------------------


def targets(document: Any, site: Site) -> list[tuple[Segment, ...]]:
    """Every concrete path in ``document`` where ``site`` can be applied."""
    return list(_targets(document, site, 0, ()))


def _targets(
    node: Any, site: Site, depth: int, concrete: tuple[Segment, ...]
) -> Iterator[tuple[Segment, ...]]:
    if depth == len(site.path):
        yield concrete
        return
    segment, last = site.path[depth], depth == len(site.path) - 1
    if segment == ITEM:
        if isinstance(node, list):
            for index, item in enumerate(node):
                if _matches_variant(item, site, depth):
                    yield from _targets(item, site, depth + 1, (*concrete, index))
    elif segment == NEW_KEY:
        if isinstance(node, dict):
            yield (*concrete, NEW_KEY)
    elif isinstance(node, dict) and (segment in node or (last and site.kind != "missing")):
        yield from _targets(node.get(segment), site, depth + 1, (*concrete, segment))


def _matches_variant(item: Any, site: Site, depth: int) -> bool:
    return all(isinstance(item, dict) and item.get(m) == v for at, m, v in site.variant if at == depth)


def draw_broken(draw: st.DrawFn, document: Any, site: Site) -> Invalid[Any]:
    """``document`` broken at one of the site's concrete places (rejected when it has none)."""
    places = targets(document, site)
    if not places:
        reject()
    place = list(draw(st.sampled_from(places)))
    broken = copy.deepcopy(document)
    if place and place[-1] == NEW_KEY:
        place[-1] = draw(_json.keys().map(lambda k: f"X-Invalid-{k}"))
    if site.kind == "missing":
        del _container(broken, place)[place[-1]]
        value: Any = None
    else:
        value = draw(wrong_values(site))
        if place:
            _container(broken, place)[place[-1]] = value
        else:
            broken = value
    reported = place if site.report_depth is None else place[: site.report_depth]
    return Invalid(
        value=broken,
        violation=site.name,
        detail=_detail(site, place, value),
        rule=site.rule,
        path=".".join(str(p) for p in reported),
    )


def _container(document: Any, place: list[Segment]) -> Any:
    node = document
    for segment in place[:-1]:
        node = node[segment]
    return node


@cache
def wrong_values(site: Site) -> st.SearchStrategy[Any]:
    """Values that break ``site`` and nothing else."""
    if site.kind == "null":
        return st.none()
    if site.kind == "boolean":
        return st.booleans()
    if site.kind == "too_short":
        return st.text(_json._characters, max_size=site.min_length - 1)
    if site.kind == "not_in_enum":
        known = [v for v in site.forbidden if isinstance(v, str)]
        near = [v.upper() for v in known] + [v.title() for v in known] + [f" {v}" for v in known]
        return st.one_of(_json.short_text(), st.sampled_from(near or [""])).map(
            lambda v: v if v not in site.forbidden else f"{v}?"
        )
    return st.one_of([_OF_TYPE[t] for t in _wrong_types(site.allowed)])


def _wrong_types(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """JSON types a value must not have, except null and booleans where they have own sites."""
    accepted = {*kinds, "integer"} if "number" in kinds else set(kinds)
    if "object" in kinds and "null" not in kinds:
        accepted.add("null")
    if "integer" in kinds and "boolean" not in kinds:
        accepted.add("boolean")
    return tuple(t for t in _JSON_TYPES if t not in accepted)


_OF_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "string": _json.short_text(max_size=12),
    "integer": st.integers(min_value=-1_000, max_value=1_000),
    "number": st.integers(min_value=-1_000, max_value=1_000).map(lambda n: n + 0.5),
    "boolean": st.booleans(),
    "array": st.lists(st.integers(0, 9), max_size=2),
    "object": st.dictionaries(_json.short_text(max_size=4), st.integers(0, 9), max_size=2),
    "null": st.none(),
}


def _detail(site: Site, place: list[Segment], value: Any) -> str:
    where = ".".join(str(p) for p in place) or "the document"
    shown = json.dumps(value, ensure_ascii=True)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    if site.kind == "missing":
        return f"required member {where} is missing"
    if site.rule == "schema.oneOf":
        return f"{where} is {shown}, which fits no transcript item variant"
    if site.kind == "not_in_enum":
        return f"{where} is {shown}, not one of the {len(site.forbidden)} allowed values"
    if site.kind == "too_short":
        return f"{where} is {shown}, shorter than {site.min_length} characters"
    return f"{where} is {shown}, {_a(json_type(value))} where {_a(' or '.join(site.allowed))} is required"


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"
