"""Recordings: against a contract (what was observed but not declared) and against each other (shapes)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest

from drift_support import document, exchange, media, obj
from retell_contract.contracts import load_contract
from retell_contract.drift import (
    ApiDocument,
    ChangeKind,
    Recording,
    Severity,
    api_document,
    compare,
    diff_recording_against_contract,
    render,
)
from retell_contract.exchange import Exchange

K = ChangeKind
BREAKING, SAFE = Severity.BREAKING, Severity.NON_BREAKING


def variant(role: str, **fields: Any) -> dict[str, Any]:
    return obj({"role": {"type": "string", "enum": [role]}, **fields}, ["role"])


CALL = obj(
    {
        "id": {"type": "string", "minLength": 1},
        "status": {"type": "string", "enum": ["registered", "ended"]},
        "version": {"type": "integer"},
        "reason": {"type": ["string", "null"], "enum": ["hangup", None]},
        "latency": obj({"e2e": obj({"p50": {"type": "number"}})}),
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "metadata": {"type": "object"},
        "transcript": {
            "type": "array",
            "items": {
                "oneOf": [
                    variant("agent", content={"type": "string"}),
                    variant("dtmf", digit={"type": "string"}),
                ]
            },
        },
    },
    ["id", "status"],
)
ERROR = obj({"message": {"type": "string"}}, ["message"])
CONTRACT = document(
    response=CALL,
    responses={
        "201": {"description": "created", "content": media(CALL)},
        "4XX": {"description": "client error", "content": media(ERROR)},
    },
    servers=[{"url": "https://api.example.com/api"}],
)
GOOD = {
    "id": "c1",
    "status": "ended",
    "version": 1,
    "reason": None,
    "latency": {"e2e": {"p50": 800}},
    "headers": {"x-a": "b"},
    "metadata": {"customer": {"id": 7}},  # a free-form map: its keys are data, not new fields
    "transcript": [{"role": "agent", "content": "hi"}, {"role": "dtmf", "digit": "1"}],
}


@pytest.fixture(scope="module")
def contract() -> ApiDocument:
    return api_document(CONTRACT, source="contract.yaml")


def observed(contract: ApiDocument, *bodies: Any, **options: Any) -> set[tuple[Any, ...]]:
    exchanges = [
        exchange(body, **options) if not isinstance(body, tuple) else exchange(*body) for body in bodies
    ]
    return {(c.where, c.kind, c.severity) for c in diff_recording_against_contract(exchanges, contract)}


def test_a_conforming_recording_is_clean(contract):
    assert observed(contract, GOOD, {**GOOD, "reason": "hangup", "transcript": []}) == set()
    assert observed(contract, {"message": "no"}, status=422) == set()  # 4XX range declared


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"agent_name": "Support"}, ("response 201 > agent_name", K.FIELD_ADDED, SAFE)),
        ({"latency": {"e2e": {"p50": 1}, "asr": {}}}, ("response 201 > latency > asr", K.FIELD_ADDED, SAFE)),
        ({"reason": "ivr_reached"}, ("response 201 > reason", K.ENUM_VALUE_ADDED, BREAKING)),
        ({"version": "1"}, ("response 201 > version", K.TYPE_CHANGED, BREAKING)),
        ({"version": 1.5}, ("response 201 > version", K.TYPE_CHANGED, BREAKING)),
        ({"id": ""}, ("response 201 > id", K.CONSTRAINT_LOOSENED, BREAKING)),
        ({"headers": {"x-a": 1}}, ("response 201 > headers > *", K.TYPE_CHANGED, BREAKING)),
        ({"transcript": [{"role": "node_transition", "to": "n2"}]},
         ("response 201 > transcript > []", K.VARIANT_ADDED, BREAKING)),
        ({"transcript": [{"role": "dtmf", "digit": "1", "at": 2}]},
         ("response 201 > transcript > [] > (role=dtmf) > at", K.FIELD_ADDED, SAFE)),
    ],
    ids=["new field", "nested new field", "enum value", "type", "integer-as-float", "constraint",
         "additional properties schema", "new variant", "field in a variant"],
)  # fmt: skip
def test_what_the_contract_does_not_declare_is_reported(contract, change, expected):
    assert observed(contract, GOOD, {**GOOD, **change}) == {expected}


def test_missing_required_field_other_status_and_media_type(contract):
    missing = {k: v for k, v in GOOD.items() if k != "status"}
    assert observed(contract, missing) == {("response 201 > status", K.REQUIRED_REMOVED, BREAKING)}
    assert observed(contract, {"message": "oops"}, status=503) == {
        ("response 503", K.STATUS_CODE_ADDED, SAFE)
    }
    assert observed(contract, None, content_type="text/html", raw=b"<html>") == {
        ("response 201", K.CONTENT_TYPE_ADDED, BREAKING)
    }
    assert observed(contract, None, raw=b"{not json") == {("response 201", K.TYPE_CHANGED, BREAKING)}


def test_unknown_operations_and_server_prefix(contract):
    assert observed(contract, GOOD, path="/api/calls") == set()  # the server URL's path prefix
    assert observed(contract, GOOD, path="/agents") == {("", K.PATH_ADDED, SAFE)}
    assert observed(contract, GOOD, method="GET") == {("", K.METHOD_ADDED, SAFE)}


def test_a_path_item_without_operations_is_a_known_path():
    contract = api_document(
        document(response=obj({}), extra_paths={"/drafts/{id}": {"summary": "no operations yet"}})
    )
    found = diff_recording_against_contract([exchange({}), exchange({}, path="/drafts/7")], contract)
    assert [(c.operation, c.kind) for c in found] == [("POST /drafts/{id}", K.METHOD_ADDED)]


def test_findings_are_counted_and_their_values_listed(contract):
    bodies = [
        GOOD,
        {**GOOD, "reason": "ivr_reached"},
        {**GOOD, "reason": "transfer_bridged"},
        {**GOOD, "reason": "ivr_reached"},
    ]
    [change] = diff_recording_against_contract([exchange(b) for b in bodies], contract)
    assert change.detail == "ivr_reached, transfer_bridged (in 3 of 4 responses)"


def test_order_of_recording_and_contract_does_not_matter(contract):
    recording = Recording.of([exchange({**GOOD, "reason": "ivr_reached", "extra": 1})], source="rec")
    forward, backward = compare(contract, recording), compare(recording, contract)
    assert forward.changes == backward.changes
    assert len(forward.changes) == 2
    assert (forward.mode, backward.mode) == ("contract vs recording", "recording vs contract")


def shapes(old: list[Any], new: list[Any], **options: Any) -> set[tuple[Any, ...]]:
    report = compare(
        Recording.of([exchange(body, **options) for body in old], source="old"),
        Recording.of([exchange(body, **options) for body in new], source="new"),
    )
    assert report.mode == "recording vs recording"
    return {(c.where, c.kind, c.severity) for c in report.changes}


def test_recordings_with_the_same_shape_are_clean():
    # Different values, same shapes: whole and fractional numbers are both "number".
    assert shapes([GOOD], [{**GOOD, "id": "c2", "version": 2, "latency": {"e2e": {"p50": 812.5}}}]) == set()
    assert shapes([GOOD, GOOD], [GOOD]) == set()


def test_recording_shapes_are_compared():
    without_latency = {k: v for k, v in GOOD.items() if k != "latency"}
    assert shapes([GOOD], [{**GOOD, "agent_name": "x"}]) == {
        ("response 201 > agent_name", K.FIELD_ADDED, SAFE)
    }
    assert shapes([GOOD], [without_latency]) == {("response 201 > latency", K.FIELD_REMOVED, BREAKING)}
    assert shapes([GOOD], [GOOD, without_latency]) == {
        ("response 201 > latency", K.REQUIRED_REMOVED, BREAKING)
    }
    assert shapes([GOOD], [{**GOOD, "version": "1"}]) == {
        ("response 201 > version", K.TYPE_CHANGED, BREAKING)
    }
    assert shapes([GOOD], [{**GOOD, "reason": "x"}]) == {("response 201 > reason", K.TYPE_CHANGED, BREAKING)}
    assert shapes([GOOD], [{**GOOD, "transcript": [{"role": "agent", "content": "a", "words": []}]}]) == {
        ("response 201 > transcript > [] > words", K.FIELD_ADDED, SAFE),
        ("response 201 > transcript > [] > digit", K.FIELD_REMOVED, BREAKING),
        ("response 201 > transcript > [] > content", K.REQUIRED_ADDED, SAFE),  # now in every entry
    }


def test_recordings_compare_status_codes_and_collapse_ids_in_paths():
    old = Recording.of([exchange(GOOD), exchange({"message": "slow"}, status=429)], source="old")
    new = Recording.of([exchange(GOOD)], source="new")
    assert {(c.where, c.kind) for c in compare(old, new).changes} == {("response 429", K.STATUS_CODE_REMOVED)}
    first = Recording.of(
        [exchange(GOOD, method="GET", path="/v2/get-call/Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6")], source="a"
    )
    second = Recording.of(
        [exchange(GOOD, method="GET", path="/v2/get-call/call_0f3a9c51b2d44e7e8a")], source="b"
    )
    assert compare(first, second).changes == ()


def test_a_runs_probes_turned_away_are_not_api_changes(contract):
    probes = [
        ({"message": "Method Not Allowed"}, 405, method) for method in ("GET", "PUT", "PATCH", "DELETE")
    ]
    unknown_path = exchange({"message": "Not Found"}, status=404, path="/calls-unknown")
    turned_away = [exchange(body, status=status, method=method) for body, status, method in probes]
    assert diff_recording_against_contract(turned_away, contract) == []
    assert diff_recording_against_contract([unknown_path, exchange(GOOD)], contract) == []
    # Answered as if it were there, the same request is an undeclared operation.
    assert observed(contract, GOOD, method="DELETE") == {("", K.METHOD_ADDED, SAFE)}


BUILT_IN = load_contract()


def test_keys_of_free_form_objects_are_data_between_recordings_too():
    """Two runs echo different metadata keys: the built-in contract declares metadata free-form."""

    def created(metadata: dict[str, Any], variables: dict[str, Any]) -> Exchange:
        call = {"call_id": "c", "metadata": metadata, "retell_llm_dynamic_variables": variables}
        return exchange(call, path=BUILT_IN.path)

    old = Recording.of([created({"__proto__": {"a": 1}}, {"name": "x"})], source="old")
    new = Recording.of([created({"\n": [1], "ключ": None}, {"\x05": "y"}), created({}, {})], source="new")
    assert compare(old, new).changes == ()
    other = Recording.of([exchange({"call_id": "c", "metadata": {}}, path=BUILT_IN.path)], source="other")
    assert {c.where for c in compare(old, other).changes} == {  # other fields are still compared
        "response 201 > retell_llm_dynamic_variables"
    }


def test_reports_show_unprintable_characters_escaped(contract):
    body = {**GOOD, "new\nfield\x05": 1, "\u2028": 2}
    report = compare(contract, Recording.of([exchange(body)], source="rec"))
    for fmt in ("text", "markdown"):
        shown = render(report, fmt)
        assert "new\\nfield\\x05" in shown
        assert "\\u2028" in shown
        assert all(c == "\n" or unicodedata.category(c) not in {"Cc", "Zl", "Zp"} for c in shown)
    assert "new\nfield\x05" in json.loads(render(report, "json"))["changes"][0]["location"]
