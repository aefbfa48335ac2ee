"""Strings and numbers under their JSON Schema bounds, with the project's odd corners.

Plain strings mix any UTF-8-encodable text with the known-odd strings of :mod:`._json`
that fit the length bounds; unbounded integers add the boundary values of common integer
widths. ``believable`` leaves the corners out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from retell_contract._json_semantics import as_int, is_number
from retell_contract.contracts import JsonSchema
from retell_contract.strategies import _json, _plausible

_MAX_INT = 2**31 - 1
_MAX_NUMBER = 1e6
_URL_SLUG = "abcdefghijklmnopqrstuvwxyz0123456789"

# Formats drawn exactly; any other format is an annotation here, as 2020-12 makes it.
_FORMATS: dict[str, st.SearchStrategy[str]] = {
    "date-time": st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    "date": st.dates().map(lambda d: d.isoformat()),
    "email": st.emails(),
    "uuid": st.uuids().map(str),
    "ipv4": st.ip_addresses(v=4).map(str),
    "ipv6": st.ip_addresses(v=6).map(str),
}
_URL_FORMATS = ("uri", "url", "iri", "uri-reference", "iri-reference")


def strings(schema: JsonSchema, name: str, believable: bool) -> st.SearchStrategy[str]:
    """Strings within minLength/maxLength that match ``pattern`` and ``format``."""
    low = int(schema.get("minLength", 0))
    high: int | None = int(schema["maxLength"]) if "maxLength" in schema else None
    if high is not None and high < low:
        return st.nothing()
    fits = _length_between(low, high)
    pattern, fmt = schema.get("pattern"), schema.get("format")
    if isinstance(pattern, str):
        # Search semantics, as JSON Schema's pattern; lengths are a filter on top.
        return from_pattern(pattern).filter(fits)
    if fmt in _FORMATS:
        return _FORMATS[fmt].filter(fits)
    if fmt in _URL_FORMATS or name.endswith("_url") or name == "url":
        urls = st.builds(_url, st.text(_URL_SLUG, min_size=1, max_size=16))
        return urls.filter(fits) if (low, high) != (0, None) else urls
    if believable and low <= 1 and high is None:
        return _plausible.text_for(name)
    text = st.text(_json._characters, min_size=low, max_size=high if high is not None else max(low, 24))
    odd = [s for s in _json.ODD_STRINGS if fits(s)]
    return text if believable or not odd else st.one_of(text, st.sampled_from(odd))


def _length_between(low: int, high: int | None) -> Any:
    return lambda s: low <= len(s) and (high is None or len(s) <= high)


def from_pattern(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching ``pattern`` for Python's re and for ECMA-262, which JSON Schema names.

    The two differ where Python is looser: its ``\\d``, ``\\w`` and ``\\s`` match non-ASCII
    digits, letters and spaces, and its ``$`` matches before a final newline. Generating
    with ASCII classes and ``$`` as the very end gives strings that both accept.
    """
    try:
        strict = re.compile(_true_end(pattern), re.ASCII)
    except re.error as error:
        raise InvalidArgument(
            f"pattern {pattern!r} is not a regular expression Python reads: {error}"
        ) from None
    return st.from_regex(strict, alphabet=_json._characters)


