"""Consistency rules for call objects: what the schema cannot say.

Each rule is a small function over one call object, registered under its name, that
yields ``(path, message)`` problems; :func:`consistency_violations` makes each one a
:class:`~retell_contract.validation.Violation` named after its rule. Rules judge only
data they can read:
absent optional fields and values of the wrong type (which the schema level already
reports) are skipped, so one broken field is reported once.

Field lists, enums and the latency percentiles come from the contract; the rules only
name the fields they are about.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

from retell_contract._json_semantics import is_int, is_number
from retell_contract._violation import Violation
from retell_contract.contracts import Contract, JsonSchema

Stage = Literal["created", "started", "ended"]
# What each call status says about the call's progress. Statuses missing here (newer
# contracts) are not judged by the lifecycle rules.
STATUS_STAGES: Mapping[str, Stage] = {
    "registered": "created",
    "not_connected": "created",
    "ongoing": "started",
    "ended": "ended",
    "error": "ended",
}

Problem = tuple[str, str]  # (path, message); the rule's registered name completes it
Rule = Callable[[dict[str, Any], "ContractFacts"], Iterable[Problem]]
_RULES: dict[str, Rule] = {}


def _rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        _RULES[name] = function
        return function

    return register


def consistency_violations(call: dict[str, Any], contract: Contract) -> list[Violation]:
    """Every consistency problem of ``call``, in rule order."""
    facts = contract_facts(contract)
    return [
        Violation(path, name, message) for name, rule in _RULES.items() for path, message in rule(call, facts)
    ]


@dataclass(frozen=True)
class ContractFacts:
    """What the rules and the strategies read from a contract, derived once per contract."""

    post_call_fields: tuple[str, ...]
    started_fields: tuple[str, ...]
    utterance_roles: tuple[str, ...]
    invocation_roles: tuple[str, ...]
    result_roles: tuple[str, ...]
    tool_transcript_fields: tuple[str, ...]
    tool_transcript_roles: tuple[str, ...]
    latency_metrics: tuple[str, ...]
    latency_order: tuple[str, ...]


def contract_facts(contract: Contract) -> ContractFacts:
    """The :class:`ContractFacts` of ``contract`` (derived once, kept on the contract)."""
    return contract.derived(_derive_facts)


def _derive_facts(contract: Contract) -> ContractFacts:
    properties: dict[str, JsonSchema] = contract.call_object_schema.get("properties", {})
    tool_fields = tuple(name for name, sub in properties.items() if _union_branches(sub))
    branches = [branch for name in tool_fields for branch in _union_branches(properties[name])]
    return ContractFacts(
        post_call_fields=contract.post_call_fields,
        started_fields=contract.started_call_fields,
        utterance_roles=_roles(_items(properties.get("transcript_object", {}))),
        invocation_roles=_branch_roles(branches, lambda p: "tool_call_id" in p and "name" in p),
        result_roles=_branch_roles(branches, lambda p: "tool_call_id" in p and "name" not in p),
        tool_transcript_fields=tool_fields,
        tool_transcript_roles=_branch_roles(branches, lambda p: True),
        latency_metrics=tuple(properties.get("latency", {}).get("properties", {})),
        latency_order=_latency_order(properties.get("latency", {})),
    )


def _items(schema: JsonSchema) -> JsonSchema:
    items = schema.get("items") if schema.get("type") == "array" else None
    return items if isinstance(items, dict) else {}


def _union_branches(schema: JsonSchema) -> list[JsonSchema]:
    branches = _items(schema).get("oneOf")
    return [b for b in branches if isinstance(b, dict)] if isinstance(branches, list) else []


def _roles(schema: JsonSchema) -> tuple[str, ...]:
    enum = schema.get("properties", {}).get("role", {}).get("enum", ())
    return tuple(value for value in enum if isinstance(value, str))


def _branch_roles(branches: list[JsonSchema], kind: Callable[[JsonSchema], bool]) -> tuple[str, ...]:
    roles = [role for b in branches if kind(b.get("properties", {})) for role in _roles(b)]
    return tuple(dict.fromkeys(roles))


def _latency_order(latency: JsonSchema) -> tuple[str, ...]:
    """``min``, the percentiles ascending (``p50`` ... ``p99``), ``max``: as the contract has them."""
    metrics = list(latency.get("properties", {}).values())
    keys = list(metrics[0].get("properties", {})) if metrics else []
    percentiles = sorted((k for k in keys if re.fullmatch(r"p\d+", k)), key=lambda k: int(k[1:]))
    return tuple(k for k in ("min", *percentiles, "max") if k in keys)


def call_stage(status: object) -> Stage | None:
    """The lifecycle stage a ``call_status`` value implies (None when unknown)."""
    return STATUS_STAGES.get(status) if isinstance(status, str) else None


# -- timestamps ---------------------------------------------------------------------------


@_rule("duration_matches_timestamps")
def _duration(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    start, end, duration = (call.get(k) for k in ("start_timestamp", "end_timestamp", "duration_ms"))
    if is_int(start) and is_int(end) and is_int(duration) and duration != end - start:
        yield "duration_ms", f"duration_ms={duration} but end_timestamp - start_timestamp = {end - start}"


@_rule("timestamps_ordered")
def _timestamps(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    start, end = call.get("start_timestamp"), call.get("end_timestamp")
    if is_int(start) and is_int(end) and end < start:
        yield "end_timestamp", f"end_timestamp={end} is before start_timestamp={start}"


# -- latency ------------------------------------------------------------------------------


def _metrics(call: dict[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    latency = call.get("latency")
    if isinstance(latency, dict):
        yield from ((name, m) for name, m in latency.items() if isinstance(m, dict))


@_rule("latency_percentiles_ordered")
def _percentiles(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    for name, metric in _metrics(call):
        present = [(k, metric[k]) for k in facts.latency_order if is_number(metric.get(k))]
        for (low_key, low), (high_key, high) in pairwise(present):
            if high < low:
                order = " <= ".join(facts.latency_order)
                yield (
                    f"latency.{name}",
                    f"latency.{name}: {high_key}={high} < {low_key}={low} (expected {order})",
                )
                break


@_rule("latency_values_within_range")
def _values_in_range(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    for name, metric in _metrics(call):
        values, low, high = metric.get("values"), metric.get("min"), metric.get("max")
        if not isinstance(values, list) or not (is_number(low) or is_number(high)):
            continue
        outside = [
            v
            for v in values
            if is_number(v) and ((is_number(low) and v < low) or (is_number(high) and v > high))
        ]
        if outside:
            yield (
                f"latency.{name}.values",
                f"latency.{name}: {len(outside)} of {len(values)} values lie outside "
                f"[min={low}, max={high}] (e.g. {outside[0]})",
            )


@_rule("latency_num_matches_values")
def _num_matches(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    for name, metric in _metrics(call):
        num, values = metric.get("num"), metric.get("values")
        if is_number(num) and isinstance(values, list) and num != len(values):
            yield f"latency.{name}.num", f"latency.{name}: num={num} but values has {len(values)} entries"


# -- transcripts --------------------------------------------------------------------------


def transcript_label(role: str) -> str:
    """How a role is written at the start of a plain-text transcript line (``Agent: hi``)."""
    return role.replace("_", " ").capitalize()


def _label_pattern(role: str) -> str:
    # Labels are compared case-insensitively, with "_" and " " interchangeable.
    return "(?i:" + "[ _]".join(re.escape(part) for part in role.split("_")) + ")"


@_rule("transcript_matches_transcript_object")
def _transcript(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    transcript, utterances = call.get("transcript"), call.get("transcript_object")
    if not isinstance(transcript, str) or not isinstance(utterances, list):
        return
    lines = []
    for utterance in utterances:
        if not isinstance(utterance, dict):
            return
        role, content = utterance.get("role"), utterance.get("content")
        if role not in facts.utterance_roles or not isinstance(content, str):
            return
        lines.append(f"{_label_pattern(role)}: {re.escape(content)}")
    if not re.fullmatch("\n".join(lines) + "\n?", transcript):
        yield (
            "transcript",
            f"transcript ({transcript.count(chr(10)) + 1 if transcript else 0} lines) does not read as "
            f"the {len(utterances)} utterances of transcript_object, one 'Role: content' line each",
        )


def _utterance_lists(call: dict[str, Any], facts: ContractFacts) -> Iterable[tuple[str, list[Any]]]:
    for field in ("transcript_object", *facts.tool_transcript_fields):
        items = call.get(field)
        if isinstance(items, list):
            yield field, items


@_rule("word_timings_ordered")
def _word_timings(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    for field, items in _utterance_lists(call, facts):
        for index, item in enumerate(items):
            words = item.get("words") if isinstance(item, dict) else None
            if isinstance(words, list):
                yield from _first_unordered_word(f"{field}.{index}.words", words)


def _first_unordered_word(path: str, words: list[Any]) -> Iterable[Problem]:
    previous_start: float | None = None
    for index, word in enumerate(words):
        if not isinstance(word, dict):
            continue
        start, end = word.get("start"), word.get("end")
        problem = None
        if is_number(start) and is_number(end) and end < start:
            problem = f"ends at {end} before it starts at {start}"
        elif is_number(start) and previous_start is not None and start < previous_start:
            problem = f"starts at {start}, before the previous word's start {previous_start}"
        if problem:
            yield f"{path}.{index}", f"word {index} {problem}"
            return
        if is_number(start):
            previous_start = start


@_rule("tool_results_pair_with_invocations")
def _tool_pairs(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    for field in facts.tool_transcript_fields:
        items = call.get(field)
        if isinstance(items, list) and _readable_tool_items(items, facts):
            yield from _unpaired(field, items, facts)


def _readable_tool_items(items: list[Any], facts: ContractFacts) -> bool:
    """Every item has a known role, and tool items a string id (else the schema complains)."""
    tool_roles = (*facts.invocation_roles, *facts.result_roles)
    return all(
        isinstance(item, dict)
        and item.get("role") in facts.tool_transcript_roles
        and (item["role"] not in tool_roles or isinstance(item.get("tool_call_id"), str))
        for item in items
    )


def _unpaired(field: str, items: list[dict[str, Any]], facts: ContractFacts) -> Iterable[Problem]:
    invoked: set[str] = set()
    answered: set[str] = set()
    for index, item in enumerate(items):
        call_id, path = item.get("tool_call_id"), f"{field}.{index}.tool_call_id"
        problem = None
        if item["role"] in facts.invocation_roles:
            problem = f"tool_call_id {call_id!r} is invoked twice" if call_id in invoked else None
            invoked.add(str(call_id))
        elif item["role"] in facts.result_roles:
            if call_id not in invoked:
                problem = f"result for tool_call_id {call_id!r} has no earlier invocation"
            elif call_id in answered:
                problem = f"tool_call_id {call_id!r} has a second result"
            answered.add(str(call_id))
        if problem:
            yield path, problem


# -- lifecycle ----------------------------------------------------------------------------


@_rule("post_call_fields_before_end")
def _post_call_fields(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    status = call.get("call_status")
    if call_stage(status) in ("created", "started"):
        for field in facts.post_call_fields:
            if call.get(field) is not None:
                yield field, f"post-call field {field!r} is present while call_status is {status!r}"


@_rule("started_fields_before_start")
def _started_fields(call: dict[str, Any], facts: ContractFacts) -> Iterable[Problem]:
    status = call.get("call_status")
    if call_stage(status) == "created":
        for field in facts.started_fields:
            if call.get(field) is not None:
                yield (
                    field,
                    f"{field!r} is present while call_status is {status!r} (the call has not started)",
                )


CONSISTENCY_RULES: tuple[str, ...] = tuple(_RULES)
