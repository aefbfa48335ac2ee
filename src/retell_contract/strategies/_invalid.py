"""The record an invalid-input strategy draws: a value plus what is wrong with it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Invalid(Generic[T]):
    """An invalid value and its one named violation.

    ``violation`` is a stable snake_case name (e.g. ``agent_id_missing``), ``detail`` says
    in one line what is wrong, and ``(rule, path)`` is exactly the violation that
    :mod:`retell_contract.validation` reports for ``value`` (e.g.
    ``("schema.required", "agent_id")`` or ``("latency_num_matches_values",
    "latency.e2e.num")``).
    """

    value: T
    violation: str
    detail: str
    rule: str
    path: str

    def __str__(self) -> str:
        return f"{self.violation}: {self.detail}"
