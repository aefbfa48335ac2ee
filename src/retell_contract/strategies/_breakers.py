"""Consistency violations: one small breaker per rule of :mod:`retell_contract.consistency`.

Each breaker takes a complete, strictly valid ended call (already a private copy),
changes it so that exactly its rule fails (and the schema still passes), and returns
the ``(path, detail)`` of the violation the rule reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

from retell_contract._json_semantics import is_number
from retell_contract.consistency import STATUS_STAGES, ContractFacts, transcript_label
from retell_contract.contracts import Contract
from retell_contract.strategies import _call_parts as parts

Breaker = Callable[[st.DrawFn, dict[str, Any], Contract, ContractFacts], tuple[str, str]]


@dataclass(frozen=True)
class ConsistencyBreak:
    name: str
    rule: str
    applies: Callable[[Contract, ContractFacts], bool]
    breaker: Breaker


BREAKS: dict[str, ConsistencyBreak] = {}


def _breaks(
    name: str, rule: str, applies: Callable[[Contract, ContractFacts], bool]
) -> Callable[[Breaker], Breaker]:
    def register(breaker: Breaker) -> Breaker:
        BREAKS[name] = ConsistencyBreak(name, rule, applies, breaker)
        return breaker

    return register


def _has(*fields: str) -> Callable[[Contract, ContractFacts], bool]:
    return lambda contract, facts: all(f in contract.call_object_schema.get("properties", {}) for f in fields)


def _positive(draw: st.DrawFn, high: int = 1_000_000) -> int:
    return draw(st.integers(min_value=1, max_value=high))


@_breaks(
    "duration_mismatches_timestamps",
    "duration_matches_timestamps",
    _has("start_timestamp", "end_timestamp", "duration_ms"),
)
def _duration(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    actual = call["end_timestamp"] - call["start_timestamp"]
    call["duration_ms"] = actual + _positive(draw) * draw(st.sampled_from((1, -1)))
    return "duration_ms", f"duration_ms is {call['duration_ms']} but the timestamps are {actual} ms apart"


@_breaks("end_before_start", "timestamps_ordered", _has("start_timestamp", "end_timestamp"))
def _end_before_start(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    call["end_timestamp"] = call["start_timestamp"] - _positive(draw, 10_000_000)
    if "duration_ms" in call:  # keep the duration agreeing, so only the order is wrong
        call["duration_ms"] = call["end_timestamp"] - call["start_timestamp"]
    return (
        "end_timestamp",
        f"end_timestamp {call['end_timestamp']} is before start_timestamp {call['start_timestamp']}",
    )


def _latency_applies(contract: Contract, facts: ContractFacts) -> bool:
    percentiles = [k for k in facts.latency_order if k not in ("min", "max")]
    return bool(facts.latency_metrics and percentiles and {"min", "max"} & set(facts.latency_order))


def _metric(draw: st.DrawFn, call: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    latency = call.get("latency") or {}
    name = draw(st.sampled_from(sorted(latency))) if latency else reject()
    return name, latency[name]


@_breaks("latency_percentiles_unordered", "latency_percentiles_ordered", _latency_applies)
def _percentiles(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    name, metric = _metric(draw, call)
    key = draw(st.sampled_from([k for k in facts.latency_order if k not in ("min", "max") and k in metric]))
    bound = "min" if is_number(metric.get("min")) else "max"
    metric[key] = (
        metric[bound] - _positive(draw, 1_000) if bound == "min" else metric[bound] + _positive(draw, 1_000)
    )
    return f"latency.{name}", f"latency.{name}.{key} is {metric[key]}, outside the order of its percentiles"


@_breaks("latency_value_out_of_range", "latency_values_within_range", _latency_applies)
def _value_out_of_range(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    name, metric = _metric(draw, call)
    values = metric["values"]
    index = draw(st.integers(0, len(values) - 1))
    if is_number(metric.get("max")):
        values[index] = metric["max"] + _positive(draw, 10_000)
    else:
        values[index] = metric["min"] - _positive(draw, 10_000)
    return f"latency.{name}.values", f"latency.{name}.values[{index}] is {values[index]}, outside [min, max]"


@_breaks("latency_num_mismatches_values", "latency_num_matches_values", lambda c, f: bool(f.latency_metrics))
def _num(draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts) -> tuple[str, str]:
    name, metric = _metric(draw, call)
    count = len(metric["values"])
    num = draw(st.integers(0, count + 5))
    metric["num"] = num + 1 if num >= count else num
    return f"latency.{name}.num", f"latency.{name}.num is {metric['num']} but values has {count} entries"


@_breaks(
    "transcript_mismatches_transcript_object",
    "transcript_matches_transcript_object",
    lambda c, f: _has("transcript", "transcript_object")(c, f) and bool(f.utterance_roles),
)
def _transcript(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    role = draw(st.sampled_from(facts.utterance_roles))
    extra = draw(st.sampled_from(("and one more thing", "", "…")))
    call["transcript"] = f"{call['transcript']}\n{transcript_label(role)}: {extra}"
    return "transcript", f"transcript has a line for an utterance transcript_object does not have ({role})"


@_breaks("word_timings_unordered", "word_timings_ordered", _has("transcript_object"))
def _words(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    places = [
        (field, i, j)
        for field in ("transcript_object", *facts.tool_transcript_fields)
        for i, item in enumerate(call.get(field) or [])
        for j, word in enumerate(item.get("words") or [])
        if is_number(word.get("start")) and is_number(word.get("end"))
    ]
    field, i, j = draw(st.sampled_from(places)) if places else reject()
    word = call[field][i]["words"][j]
    word["end"] = round(word["start"] - _positive(draw, 100) / 100, 2)
    return f"{field}.{i}.words.{j}", f"word {j} of {field}.{i} ends at {word['end']}, before it starts"


@_breaks(
    "tool_result_without_invocation",
    "tool_results_pair_with_invocations",
    lambda c, f: bool(f.tool_transcript_fields and f.result_roles),
)
def _orphan(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    field = draw(st.sampled_from([f for f in facts.tool_transcript_fields if isinstance(call.get(f), list)]))
    items = call[field]
    result = parts.result_branch(contract.call_field(field)["items"]["oneOf"], facts)
    item = parts.draw_branch_item(draw, result, facts.result_roles[0], complete=True)
    item["tool_call_id"] = "orphan_" + item["tool_call_id"]
    position = draw(st.integers(0, len(items)))
    items.insert(position, item)
    return (
        f"{field}.{position}.tool_call_id",
        f"{field}.{position} answers tool call {item['tool_call_id']!r}, never invoked",
    )


def _statuses(contract: Contract, *stages: str) -> list[str]:
    return [s for s in contract.enum("call_status") if STATUS_STAGES.get(s) in stages]


@_breaks(
    "post_call_field_before_end",
    "post_call_fields_before_end",
    lambda c, f: bool(f.post_call_fields and _statuses(c, "created", "started")),
)
def _post_call(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    status = draw(st.sampled_from(_statuses(contract, "created", "started")))
    kept = draw(st.sampled_from([f for f in facts.post_call_fields if call.get(f) is not None]))
    _rewind(call, status, facts, keep=kept)
    return kept, f"post-call field {kept!r} is present while call_status is {status!r}"


@_breaks(
    "started_field_before_start",
    "started_fields_before_start",
    lambda c, f: bool(f.started_fields and _statuses(c, "created")),
)
def _started(
    draw: st.DrawFn, call: dict[str, Any], contract: Contract, facts: ContractFacts
) -> tuple[str, str]:
    status = draw(st.sampled_from(_statuses(contract, "created")))
    kept = draw(st.sampled_from([f for f in facts.started_fields if call.get(f) is not None]))
    _rewind(call, status, facts, keep=kept)
    return kept, f"{kept!r} is present while call_status is {status!r}"


def _rewind(call: dict[str, Any], status: str, facts: ContractFacts, *, keep: str) -> None:
    """Turn an ended call back into one with ``status``, keeping one field it cannot have yet."""
    call["call_status"] = status
    dropped = list(facts.post_call_fields)
    if STATUS_STAGES[status] == "created":
        dropped += facts.started_fields
    for field in dropped:
        if field != keep:
            call.pop(field, None)
