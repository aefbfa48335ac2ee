"""Consistent pieces of a call object: timeline, transcripts, latency.

Each builder produces data the consistency rules in :mod:`retell_contract.consistency`
accept by construction: durations are differences of timestamps, percentiles are
nearest-rank percentiles of the values, transcript text is built from the utterances,
word timings move forward, and every tool-call result follows its invocation.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from hypothesis import strategies as st

from retell_contract.consistency import ContractFacts, transcript_label
from retell_contract.contracts import Contract, JsonSchema
from retell_contract.strategies import _json, _plausible
from retell_contract.strategies._schema import from_schema

EPOCH_2023_MS = 1_672_531_200_000
EPOCH_2030_MS = 1_893_456_000_000
MAX_CALL_MS = 2 * 60 * 60 * 1000
RECENT_MS = 30 * 24 * 60 * 60 * 1000
DTMF_DIGITS = "0123456789*#"
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_VOCABULARY = ("hi", "hello", "yes", "no", "thanks", "okay", "booking", "Monday", "10am", "sure", "bye")
# Word text: no whitespace, so an utterance's content is its words joined by spaces.
# (Excluding "Cs" keeps it UTF-8-encodable without codec=, as _json._characters explains.)
_WORD_CHARACTERS = st.characters(exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs"))

# ids(), access_tokens() and timelines() are cached: each call object draws from them, and
# building a text strategy over an alphabet costs more than drawing from it.


@cache
def ids(prefix: str = "") -> st.SearchStrategy[str]:
    """Opaque 32-character ids like Retell's call ids."""
    return st.text(_ID_ALPHABET, min_size=32, max_size=32).map(lambda s: prefix + s)


@cache
def access_tokens() -> st.SearchStrategy[str]:
    """JWT-shaped tokens (three base64url parts)."""
    part = st.text(_ID_ALPHABET + "-_", min_size=8, max_size=40)
    return st.builds(lambda a, b: f"eyJhbGciOiJIUzI1NiJ9.{a}.{b}", part, part)


@dataclass(frozen=True)
class Timeline:
    start: int
    end: int

    @property
    def duration(self) -> int:
        return self.end - self.start


@cache
def timelines(now: int | None = None, believable: bool = False) -> st.SearchStrategy[Timeline]:
    """A call's start and end in ms since the epoch, up to two hours long.

    With ``now`` (ms since the epoch) the call ended within the 30 days before it, never
    after; without, anywhere in 2023-2030. Never the wall clock: a seed means one call.
    ``believable`` calls last half a minute to ten minutes, long enough for a transcript.
    """
    durations = (
        st.integers(30_000, 600_000)
        if believable
        else st.one_of(st.integers(0, 300_000), st.integers(0, MAX_CALL_MS))
    )
    if now is None:
        return st.builds(
            lambda start, duration: Timeline(start, start + duration),
            st.integers(min_value=EPOCH_2023_MS, max_value=EPOCH_2030_MS),
            durations,
        )
    # Drawn as "how long ago", so examples shrink towards a call that has just ended.
    ends = st.integers(min_value=0, max_value=min(now, RECENT_MS)).map(lambda ago: now - ago)
    return st.builds(lambda end, duration: Timeline(max(0, end - duration), end), ends, durations)


# -- transcripts --------------------------------------------------------------------------


@st.composite
def utterances(
    draw: st.DrawFn, roles: tuple[str, ...], complete: bool, believable: bool = False
) -> list[dict[str, Any]]:
    """Utterances with word timings; ``complete`` gives every role at least one.

    ``believable`` speaks lines of a conversation instead of odd words.
    """
    count = draw(st.integers(min_value=len(roles) if complete else 0, max_value=max(len(roles), 6)))
    clock = draw(st.integers(0, 200)) / 100
    result = []
    for index in range(count):
        if believable:  # a conversation: the agent opens, then the parties take turns
            role = roles[index % len(roles)]
        elif complete and index < len(roles):
            role = roles[index]
        else:
            role = draw(st.sampled_from(roles))
        texts = draw(_plausible.lines(role)).split() if believable else draw(_WORD_LISTS)
        words = []
        for text in texts:
            gap, length = draw(_WORD_TIMINGS)
            start = round(clock + gap / 100, 2)
            clock = round(start + length / 100, 2)
            words.append({"word": text, "start": start, "end": clock})
        result.append({"role": role, "content": " ".join(texts), "words": words})
    return result


_WORDS = st.one_of(st.sampled_from(_VOCABULARY), st.text(_WORD_CHARACTERS, min_size=1, max_size=10))
_WORD_LISTS = st.lists(_WORDS, min_size=1, max_size=6)
_WORD_TIMINGS = st.tuples(st.integers(0, 60), st.integers(1, 90))  # gap and length, in 10 ms


def transcript_text(items: list[dict[str, Any]]) -> str:
    """The plain-text transcript of utterances: one ``Role: content`` line each."""
    return "\n".join(f"{transcript_label(u['role'])}: {u['content']}" for u in items)


