"""Read and decode request bodies defensively: every bad body becomes a one-line reason.

Hostile bodies (huge, deeply nested, not UTF-8, NaN, integers Python refuses to parse)
must end in a 4xx, never in an exception that escapes the handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import AsyncIterator
from typing import Any

from retell_contract._json_semantics import json_type

MAX_JSON_DEPTH = 100
# Python's default int-digit limit (sys.int_info.default_max_str_digits); fixed here so
# the answer does not depend on how the interpreter was configured.
MAX_INT_DIGITS = 4300
JSON_MEDIA_TYPE = "application/json"
# After a 413 the rest of the body is read and dropped, up to this much or this long, before
# the answer goes out: a client that sends the whole body before reading (Python's urllib)
# then gets the 413 instead of a connection reset; a bigger or slower body is not waited for.
DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 2.0


class BodyTooLarge(Exception):
    """The body is longer than the configured limit."""


class BadBody(Exception):
    """The body cannot be used; ``str(error)`` says why in one line."""


class _BadNumber(ValueError):
    pass


async def read_limited(chunks: AsyncIterator[bytes], declared_length: str | None, limit: int) -> bytes:
    """Collect the body, raising :class:`BodyTooLarge` as soon as it passes ``limit`` bytes."""
    if declared_length is not None and declared_length.strip().isdigit() and int(declared_length) > limit:
        raise BodyTooLarge(f"Content-Length is {int(declared_length)}")
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"more than {limit} bytes sent")
        parts.append(chunk)
    return b"".join(parts)


async def drain(
    chunks: AsyncIterator[bytes], *, limit: int = DRAIN_BYTES, seconds: float = DRAIN_SECONDS
) -> None:
    """Read and drop what is left of a body, within ``limit`` bytes and ``seconds``."""
    size = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    return


def check_content_type(header: str | None) -> None:
    """Accept ``application/json`` (or ``*/*+json``) in UTF-8; anything else is a BadBody."""
    if header is None or not header.strip():
        raise BadBody(f"Content-Type header is missing; send {JSON_MEDIA_TYPE}")
    media_type, _, parameters = header.partition(";")
    media_type = media_type.strip().lower()
    if media_type != JSON_MEDIA_TYPE and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise BadBody(f"Content-Type {short_repr(header)} is not {JSON_MEDIA_TYPE}")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise BadBody(f"charset {short_repr(charset)} is not supported; send UTF-8")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """Decode a UTF-8 JSON object, rejecting NaN/Infinity, overlong integers and deep nesting."""
    if not raw.strip():
        raise BadBody("request body is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadBody(
            f"body is not valid UTF-8: byte 0x{raw[error.start]:02x} at offset {error.start}"
        ) from None
    try:
        value = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except json.JSONDecodeError as error:
        raise BadBody(
            f"body is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except _BadNumber as error:
        raise BadBody(str(error)) from None
    except RecursionError:
        raise BadBody(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None
    if not isinstance(value, dict):
        raise BadBody(f"body must be a JSON object, not a JSON {json_type(value)}")
    # Cheap bound first: a body with few brackets cannot be deeply nested.
    if raw.count(b"{") + raw.count(b"[") > MAX_JSON_DEPTH and _deeper_than(value, MAX_JSON_DEPTH):
        raise BadBody(f"JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _reject_constant(name: str) -> Any:
    raise _BadNumber(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(f"number {short_repr(text)} is out of range")
    return value


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise _BadNumber(f"integer with {digits} digits is too large; the limit is {MAX_INT_DIGITS}")
    return int(text)


def _deeper_than(value: Any, limit: int) -> bool:
    """Iterative, so checking depth cannot itself overflow the stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def short_repr(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, so a hostile value keeps a message short."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"