def _true_end(pattern: str) -> str:
    """``pattern`` with each ``$`` outside a character class spelled ``\\Z``."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            char = "\\Z"
        out.append(char)
    return "".join(out)


def _url(slug: str) -> str:
    return f"https://storage.example.com/calls/{slug}"


def integers(schema: JsonSchema, believable: bool) -> st.SearchStrategy[int]:
    """Integers within the bounds and multipleOf; unbounded ones include very large ones."""
    low, high = _integer_bounds(schema)
    given = schema.get("multipleOf", 1)
    step = as_int(given)
    if step is None or step <= 0:
        return _integer_range(low, high, 1).filter(lambda n: _is_multiple(n, given))
    drawn = _integer_range(low, high, step)
    if believable:
        return drawn
    corners = [n for n in _json.LARGE_INTEGERS if _within(n, low, high) and n % step == 0]
    return st.one_of(drawn, st.sampled_from(corners)) if corners else drawn


def _integer_bounds(schema: JsonSchema) -> tuple[int | None, int | None]:
    low = high = None
    if is_number(schema.get("minimum")):
        low = math.ceil(schema["minimum"])
    if is_number(schema.get("exclusiveMinimum")):
        low = (
            max(low, math.floor(schema["exclusiveMinimum"]) + 1)
            if low is not None
            else math.floor(schema["exclusiveMinimum"]) + 1
        )
    if is_number(schema.get("maximum")):
        high = math.floor(schema["maximum"])
    if is_number(schema.get("exclusiveMaximum")):
        top = math.ceil(schema["exclusiveMaximum"]) - 1
        high = min(high, top) if high is not None else top
    return low, high


def _integer_range(low: int | None, high: int | None, step: int) -> st.SearchStrategy[int]:
    """Multiples of ``step`` in range; unbounded sides keep today's small, mostly positive range."""
    if low is None:
        low = 0 if high is None or high >= 0 else high - _MAX_INT
    if high is None:
        high = max(low, 0) + _MAX_INT
    first, last = -(-low // step), high // step
    if first > last:
        return st.nothing()
    return st.integers(min_value=first, max_value=last).map(lambda k: k * step)


def numbers(schema: JsonSchema, believable: bool) -> st.SearchStrategy[float | int]:
    """Integers and finite floats within the bounds and multipleOf."""
    step: Any = schema.get("multipleOf")
    if isinstance(step, float) and step > 0 and not step.is_integer():
        # k * step as a float is not always a multiple in the validator's arithmetic:
        # draw the products and keep those it accepts.
        low, high = _float_bounds(schema)
        first, last = math.ceil(low / step), math.floor(high / step)
        if first > last:
            return st.nothing()
        products = st.integers(min_value=first, max_value=last).map(lambda k: k * step)
        return products.filter(lambda x: _within_floats(x, schema) and _is_multiple(x, step))
    whole = integers(schema, believable)
    if is_number(step):
        return whole
    low, high = _float_bounds(schema)
    if low > high:
        return whole
    floats = st.floats(
        min_value=low,
        max_value=high,
        exclude_min="exclusiveMinimum" in schema and low == schema["exclusiveMinimum"],
        exclude_max="exclusiveMaximum" in schema and high == schema["exclusiveMaximum"],
        allow_nan=False,
        allow_infinity=False,
    )
    return st.one_of(whole, floats.filter(lambda x: _within_floats(x, schema)))


def _float_bounds(schema: JsonSchema) -> tuple[float, float]:
    lows = [float(schema[k]) for k in ("minimum", "exclusiveMinimum") if is_number(schema.get(k))]
    highs = [float(schema[k]) for k in ("maximum", "exclusiveMaximum") if is_number(schema.get(k))]
    low = max(lows) if lows else (0.0 if not highs or max(highs) >= 0 else min(highs) - _MAX_NUMBER)
    high = min(highs) if highs else max(low, 0.0) + _MAX_NUMBER
    return low, high


def _within_floats(x: float, schema: JsonSchema) -> bool:
    checks: tuple[tuple[str, Callable[[float], bool]], ...] = (
        ("minimum", lambda b: x >= b),
        ("maximum", lambda b: x <= b),
        ("exclusiveMinimum", lambda b: x > b),
        ("exclusiveMaximum", lambda b: x < b),
    )
    return all(not is_number(schema.get(k)) or ok(schema[k]) for k, ok in checks)


def _within(n: int, low: int | None, high: int | None) -> bool:
    return (low is None or n >= low) and (high is None or n <= high)


def _is_multiple(x: float, step: Any) -> bool:
    """multipleOf as jsonschema computes it (a float quotient that must be whole)."""
    if not is_number(step) or step <= 0:
        return True
    if isinstance(step, float):
        quotient = x / step
        return math.isfinite(quotient) and int(quotient) == quotient
    return bool(x % step == 0)
