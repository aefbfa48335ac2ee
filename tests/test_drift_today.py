"""The v2 → v3 story: the seed-era contract against today's, and the pieces that tell it."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from drift_support import PATH, document, media, obj
from retell_contract.cassettes import Scrubber, write_cassette
from retell_contract.cli import main
from retell_contract.drift import (
    ChangeKind,
    Recording,
    Severity,
    api_document,
    compare,
    diff,
    diff_documents,
    load_input,
)
from retell_contract.drift._model import Direction
from retell_contract.drift._rules import SUCCESSOR, judge
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.server import DEFAULT_API_KEY
from today_support import AGENT, BASE, record_night

K = ChangeKind
V2, V3 = "POST /v2/create-web-call", "POST /v3/create-web-call"
MOVING = f"{V2} → {V3}"


@pytest.fixture(scope="module")
def story():
    return diff("seed", "today")


def _where(report, operation):
    return {(c.where, c.kind): c for c in report.changes if c.operation == operation}


def test_built_in_contracts_are_selectable_by_name():
    seed, today = load_input("seed"), load_input("today")
    assert "seed.openapi.yaml" in seed.source
    assert "today.openapi.yaml" in today.source
    assert diff("today", "today").changes == ()


def test_a_file_of_that_name_wins_over_the_built_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seed").write_text("just: a mapping\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", "seed", "today"])
    assert result.exit_code == 2
    assert "not an OpenAPI" in result.output


def test_an_unknown_name_lists_the_built_in_ones():
    result = CliRunner().invoke(main, ["diff", "yesterday", "today"])
    assert result.exit_code == 2
    assert "built-in contracts: today, seed" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_v3_and_get_call_are_added(story):
    for operation in (V3, "GET /v2/get-call/{call_id}"):
        (change,) = _where(story, operation).values()
        assert (change.kind, change.severity) == (K.PATH_ADDED, Severity.NON_BREAKING)


def test_v2_is_deprecated_with_its_sunset_and_successor(story):
    change = _where(story, V2)[("", K.DEPRECATED)]
    assert change.severity is Severity.NON_BREAKING
    assert change.detail == f"sunset 2026-09-30; successor {V3}"


def test_moving_to_v3_loses_the_call_object_fields(story):
    moving = _where(story, MOVING)
    for field in ("agent_id", "call_status", "agent_version", "call_type", "metadata"):
        change = moving[(f"response 201 > {field}", K.FIELD_REMOVED)]
        assert change.severity is Severity.BREAKING
        assert change.reason == judge(K.FIELD_REMOVED, Direction.RESPONSE, SUCCESSOR).reason
    gained = {where for where, kind in moving if kind is K.FIELD_ADDED}
    assert gained == {"response 201 > expires_at", "response 201 > ice_servers", "response 201 > transport"}


def test_moving_to_v3_reports_no_noise(story):
    moving = _where(story, MOVING)
    # Top-level fields only: nothing inside the call object's fields, nothing for fields both
    # responses share with one type (call_id, access_token), nothing for the same request body.
    assert all(len(c.location) == 2 for c in moving.values())
    assert not {where for where, _ in moving} & {"response 201 > call_id", "response 201 > access_token"}
    assert not any(c.location[0].startswith("request") for c in moving.values())


def test_todays_request_changes_are_safe_for_a_client(story):
    v2 = _where(story, V2)
    version = v2[("request body > agent_version", K.TYPE_CHANGED)]
    assert (version.detail, version.severity) == ("integer → integer | string", Severity.NON_BREAKING)
    # minLength binds the new string form only: no integer a client sent is refused.
    assert ("request body > agent_version", K.CONSTRAINT_TIGHTENED) not in v2
    for field in ("agent_override", "current_node_id", "current_state"):
        assert v2[(f"request body > {field}", K.FIELD_ADDED)].severity is Severity.NON_BREAKING
    assert not [c for c in story.breaking if c.operation == V2 and c.location[0].startswith("request")]


def test_new_disconnection_reasons_break_clients_that_switch_over_them(story):
    change = _where(story, V2)[("response 201 > disconnection_reason", K.ENUM_VALUE_ADDED)]
    assert change.severity is Severity.BREAKING
    assert "ivr_reached" in change.detail


def test_the_report_reads_operation_first():
    result = CliRunner().invoke(main, ["diff", "seed", "today"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    # What happened to the operation comes first in its block, breaking changes after it.
    v2 = lines.index(V2)
    assert lines[v2 + 1].strip() == f"NON-BREAKING  deprecated: sunset 2026-09-30; successor {V3}"
    assert lines[v2 + 3].strip().startswith("BREAKING")
    # The move to the successor right after the deprecated operation.
    assert v2 < lines.index(MOVING) < lines.index(V3)


# Hand-made documents: the deprecation rules on their own.


def _deprecating(*, sunset: str | None = "2030-01-01", successor: str | None = "createV2") -> dict[str, Any]:
    doc = document(request=obj({"a": {"type": "string"}}), response=obj({"id": {"type": "string"}}))
    operation = doc["paths"][PATH]["post"]
    operation["deprecated"] = True
    if sunset is not None:
        operation["x-sunset"] = sunset
    if successor is not None:
        operation["x-successor"] = successor
    doc["paths"]["/v2/calls"] = {
        "post": {
            "operationId": "createV2",
            "requestBody": {"content": media(obj({"a": {"type": "string"}, "b": {"type": "integer"}}))},
            "responses": {
                "200": {
                    "description": "ok",
                    "content": media(obj({"id": {"type": "integer"}, "token": {"type": "string"}})),
                }
            },
        }
    }
    return doc


def _compare(old: dict[str, Any], new: dict[str, Any]):
    return diff_documents(api_document(old), api_document(new))


def test_a_deprecation_is_reported_once_the_contract_declares_it():
    new = _deprecating()
    old = copy.deepcopy(new)
    del old["paths"][PATH]["post"]["deprecated"]
    changes = {(c.operation, c.where, c.kind): c for c in _compare(old, new)}
    assert changes[("POST /calls", "", K.DEPRECATED)].detail == "sunset 2030-01-01; successor POST /v2/calls"
    moving = "POST /calls → POST /v2/calls"
    assert changes[(moving, "response 201 → 200 > id", K.TYPE_CHANGED)].severity is Severity.BREAKING
    assert changes[(moving, "response 201 → 200 > token", K.FIELD_ADDED)].severity is Severity.NON_BREAKING
    # The request body, sent unchanged to the successor, is compared in full.
    assert changes[(moving, "request body > b", K.FIELD_ADDED)].severity is Severity.NON_BREAKING
    assert _compare(new, new) == []  # a deprecation both sides declare is no change


def test_a_deprecation_without_date_or_declared_successor_says_so():
    cases = ((None, "no sunset date"), ("gone", "no sunset date; successor gone (not declared)"))
    for successor, detail in cases:
        new = _deprecating(sunset=None, successor=successor)
        old = copy.deepcopy(new)
        del old["paths"][PATH]["post"]["deprecated"]
        changes = _compare(old, new)
        assert [(c.kind, c.detail) for c in changes] == [(K.DEPRECATED, detail)]


def test_a_constraint_binding_a_type_one_side_lacks_is_no_change():
    old = document(request=obj({"v": {"type": "integer"}}))
    new = document(request=obj({"v": {"type": ["integer", "string"], "minLength": 1, "maximum": 9}}))
    changes = {(c.where, c.kind) for c in _compare(old, new)}
    assert changes == {
        ("request body > v", K.TYPE_CHANGED),
        ("request body > v", K.CONSTRAINT_TIGHTENED),  # maximum binds integers, which were sent before
    }


# Recordings of today's API: every operation compared against its own template and schema.


@pytest.fixture(scope="module")
def night_cassette(tmp_path_factory):
    path = tmp_path_factory.mktemp("night") / "night.yaml"
    return write_cassette(path, record_night(), scrubber=Scrubber(secrets=[DEFAULT_API_KEY]))


def test_a_clean_night_against_today_is_no_change(night_cassette):
    result = CliRunner().invoke(main, ["diff", "today", str(night_cassette), "--fail-on", "any"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("no changes")


def test_v3_and_get_call_responses_are_judged_by_their_own_operations(tmp_path):
    night = record_night()
    changed = [_with_extra(e) if e.request.method == "GET" or "/v3/" in e.request.url else e for e in night]
    report = compare(load_input("today"), Recording.of(changed, source="changed"))
    found = {(c.operation, c.where, c.kind) for c in report.changes}
    assert found == {
        ("GET /v2/get-call/{call_id}", "response 200 > surprise", K.FIELD_ADDED),
        (V3, "response 201 > surprise", K.FIELD_ADDED),
    }


def _with_extra(exchange: Exchange) -> Exchange:
    body = exchange.response.json()
    if exchange.response.status >= 300 or not isinstance(body, dict):
        return exchange
    response = replace(exchange.response, body=json.dumps({**body, "surprise": 1}).encode())
    return Exchange(exchange.request, response)


def _get_call(call_id: str, metadata: dict[str, Any]) -> Exchange:
    call = {
        "call_type": "web_call",
        "call_id": call_id,
        "access_token": "t",
        "agent_id": AGENT,
        "agent_version": 1,
        "call_status": "registered",
        "metadata": metadata,
    }
    return Exchange(
        RecordedRequest("GET", f"{BASE}/v2/get-call/{call_id}"),
        RecordedResponse(200, {"content-type": "application/json"}, json.dumps(call).encode()),
    )


def test_recordings_meet_on_the_contracts_templates_whatever_the_ids_look_like():
    # Fixed ids a preloaded mock serves (short, all lower case) are no path of their own, and
    # get-call's metadata is free-form there as in the create response.
    old = Recording.of([_get_call("call_1", {"ticket": 1})], source="old")
    new = Recording.of([_get_call("call_2", {"order": "x"}), _get_call("abc", {})], source="new")
    assert compare(old, new).changes == ()


def test_the_committed_v2_to_v3_example_is_what_the_command_prints_today():
    example = Path(__file__).resolve().parents[1] / "docs" / "drift-v2-to-v3.md"
    result = CliRunner().invoke(main, ["diff", "seed", "today", "--format", "markdown"])
    assert result.exit_code == 1, result.output
    text = example.read_text(encoding="utf-8")
    assert "retell-contract diff seed today --format markdown" in text
    assert text.endswith(result.output), (
        "docs/drift-v2-to-v3.md is stale: regenerate it with the command it quotes"
    )