def draw_tool_transcript(
    draw: st.DrawFn,
    spoken: list[dict[str, Any]],
    contract: Contract,
    field: str,
    facts: ContractFacts,
    complete: bool,
    believable: bool = False,
) -> list[dict[str, Any]]:
    """``spoken`` woven with tool calls (each result after its invocation) and other items."""
    branches: list[JsonSchema] = contract.call_field(field)["items"]["oneOf"]
    items: list[dict[str, Any]] = [dict(u) for u in spoken]
    for branch in branches:
        role = first_role(branch)
        if role is None or role in facts.utterance_roles or role in facts.result_roles:
            continue
        count = draw(st.integers(min_value=int(complete), max_value=2))
        for _ in range(count):
            item = draw_branch_item(draw, branch, role, complete, believable)
            if "tool_call_id" in item:  # ids are unique within a transcript
                item["tool_call_id"] = f"{item['tool_call_id']}_{len(items)}"
            position = draw(st.integers(0, len(items)))
            items.insert(position, item)
            if role in facts.invocation_roles and facts.result_roles:
                result = result_branch(branches, facts)
                answer = draw_branch_item(draw, result, facts.result_roles[0], complete, believable)
                answer["tool_call_id"] = item["tool_call_id"]
                items.insert(draw(st.integers(position + 1, len(items))), answer)
    return items


def first_role(branch: JsonSchema) -> str | None:
    enum = branch.get("properties", {}).get("role", {}).get("enum", [])
    return enum[0] if enum and isinstance(enum[0], str) else None


def result_branch(branches: list[JsonSchema], facts: ContractFacts) -> JsonSchema:
    return next(b for b in branches if first_role(b) in facts.result_roles)


_ARGUMENTS = st.dictionaries(_json.keys(), _json.scalars(), max_size=3).map(json.dumps)
_TOOL_CALL_IDS = ids("tool_call_")
_TOOL_NAMES = st.sampled_from(("book_appointment", "lookup_order", "transfer_call", "end_call"))
# Members of transcript items whose meaning calls for particular values.
_KNOWN_MEMBERS: dict[str, st.SearchStrategy[Any]] = {
    "tool_call_id": _TOOL_CALL_IDS,
    "name": _TOOL_NAMES,
    "arguments": _ARGUMENTS,
    "digit": st.sampled_from(DTMF_DIGITS),
}
_BELIEVABLE_MEMBERS = {
    **_KNOWN_MEMBERS,
    "arguments": _plausible.variables().map(json.dumps),
    "content": st.sampled_from(
        ("Booked for Monday at 10:00.", "Order 4512 ships tomorrow.", "No slot free.")
    ),
}


def draw_branch_item(
    draw: st.DrawFn, branch: JsonSchema, role: str, complete: bool, believable: bool = False
) -> dict[str, Any]:
    """An item of one transcript variant; well-known members get realistic values."""
    required = branch.get("required", [])
    item: dict[str, Any] = {"role": role}
    known_members = _BELIEVABLE_MEMBERS if believable else _KNOWN_MEMBERS
    for name, schema in branch.get("properties", {}).items():
        if name != "role" and (complete or name in required or draw(st.booleans())):
            known = known_members.get(name)
            if known is None:
                known = from_schema(schema, complete=complete, name=name, believable=believable)
            item[name] = draw(known)
    return item


# -- latency ------------------------------------------------------------------------------


def draw_latency(draw: st.DrawFn, contract: Contract, facts: ContractFacts, complete: bool) -> dict[str, Any]:
    """Latency metrics whose summary figures are computed from their values."""
    latency: dict[str, Any] = {}
    for name in facts.latency_metrics:
        if complete or draw(st.booleans()):
            schema = contract.call_field("latency", name)
            latency[name] = _draw_metric(draw, schema, facts, complete)
    return latency


def _draw_metric(draw: st.DrawFn, schema: JsonSchema, facts: ContractFacts, complete: bool) -> dict[str, Any]:
    values = draw(_LATENCY_LISTS[complete])
    ordered = sorted(values)
    derived: dict[str, Any] = {"values": values, "num": len(values)}
    if values:
        derived |= {"min": ordered[0], "max": ordered[-1]}
        derived |= {k: _percentile(ordered, int(k[1:])) for k in facts.latency_order if k[1:].isdigit()}
    metric: dict[str, Any] = {}
    for key, sub in schema.get("properties", {}).items():
        if key not in derived and (values or key not in facts.latency_order):
            derived[key] = draw(from_schema(sub))
        if key in derived and (complete or draw(st.booleans())):
            metric[key] = derived[key]
    return metric


_LATENCY_MS = st.one_of(st.integers(20, 5_000), st.integers(2_000, 500_000).map(lambda n: n / 100))
_LATENCY_LISTS = {
    complete: st.lists(_LATENCY_MS, min_size=int(complete), max_size=12) for complete in (False, True)
}


def _percentile(ordered: list[Any], percent: int) -> Any:
    """Nearest-rank percentile: always one of the values, so within [min, max]."""
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]
