"""The consistency rules behind ``validate_call_object(level="strict")``."""

from __future__ import annotations

import copy
import dataclasses
import gc
import json
import weakref
from pathlib import Path
from typing import Any

import pytest

from retell_contract.consistency import CONSISTENCY_RULES, consistency_violations, contract_facts
from retell_contract.contracts import load_contract
from retell_contract.validation import validate_call_object

DOCS_EXAMPLE = Path(__file__).parent / "data" / "docs_example_call.json"


@pytest.fixture(scope="module")
def contract():
    return load_contract()


@pytest.fixture
def docs_example() -> dict[str, Any]:
    return json.loads(DOCS_EXAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def call(docs_example) -> dict[str, Any]:
    """The docs example, made consistent: an ended call whose figures agree."""
    call = copy.deepcopy(docs_example)
    call["call_status"] = "ended"
    call["duration_ms"] = call["end_timestamp"] - call["start_timestamp"]
    call["transcript"] = "Agent: hi how are you doing?"
    for metric in call["latency"].values():
        metric["values"] = [500, 800, 1200, 1500, 2500, 2700]
        metric["num"] = 6
    call["transcript_with_tool_calls"] += [
        {"role": "tool_call_invocation", "tool_call_id": "t1", "name": "book", "arguments": "{}"},
        {"role": "dtmf", "digit": "1"},
        {"role": "tool_call_result", "tool_call_id": "t1", "content": "booked"},
    ]
    return call


def rules(call: dict[str, Any], contract) -> list[tuple[str, str]]:
    return [(v.rule, v.path) for v in consistency_violations(call, contract)]


def test_a_consistent_call_passes_strict(call, contract):
    assert validate_call_object(call, level="strict", contract=contract) == []


def test_docs_example_passes_schema_but_fails_strict_naming_latency(docs_example, contract):
    assert validate_call_object(docs_example, level="schema", contract=contract) == []
    strict = validate_call_object(docs_example, level="strict", contract=contract)
    latency = [v for v in strict if v.path.startswith("latency.e2e")]
    assert {v.rule for v in latency} == {"latency_values_within_range", "latency_num_matches_values"}
    messages = " | ".join(str(v) for v in latency)
    assert "outside [min=500, max=2700]" in messages
    assert "num=10 but values has 1 entries" in messages


def test_docs_example_is_also_inconsistent_about_lifecycle_and_duration(docs_example, contract):
    found = {rule for rule, _ in rules(docs_example, contract)}
    assert {
        "duration_matches_timestamps",
        "post_call_fields_before_end",
        "started_fields_before_start",
        "transcript_matches_transcript_object",
    } <= found


def test_duration_must_match_timestamps(call, contract):
    call["duration_ms"] += 1
    assert rules(call, contract) == [("duration_matches_timestamps", "duration_ms")]


def test_end_before_start(call, contract):
    call["end_timestamp"] = call["start_timestamp"] - 5
    call["duration_ms"] = -5
    assert rules(call, contract) == [("timestamps_ordered", "end_timestamp")]


def test_percentiles_out_of_order_are_reported_once_per_metric(call, contract):
    metric = call["latency"]["tts"]
    metric["p90"], metric["p99"] = metric["p99"], metric["p90"]
    metric["p50"] = 2600
    assert rules(call, contract) == [("latency_percentiles_ordered", "latency.tts")]


@pytest.mark.parametrize("value", [499, 2701])
def test_values_outside_min_max(call, contract, value):
    call["latency"]["llm"]["values"][2] = value
    assert rules(call, contract) == [("latency_values_within_range", "latency.llm.values")]


def test_num_must_count_values(call, contract):
    call["latency"]["s2s"]["num"] = 5
    assert rules(call, contract) == [("latency_num_matches_values", "latency.s2s.num")]


def test_transcript_must_read_as_the_utterances(call, contract):
    call["transcript"] = "Agent: hi how are you doing?\nUser: fine"
    assert rules(call, contract) == [("transcript_matches_transcript_object", "transcript")]


@pytest.mark.parametrize(
    "text", ["agent: hi how are you doing?", "AGENT: hi how are you doing?\n", "Agent: hi how are you doing?"]
)
def test_transcript_labels_are_case_insensitive_and_a_final_newline_is_fine(call, contract, text):
    call["transcript"] = text
    assert rules(call, contract) == []


def test_transfer_target_label_may_use_a_space(call, contract):
    call["transcript_object"][0]["role"] = "transfer_target"
    call["transcript_with_tool_calls"][0]["role"] = "transfer_target"
    call["transcript"] = "Transfer target: hi how are you doing?"
    assert rules(call, contract) == []


def test_word_ending_before_it_starts(call, contract):
    call["transcript_object"][0]["words"][0]["end"] = 0.5
    assert rules(call, contract) == [("word_timings_ordered", "transcript_object.0.words.0")]


def test_words_going_back_in_time(call, contract):
    words = call["scrubbed_transcript_with_tool_calls"][0]["words"]
    words.append({"word": "there", "start": 0.2, "end": 0.4})
    assert rules(call, contract) == [
        ("word_timings_ordered", "scrubbed_transcript_with_tool_calls.0.words.1")
    ]


def test_result_without_invocation(call, contract):
    call["transcript_with_tool_calls"][-1]["tool_call_id"] = "t2"
    expected = ("tool_results_pair_with_invocations", "transcript_with_tool_calls.3.tool_call_id")
    assert rules(call, contract) == [expected]


def test_result_before_its_invocation(call, contract):
    items = call["transcript_with_tool_calls"]
    items[1], items[3] = items[3], items[1]
    found = rules(call, contract)
    assert found[0] == ("tool_results_pair_with_invocations", "transcript_with_tool_calls.1.tool_call_id")


def test_duplicate_invocation_and_second_result(call, contract):
    items = call["transcript_with_tool_calls"]
    items += [copy.deepcopy(items[1]), copy.deepcopy(items[3])]
    assert rules(call, contract) == [
        ("tool_results_pair_with_invocations", "transcript_with_tool_calls.4.tool_call_id"),
        ("tool_results_pair_with_invocations", "transcript_with_tool_calls.5.tool_call_id"),
    ]


def test_invocation_without_result_is_fine(call, contract):
    del call["transcript_with_tool_calls"][-1]
    assert rules(call, contract) == []


@pytest.mark.parametrize("status", ["registered", "not_connected", "ongoing"])
def test_post_call_fields_before_the_end(call, contract, status):
    call["call_status"] = status
    for field in contract.post_call_fields:
        if field != "latency":
            call.pop(field, None)
    if status != "ongoing":
        del call["start_timestamp"]
    assert rules(call, contract) == [("post_call_fields_before_end", "latency")]


def test_start_timestamp_before_the_start(call, contract):
    for field in contract.post_call_fields:
        call.pop(field, None)
    call["call_status"] = "registered"
    assert rules(call, contract) == [("started_fields_before_start", "start_timestamp")]


def test_unknown_status_is_not_judged(call, contract):
    call["call_status"] = "paused"
    assert rules(call, contract) == []


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c: c.update(duration_ms="10"),
        lambda c: c.update(start_timestamp=True),
        lambda c: c["latency"]["e2e"].update(num="six", values="many"),
        lambda c: c["latency"]["e2e"].update(p50=None, min="fast"),
        lambda c: c["transcript_object"][0].update(content=7),
        lambda c: c["transcript_object"][0].update(role="narrator"),
        lambda c: c["transcript_object"][0]["words"][0].update(start="soon"),
        lambda c: c["transcript_with_tool_calls"][1].pop("tool_call_id"),
        lambda c: c["transcript_with_tool_calls"][1].update(role="mystery"),
        lambda c: c.update(latency=[], transcript_object={"not": "a list"}),
    ],
)
def test_rules_skip_data_of_the_wrong_type(call, contract, break_it):
    """The schema level reports these; the rules must not report them a second time."""
    break_it(call)
    assert rules(call, contract) == []


def test_rules_tolerate_absent_optional_data(contract):
    bare = {"call_status": "ended", "latency": {"e2e": {"p50": 3}}, "transcript": "anything"}
    assert rules(bare, contract) == []


def test_rule_names_are_stable(contract):
    assert CONSISTENCY_RULES == (
        "duration_matches_timestamps",
        "timestamps_ordered",
        "latency_percentiles_ordered",
        "latency_values_within_range",
        "latency_num_matches_values",
        "transcript_matches_transcript_object",
        "word_timings_ordered",
        "tool_results_pair_with_invocations",
        "post_call_fields_before_end",
        "started_fields_before_start",
    )


def test_contract_facts_are_kept_with_their_contract_not_in_a_global_table():
    contract = dataclasses.replace(load_contract(), source="a copy")
    facts = contract_facts(contract)
    assert contract_facts(contract) is facts
    assert contract_facts(load_contract()) == facts
    gone = weakref.ref(contract)
    del contract
    gc.collect()
    assert gone() is None  # no cache outlives (or pins) the contract it was derived from
