"""One HTTP request and the response it got: the unit every check, cassette and diff reads.

Bodies are kept as raw bytes so that malformed JSON, wrong encodings and empty bodies
survive unchanged from the wire to a cassette and back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Pass as ``default`` to ``.json()`` / :func:`parse_json` to tell a body that is not JSON
# (or empty) from one that is JSON ``null``.
NOT_JSON: Any = object()


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


@dataclass(frozen=True)
class RecordedRequest:
    """A request as sent: method, full URL, headers (lower-cased names) and raw body."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "headers", _lower_keys(self.headers))

    def json(self, default: Any = None) -> Any:
        """The body parsed as JSON, or ``default`` when it is not JSON."""
        return parse_json(self.body, default)


@dataclass(frozen=True)
class RecordedResponse:
    """A response as received: status, headers (lower-cased names) and raw body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _lower_keys(self.headers))

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self, default: Any = None) -> Any:
        """The body parsed as JSON, or ``default`` when it is not JSON."""
        return parse_json(self.body, default)


@dataclass(frozen=True)
class Exchange:
    """A request and its response, plus optional notes from whoever produced it."""

    request: RecordedRequest
    response: RecordedResponse
    # Free-form labels, e.g. {"case": "invalid_body", "violation": "agent_id_empty"}.
    notes: Mapping[str, str] = field(default_factory=dict)


def parse_json(body: bytes, default: Any = None) -> Any:
    """``body`` parsed as JSON, or ``default`` when it is empty or not JSON."""
    if not body:
        return default
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return default
