"""The checks of today's operations: v3 connection details, version names, get-call read-backs.

Each check passes a correct exchange and fails the fault it exists for; a read-back is
judged against the create the same RunContext saw first, as in a run or a replay.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from retell_contract.checks import (
    NOTE_CASE,
    NOTE_ID,
    NOTE_OPERATION,
    NOTE_RESOLVED,
    NOTE_SENT_AT,
    NOTE_VERSIONS,
    CaseKind,
    CheckFailed,
    DuplicateValue,
    FieldMismatch,
    RunContext,
    SchemaMismatch,
    UnexpectedStatus,
    run_checks,
)
from retell_contract.contracts import Agent, load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

CONTRACT = load_contract()
AGENT = Agent.from_spec("agent_today:1,2,3:published=2,prod=3")
KEY = "key_checks_today_0123456789"
BASE = "http://server.test"
SENT_AT = 1_790_000_000_000
HEADERS = {"content-type": "application/json"}
ICE = [
    {"urls": "stun:stun.example:3478"},
    {"urls": ["turn:t.example:443"], "username": "u", "credential": "c"},
]


def _exchange(method: str, path: str, body: Any, status: int, answer: Any, **notes: str) -> Exchange:
    sent = {"authorization": f"Bearer {KEY}", "content-type": "application/json"}
    wire = b"" if body is None else json.dumps(body).encode()
    noted = {
        NOTE_CASE: str(CaseKind.POSITIVE),
        NOTE_ID: "1",
        NOTE_VERSIONS: "1,2,3",
        NOTE_SENT_AT: str(SENT_AT),
    }
    response = RecordedResponse(status, HEADERS, json.dumps(answer).encode())
    return Exchange(RecordedRequest(method, BASE + path, sent, wire), response, {**noted, **notes})


def connection(**changes: Any) -> dict[str, Any]:
    details = {
        "access_token": "tok-1",
        "call_id": "call-1",
        "expires_at": SENT_AT + 30_000,
        "ice_servers": ICE,
        "transport": "gateway",
    }
    details.update(changes)
    return {k: v for k, v in details.items() if v is not None}


def v3(answer: dict[str, Any], body: dict[str, Any] | None = None) -> Exchange:
    sent = body or {"agent_id": AGENT.agent_id}
    return _exchange("POST", "/v3/create-web-call", sent, 201, answer, **{NOTE_OPERATION: "create-v3"})


def call(sent: dict[str, Any], **changes: Any) -> dict[str, Any]:
    version = AGENT.resolve(sent.get("agent_version"))
    made = {
        "call_type": "web_call",
        "access_token": "tok-1",
        "call_id": "call-1",
        "agent_id": sent["agent_id"],
        "agent_version": version,
        "call_status": "registered",
        **{k: sent[k] for k in ("metadata", "retell_llm_dynamic_variables") if k in sent},
    }
    made.update(changes)
    return made


def v2_by_name(name: str, **changes: Any) -> Exchange:
    body = {"agent_id": AGENT.agent_id, "agent_version": name}
    resolved = str(AGENT.resolve(name))
    return _exchange(
        "POST",
        "/v2/create-web-call",
        body,
        201,
        call(body, **changes),
        **{NOTE_OPERATION: "create-v2", NOTE_RESOLVED: resolved},
    )


def retrieve(answer: Any, call_id: str = "call-1", status: int = 200) -> Exchange:
    return _exchange(
        "GET",
        f"/v2/get-call/{call_id}",
        None,
        status,
        answer,
        **{NOTE_CASE: str(CaseKind.RETRIEVE), NOTE_ID: "2", NOTE_OPERATION: "get-call"},
    )


BODY = {"agent_id": AGENT.agent_id, "agent_version": "prod", "metadata": {"order": 7}}


def failures(*exchanges: Exchange) -> dict[str, CheckFailed]:
    """The failures of the last exchange, after the run has seen the ones before it."""
    run = RunContext(CONTRACT, {AGENT.agent_id: AGENT})
    found: dict[str, CheckFailed] = {}
    for index, ex in enumerate(exchanges):
        ctx = run.context_for(ex, key=str(index))
        found = {o.check: o.failure for o in run_checks(ctx, ex) if o.failure is not None}
    return found


def test_correct_v3_v2_by_name_and_read_backs_pass():
    assert failures(v3(connection())) == {}
    assert failures(v2_by_name("prod")) == {}
    created = v3(connection(), BODY)
    assert failures(created, retrieve(call(BODY))) == {}


BAD_TODAY: list[tuple[str, type[CheckFailed], Callable[[], tuple[Exchange, ...]]]] = [
    ("connection_details_schema", SchemaMismatch, lambda: (v3(connection(transport=None)),)),
    ("connection_details_schema", SchemaMismatch, lambda: (v3(connection(ice_servers=[])),)),
    ("expires_at_in_milliseconds", FieldMismatch, lambda: (v3(connection(expires_at=SENT_AT // 1000 + 30)),)),
    ("expires_at_in_milliseconds", FieldMismatch, lambda: (v3(connection(expires_at=SENT_AT * 1000)),)),
    ("expires_at_in_milliseconds", FieldMismatch, lambda: (v3(connection(expires_at=SENT_AT - 60_000)),)),
    ("expires_at_in_milliseconds", FieldMismatch, lambda: (v3(connection(expires_at=SENT_AT + 86_400_000)),)),
    (
        "ice_servers_usable",
        FieldMismatch,
        lambda: (v3(connection(ice_servers=[{"urls": "http://x.example"}])),),
    ),
    ("ice_servers_usable", FieldMismatch, lambda: (v3(connection(ice_servers=[{"urls": []}])),)),
    (
        "ice_servers_usable",
        FieldMismatch,
        lambda: (v3(connection(ice_servers=[{"urls": "turn:t.example"}])),),
    ),
    ("agent_version_resolved", FieldMismatch, lambda: (v2_by_name("prod", agent_version="prod"),)),
    ("agent_version_resolved", FieldMismatch, lambda: (v2_by_name("latest_published", agent_version=3),)),
    (
        "created_call_retrievable",
        FieldMismatch,
        lambda: (v3(connection(), BODY), retrieve(call(BODY, call_id="call-9"))),
    ),
    (
        "status_code_for_case",
        UnexpectedStatus,
        lambda: (v3(connection(), BODY), retrieve({"status": "error", "message": "x"}, status=404)),
    ),
    (
        "request_fields_echoed",
        FieldMismatch,
        lambda: (v3(connection(), BODY), retrieve(call(BODY, metadata={}))),
    ),
    (
        "agent_version_resolved",
        FieldMismatch,
        lambda: (v3(connection(), BODY), retrieve(call(BODY, agent_version=1))),
    ),
    (
        "call_status_is_registered",
        FieldMismatch,
        lambda: (v3(connection(), BODY), retrieve(call(BODY, call_status="ended"))),
    ),
    (
        "no_post_call_fields",
        FieldMismatch,
        lambda: (v3(connection(), BODY), retrieve(call(BODY, transcript="Agent: hi"))),
    ),
    ("call_id_unique", DuplicateValue, lambda: (v2_by_name("prod"), v3(connection(access_token="tok-2")))),
]


@pytest.mark.parametrize(
    ("name", "kind", "make"), BAD_TODAY, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(BAD_TODAY)]
)
def test_each_check_fails_the_fault_it_is_for(name, kind, make):
    found = failures(*make())
    assert name in found, f"{name} did not fail; failures: {found}"
    assert type(found[name]) is kind
    assert "c" not in found.get("ice_servers_usable", FieldMismatch("", "")).actual.split(), (
        "credential shown"
    )


def test_a_get_call_nobody_noted_is_judged_by_what_the_run_created_before():
    created = v3(connection(), BODY)
    unnoted = Exchange(retrieve(call(BODY, metadata={})).request, retrieve(call(BODY, metadata={})).response)
    assert "request_fields_echoed" in failures(created, unnoted)
    stranger = Exchange(retrieve(call(BODY), call_id="other").request, retrieve(call(BODY)).response)
    assert failures(stranger) == {}, "a call the run did not create is only held to the schema"
