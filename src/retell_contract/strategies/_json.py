"""JSON values that break servers: odd keys, odd text, huge numbers, deep nesting.

Everything drawn here survives ``json.dumps(..., allow_nan=False)`` and UTF-8 encoding:
no NaN or infinity, no lone surrogates. Sizes stay small enough for many requests a
second; long strings are built by repeating a short unit, which is cheap to draw and
shrinks to the unit.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

# Keys that trip parsers, ORMs and template engines (prototype pollution, Mongo
# operators, dotted paths), besides plain oddities.
ODD_KEYS = (
    "",
    " ",
    "key with spaces",
    "__proto__",
    "constructor",
    "$where",
    "a.b",
    "a[0]",
    "{{name}}",
    "ключ",
    "名前",
    "🔑",
    "\u200b",
    "tab\there",
    "line\nbreak",
    'quo"te',
    "back\\slash",
)
# Strings that trip storage, templating and rendering layers (NUL is legal JSON but not
# legal in a PostgreSQL text column).
ODD_STRINGS = (
    "",
    " ",
    "\x00",
    "null",
    "NaN",
    "{{customer_name}}",
    "'; DROP TABLE calls;--",
    "<script>alert(1)</script>",
    "\u202eevil",
    "e\u0301",
    "\ufeffbom",
    "\r\n",
    "🤖👩🏽‍💻",
)
LARGE_INTEGERS = (
    2**31 - 1,
    2**31,
    2**53 - 1,
    2**53 + 1,
    2**63 - 1,
    2**64,
    -(2**63),
    -(2**63) - 1,
    10**30,
)
MAX_LONG_STRING = 10_000
MAX_DEPTH = 48

# Every character UTF-8 can encode is every one but the surrogates. Saying so by category,
# not with codec="utf-8", spares Hypothesis building its table of encodable characters
# (a second or more on every fresh folder, enough to fail the too_slow health check).
_characters = st.characters(exclude_categories=["Cs"])


@cache
def short_text(max_size: int = 24) -> st.SearchStrategy[str]:
    """Any UTF-8-encodable text (control characters, RTL, emoji included)."""
    return st.text(_characters, max_size=max_size)


@cache
def long_text() -> st.SearchStrategy[str]:
    """Strings of hundreds to ~10 000 characters: a short unit repeated."""
    unit = st.text(_characters, min_size=1, max_size=8)
    return st.builds(lambda u, n: (u * n)[:MAX_LONG_STRING], unit, st.integers(min_value=64, max_value=1_250))


@cache
def text_values() -> st.SearchStrategy[str]:
    """Short text first (shrinks there), then known-odd strings and long strings."""
    return st.one_of(short_text(), st.sampled_from(ODD_STRINGS), long_text())


@cache
def keys() -> st.SearchStrategy[str]:
    """Object keys with punctuation, spaces and non-ASCII; shrinks towards short keys."""
    return st.one_of(short_text(max_size=12), st.sampled_from(ODD_KEYS))


@cache
def integers() -> st.SearchStrategy[int]:
    """Small integers, boundary values of common integer widths, and bigger ones."""
    return st.one_of(
        st.integers(min_value=-1_000, max_value=1_000),
        st.sampled_from(LARGE_INTEGERS),
        st.integers(min_value=-(2**70), max_value=2**70),
    )


@cache
def scalars() -> st.SearchStrategy[Any]:
    """Every JSON scalar type: null, booleans, integers, finite floats, strings."""
    return st.one_of(
        st.none(),
        st.booleans(),
        integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        text_values(),
    )


@cache
def values(max_leaves: int = 10) -> st.SearchStrategy[Any]:
    """Any JSON value: scalars, and lists and objects of them."""
    return st.recursive(
        scalars(),
        lambda children: st.one_of(
            st.lists(children, max_size=4), st.dictionaries(keys(), children, max_size=4)
        ),
        max_leaves=max_leaves,
    )


@cache
def deep_objects() -> st.SearchStrategy[dict[str, Any]]:
    """An object nested ``depth`` levels deep (lists and objects alternating)."""
    return st.builds(_nest, st.integers(min_value=2, max_value=MAX_DEPTH), keys(), scalars())


def _nest(depth: int, key: str, leaf: Any) -> dict[str, Any]:
    value: Any = leaf
    for level in range(depth - 1):
        value = [value] if level % 3 == 2 else {key: value}
    return {key: value}


@cache
def objects() -> st.SearchStrategy[dict[str, Any]]:
    """Free-form objects: empty first, then flat or mixed, then deeply nested."""
    return st.one_of(
        st.just({}).map(dict),
        st.dictionaries(keys(), values(), max_size=6),
        deep_objects(),
    )


@cache
def flat_objects() -> st.SearchStrategy[dict[str, Any]]:
    """Small flat objects of scalars: cheap filler where the odd corners do not matter."""
    return st.dictionaries(keys(), scalars(), max_size=3)


@cache
def dynamic_variables() -> st.SearchStrategy[dict[str, str]]:
    """Dynamic-variable maps with string values: today's clients type them string to string.

    Keys and values keep the odd corners (empty, punctuation, NUL, RTL, long strings).
    """
    return st.dictionaries(keys(), text_values(), max_size=6)
