"""Validate request bodies and call objects against the contract.

Two levels for call objects: ``schema`` (the contract's JSON Schema) and ``strict``
(schema plus the consistency rules in :mod:`retell_contract.consistency`).
Every problem is a :class:`Violation` naming its rule and the field it concerns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from retell_contract._violation import Violation
from retell_contract.consistency import consistency_violations
from retell_contract.contracts import Contract, load_contract

__all__ = [
    "LEVELS",
    "InvalidCallObject",
    "Level",
    "Violation",
    "check_call_object",
    "validate_call_object",
    "validate_request_body",
]

Level = Literal["schema", "strict"]
LEVELS: tuple[Level, ...] = ("schema", "strict")


class InvalidCallObject(AssertionError):
    """Raised by :func:`check_call_object`; ``violations`` lists every problem found."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("; ".join(str(v) for v in violations))


def validate_request_body(body: Any, *, contract: Contract | None = None) -> list[Violation]:
    """Schema violations of a create-web-call request body (empty when it is valid)."""
    contract = contract or load_contract()
    return _schema_violations(contract.request_validator, body)


def validate_call_object(
    call: Any, *, level: Level = "schema", contract: Contract | None = None
) -> list[Violation]:
    """Violations of a call object at ``level`` ("schema" or "strict"), sorted by path."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    contract = contract or load_contract()
    violations = _schema_violations(contract.call_object_validator, call)
    if level == "strict" and isinstance(call, dict):
        violations += consistency_violations(call, contract)
    return sorted(set(violations))


def check_call_object(call: Any, *, level: Level = "strict", contract: Contract | None = None) -> None:
    """Raise :class:`InvalidCallObject` unless ``call`` passes ``level``."""
    violations = validate_call_object(call, level=level, contract=contract)
    if violations:
        raise InvalidCallObject(violations)


def _schema_violations(validator: Draft202012Validator, instance: Any) -> list[Violation]:
    return [v for error in _leaf_errors(validator.iter_errors(instance)) for v in _to_violations(error)]


def _leaf_errors(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """Replace a failed oneOf/anyOf by the errors of the variant the instance chose.

    Transcript items pick their variant by ``role``; when exactly one variant accepts the
    role, "tool_call_invocation without name" reads better than "not valid under any".
    """
    for error in errors:
        if error.validator not in ("oneOf", "anyOf") or not error.context:
            yield error
            continue
        by_branch: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            by_branch.setdefault(sub.schema_path[0], []).append(sub)
        chosen = [subs for subs in by_branch.values() if all(list(s.relative_path) != ["role"] for s in subs)]
        if len(chosen) == 1:
            yield from _leaf_errors(chosen[0])
        else:
            yield error


def _to_violations(error: ValidationError) -> list[Violation]:
    path = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "required" and isinstance(error.instance, dict):
        # jsonschema yields one such error per missing field without naming it; name them
        # all here (the caller's set() folds the repeats), not just the first.
        required = error.validator_value if isinstance(error.validator_value, list) else []
        return [
            Violation(
                f"{path}.{name}" if path else str(name),
                "schema.required",
                f"required field {name!r} is missing",
            )
            for name in required
            if name not in error.instance
        ]
    return [Violation(path, f"schema.{error.validator}", _json_message(error)[:200])]


def _json_message(error: ValidationError) -> str:
    """jsonschema's message with the offending value in JSON (``null``, not Python's ``None``)."""
    python = repr(error.instance)
    if not error.message.startswith(python):
        return error.message
    try:
        shown = json.dumps(error.instance, ensure_ascii=False)
    except (TypeError, ValueError):
        return error.message
    return shown[:120] + error.message[len(python) :]
