"""What a diff produces: changes, each with a kind, a severity and a reason, and the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

LOCATION_SEPARATOR = " > "


class Severity(StrEnum):
    """How a change affects an existing client of the API."""

    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"


class Direction(StrEnum):
    """Which way data flows: severity rules mirror each other between the two."""

    REQUEST = "request"  # written by the client, read by the server
    RESPONSE = "response"  # written by the server, read by the client
    OPERATION = "operation"  # the path or method itself


class ChangeKind(StrEnum):
    """Every kind of change the drift detector reports."""

    PATH_ADDED = "path added"
    PATH_REMOVED = "path removed"
    METHOD_ADDED = "method added"
    METHOD_REMOVED = "method removed"
    DEPRECATED = "deprecated"
    STATUS_CODE_ADDED = "status code added"
    STATUS_CODE_REMOVED = "status code removed"
    CONTENT_TYPE_ADDED = "content type added"
    CONTENT_TYPE_REMOVED = "content type removed"
    FIELD_ADDED = "field added"
    FIELD_REMOVED = "field removed"
    TYPE_CHANGED = "type changed"
    REQUIRED_ADDED = "required added"
    REQUIRED_REMOVED = "required removed"
    ENUM_VALUE_ADDED = "enum value added"
    ENUM_VALUE_REMOVED = "enum value removed"
    VARIANT_ADDED = "variant added"
    VARIANT_REMOVED = "variant removed"
    CONSTRAINT_TIGHTENED = "constraint tightened"
    CONSTRAINT_LOOSENED = "constraint loosened"
    CONSTRAINT_CHANGED = "constraint changed"


@dataclass(frozen=True, order=True)
class Change:
    """One difference between OLD and NEW, judged from a client's point of view.

    ``location`` names where it is, outermost first, e.g.
    ``("response 201", "latency", "asr")``; ``detail`` says what exactly changed
    (values, bounds, types) and ``reason`` why that matters (or does not) to a client.
    """

    operation: str
    location: tuple[str, ...]
    kind: ChangeKind
    severity: Severity
    reason: str
    detail: str = ""

    @property
    def where(self) -> str:
        """The location as one string, e.g. ``response 201 > latency > asr`` ('' for the operation itself)."""
        return LOCATION_SEPARATOR.join(self.location)

    @property
    def breaking(self) -> bool:
        return self.severity is Severity.BREAKING

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (the ``--format json`` record of one change)."""
        return {
            "operation": self.operation,
            "location": self.where,
            "path": list(self.location),
            "kind": self.kind.value,
            "severity": self.severity.value,
            "breaking": self.breaking,
            "detail": self.detail,
            "reason": self.reason,
        }


FAIL_ON_CHOICES = ("breaking", "any")


@dataclass(frozen=True)
class DriftReport:
    """All changes found between OLD and NEW, in a stable order."""

    old: str
    new: str
    mode: str  # "contract vs contract", "recording vs contract", ...
    changes: tuple[Change, ...]
    notes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, old: str, new: str, mode: str, changes: Iterable[Change], notes: Mapping[str, str] | None = None
    ) -> DriftReport:
        unique = sorted(set(changes), key=_sort_key)
        return cls(old, new, mode, tuple(unique), dict(notes or {}))

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    def counts(self) -> dict[str, int]:
        """Number of changes per severity (both keys always present)."""
        counter = Counter(change.severity.value for change in self.changes)
        return {severity.value: counter.get(severity.value, 0) for severity in Severity}

    def fails(self, fail_on: str) -> bool:
        """Whether anything at or above ``fail_on`` ("breaking" or "any") was found."""
        if fail_on not in FAIL_ON_CHOICES:
            raise ValueError(f"fail_on must be one of {FAIL_ON_CHOICES}, not {fail_on!r}")
        return bool(self.breaking if fail_on == "breaking" else self.changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "mode": self.mode,
            "summary": {"total": len(self.changes), **self.counts()},
            "notes": dict(self.notes),
            "changes": [change.as_dict() for change in self.changes],
        }


def _sort_key(change: Change) -> tuple[Any, ...]:
    # Operation first, then where in it (request before responses), then kind.
    return (change.operation, _location_rank(change.location), change.kind.value, change.detail)


def _location_rank(location: tuple[str, ...]) -> tuple[Any, ...]:
    head = location[0] if location else ""
    order = 0 if head.startswith("parameter") else 1 if head.startswith("request") else 2
    return (order, head, location[1:])
