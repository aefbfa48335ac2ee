"""The named checks: each passes a good exchange and fails the bad one it exists for."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from retell_contract.checks import (
    NOTE_CASE,
    NOTE_DETAIL,
    NOTE_ID,
    NOTE_VERSIONS,
    SKIP,
    CaseKind,
    CheckFailed,
    DuplicateValue,
    FieldMismatch,
    RunContext,
    SchemaMismatch,
    Status,
    UnexpectedStatus,
    WrongContentType,
    get_check,
    infer_kind,
    registered_checks,
    run_checks,
    same_json,
)
from retell_contract.contracts import Agent, load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

CONTRACT = load_contract()
AGENT = Agent("agent_checks_test", (1, 2, 3))
KEY = "key_checks_test_0123456789"
URL = "http://server.test/v2/create-web-call"
JSON_HEADERS = {"content-type": "application/json"}


def request(
    body: Any = None, *, raw: bytes | None = None, method: str = "POST", **headers: str
) -> RecordedRequest:
    sent = {"authorization": f"Bearer {KEY}", "content-type": "application/json", **headers}
    wire = raw if raw is not None else json.dumps(body).encode()
    return RecordedRequest(method, URL, sent, wire)


def new_call(sent: dict[str, Any], *, version: int = 3, n: int = 1, **changes: Any) -> dict[str, Any]:
    call = {
        "call_type": "web_call",
        "access_token": f"token-{n}",
        "call_id": f"call-{n}",
        "agent_id": sent["agent_id"],
        "agent_version": sent.get("agent_version", version),
        "call_status": "registered",
        **{name: sent[name] for name in ("metadata", "retell_llm_dynamic_variables") if name in sent},
    }
    call.update(changes)
    return {key: value for key, value in call.items() if value is not _DROP}


_DROP = object()


def exchange(
    sent: RecordedRequest,
    status: int,
    body: Any = None,
    *,
    kind: CaseKind = CaseKind.POSITIVE,
    raw: bytes | None = None,
    headers: dict[str, str] | None = None,
    detail: str = "",
    case_id: str = "1",
) -> Exchange:
    wire = raw if raw is not None else json.dumps(body).encode()
    notes = {NOTE_CASE: str(kind), NOTE_DETAIL: detail, NOTE_ID: case_id, NOTE_VERSIONS: "1,2,3"}
    return Exchange(sent, RecordedResponse(status, JSON_HEADERS if headers is None else headers, wire), notes)


def error(status: int) -> dict[str, str]:
    return {"status": "error", "message": CONTRACT.error_message(status)}


def failures(ex: Exchange, run: RunContext | None = None) -> dict[str, CheckFailed]:
    run = run or RunContext(CONTRACT, {AGENT.agent_id: AGENT})
    ctx = run.context_for(ex, key=ex.notes.get(NOTE_ID, "0"))
    return {o.check: o.failure for o in run_checks(ctx, ex) if o.failure is not None}


BODY = {"agent_id": AGENT.agent_id, "agent_version": 2, "metadata": {"order": 7, "name": "Zoë 📞"}}
GOOD = exchange(request(BODY), 201, new_call(BODY))


def test_a_correct_new_call_passes_every_check():
    run = RunContext(CONTRACT, {AGENT.agent_id: AGENT})
    outcomes = run_checks(run.context_for(GOOD, key="1"), GOOD)
    assert {o.check for o in outcomes} == {c.name for c in registered_checks()}
    assert all(o.status is not Status.FAILED for o in outcomes), [o.failure for o in outcomes]
    assert sum(o.status is Status.PASSED for o in outcomes) >= 12


def test_extra_call_object_fields_are_drift_not_failures():
    extra = exchange(request(BODY), 201, new_call(BODY, new_field_2027={"x": 1}, another="y"))
    assert failures(extra) == {}


def _replace_body(body: Any, **options: Any) -> Exchange:
    return exchange(request(BODY), 201, body, **options)


NO_VERSION = {"agent_id": AGENT.agent_id}
# (check that must fail, failure type, the bad exchange)
BAD: list[tuple[str, type[CheckFailed], Callable[[], Exchange]]] = [
    ("no_server_error", UnexpectedStatus, lambda: exchange(request(BODY), 500, error(500))),
    ("status_code_documented", UnexpectedStatus, lambda: exchange(request(BODY), 404, error(400))),
    ("status_code_for_case", UnexpectedStatus, lambda: exchange(request(BODY), 422, error(422))),
    (
        "status_code_for_case",
        UnexpectedStatus,
        lambda: exchange(
            request({"agent_id": ""}), 201, new_call({"agent_id": ""}), kind=CaseKind.INVALID_BODY
        ),
    ),
    (
        "status_code_for_case",
        UnexpectedStatus,
        lambda: exchange(request(BODY, authorization="Bearer nope"), 400, error(400), kind=CaseKind.BAD_AUTH),
    ),
    (
        "status_code_for_case",
        UnexpectedStatus,
        lambda: exchange(request(raw=b"{"), 422, error(422), kind=CaseKind.BAD_INPUT),
    ),
    (
        "status_code_for_case",
        UnexpectedStatus,
        lambda: exchange(request({"agent_id": "nobody"}), 400, error(400), kind=CaseKind.UNKNOWN_AGENT),
    ),
    (
        "content_type_matches_body",
        WrongContentType,
        lambda: exchange(request(BODY), 400, raw=b"<html>oops</html>", kind=CaseKind.INVALID_BODY),
    ),
    (
        "content_type_matches_body",
        WrongContentType,
        lambda: exchange(
            request(BODY), 405, raw=b"Method Not Allowed", headers={}, kind=CaseKind.OTHER_METHOD
        ),
    ),
    (
        "error_object_conforms",
        WrongContentType,
        lambda: exchange(
            request(raw=b"{"),
            400,
            raw=b"bad",
            headers={"content-type": "text/plain"},
            kind=CaseKind.BAD_INPUT,
        ),
    ),
    (
        "error_object_conforms",
        SchemaMismatch,
        lambda: exchange(request(raw=b"{"), 400, {"error": "bad"}, kind=CaseKind.BAD_INPUT),
    ),
    (
        "call_object_is_json",
        WrongContentType,
        lambda: _replace_body(new_call(BODY), headers={"content-type": "text/plain"}),
    ),
    ("call_object_is_json", WrongContentType, lambda: _replace_body([new_call(BODY)])),
    ("call_object_schema", SchemaMismatch, lambda: _replace_body(new_call(BODY, call_id=_DROP))),
    ("call_object_schema", SchemaMismatch, lambda: _replace_body(new_call(BODY, agent_version="2"))),
    (
        "call_object_consistent",
        SchemaMismatch,
        lambda: _replace_body(new_call(BODY, start_timestamp=2_000, end_timestamp=1_000, duration_ms=-1_000)),
    ),
    ("call_type_is_web_call", FieldMismatch, lambda: _replace_body(new_call(BODY, call_type="phone_call"))),
    (
        "call_status_is_registered",
        FieldMismatch,
        lambda: _replace_body(new_call(BODY, call_status="ongoing")),
    ),
    ("request_fields_echoed", FieldMismatch, lambda: _replace_body(new_call(BODY, metadata={}))),
    ("request_fields_echoed", FieldMismatch, lambda: _replace_body(new_call(BODY, metadata=_DROP))),
    ("request_fields_echoed", FieldMismatch, lambda: _replace_body(new_call(BODY, agent_version=3))),
    ("request_fields_echoed", FieldMismatch, lambda: _replace_body(new_call(BODY, agent_id="someone-else"))),
    (
        "request_fields_echoed",
        FieldMismatch,
        lambda: _replace_body(new_call(BODY, metadata={"order": True, "name": "Zoë 📞"})),
    ),
    (
        "default_version_is_latest",
        FieldMismatch,
        lambda: exchange(request(NO_VERSION), 201, new_call(NO_VERSION, version=1)),
    ),
    ("call_id_unique", FieldMismatch, lambda: _replace_body(new_call(BODY, call_id=""))),
    ("access_token_unique", FieldMismatch, lambda: _replace_body(new_call(BODY, access_token="  "))),
    ("no_post_call_fields", FieldMismatch, lambda: _replace_body(new_call(BODY, transcript="User: hi"))),
]


@pytest.mark.parametrize(
    ("name", "kind", "make"), BAD, ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(BAD)]
)
def test_each_check_fails_the_fault_it_is_for(name, kind, make):
    found = failures(make())
    assert name in found, f"{name} did not fail; failures: {found}"
    failure = found[name]
    assert type(failure) is kind
    assert failure.check == name
    assert failure.expected
    assert failure.actual
    assert name in failure.signature


def test_every_registered_check_has_a_failing_example():
    from test_checks_today import BAD_TODAY

    """Every registered check can fail: none only inflates the pass counts."""
    failing = {name for name, _, _ in [*BAD, *BAD_TODAY]}
    assert failing == {check.name for check in registered_checks()}


def test_one_status_fault_is_reported_by_exactly_one_status_check():
    statuses = {"no_server_error", "status_code_documented", "status_code_for_case"}
    for status in (500, 503, 404, 418, 400, 422):
        found = failures(exchange(request(BODY), status, error(400)))
        assert len(set(found) & statuses) == 1, (status, found)


@pytest.mark.parametrize(
    ("kind", "status", "headers"),
    [
        (CaseKind.OTHER_METHOD, 405, JSON_HEADERS),
        (CaseKind.OTHER_METHOD, 400, JSON_HEADERS),
        (CaseKind.UNKNOWN_PATH, 404, JSON_HEADERS),
        (CaseKind.UNVERIFIED_VERSION, 422, JSON_HEADERS),
        (CaseKind.UNKNOWN_AGENT, 422, JSON_HEADERS),
        (CaseKind.UNKNOWN_VERSION, 422, JSON_HEADERS),
        (CaseKind.INVALID_BODY, 422, JSON_HEADERS),
        (CaseKind.BAD_AUTH, 401, JSON_HEADERS),
        (CaseKind.BAD_INPUT, 400, JSON_HEADERS),
        (CaseKind.POSITIVE, 429, JSON_HEADERS),
        (CaseKind.INVALID_BODY, 429, JSON_HEADERS),
    ],
)
def test_right_refusals_pass(kind, status, headers):
    body = error(status) if status in CONTRACT.status_codes else {"status": "error", "message": "no"}
    assert failures(exchange(request(BODY), status, body, kind=kind, headers=headers)) == {}


def test_unverified_version_accepts_201_and_the_echo_is_still_checked():
    sent = {"agent_id": "agent_unknown_versions", "agent_version": 9}
    good = exchange(request(sent), 201, new_call(sent), kind=CaseKind.UNVERIFIED_VERSION)
    assert failures(good) == {}
    bad = exchange(request(sent), 201, new_call(sent, agent_version=1), kind=CaseKind.UNVERIFIED_VERSION)
    assert set(failures(bad)) == {"request_fields_echoed"}


def test_413_is_accepted_only_for_oversized_bodies():
    small = exchange(request(BODY), 413, error(400))
    assert "status_code_documented" in failures(small)
    big_body = {**BODY, "metadata": {"padding": "x" * 200_000}}
    assert failures(exchange(request(big_body), 413, error(400))) == {}


def test_default_version_must_be_an_integer_even_when_versions_are_unknown():
    sent = {"agent_id": "agent_unknown_versions"}
    ex = exchange(request(sent), 201, new_call(sent, agent_version="latest"))
    notes = {**ex.notes, NOTE_VERSIONS: ""}
    found = failures(Exchange(ex.request, ex.response, notes))
    assert isinstance(found["default_version_is_latest"], FieldMismatch)
    fine = exchange(request(sent), 201, new_call(sent, agent_version=7))
    assert failures(Exchange(fine.request, fine.response, {**fine.notes, NOTE_VERSIONS: ""})) == {}


def test_a_default_version_too_big_for_a_float_is_still_an_integer():
    sent = {"agent_id": "agent_unknown_versions"}
    ex = exchange(request(sent), 201, new_call(sent, agent_version=10**400))
    assert failures(Exchange(ex.request, ex.response, {**ex.notes, NOTE_VERSIONS: ""})) == {}
    found = failures(exchange(request(sent), 201, new_call(sent, agent_version=10**400)))
    assert isinstance(found["default_version_is_latest"], FieldMismatch)  # not the latest (3)


def test_call_ids_and_tokens_must_be_unique_across_the_run_without_printing_tokens():
    run = RunContext(CONTRACT, {AGENT.agent_id: AGENT})
    first = exchange(request(BODY), 201, new_call(BODY, n=1), case_id="1")
    again = exchange(request(BODY), 201, new_call(BODY, n=1), case_id="2")
    assert failures(first, run) == {}
    assert failures(first, run) == {}, "checking the same exchange twice is not a duplicate"
    found = failures(again, run)
    assert {type(found["call_id_unique"]), type(found["access_token_unique"])} == {DuplicateValue}
    assert "token-1" not in str(found["access_token_unique"])


def test_checks_skip_what_they_do_not_apply_to():
    refused = exchange(request(BODY), 401, error(401), kind=CaseKind.BAD_AUTH)
    run = RunContext(CONTRACT)
    statuses = {o.check: o.status for o in run_checks(run.context_for(refused, key="1"), refused)}
    assert statuses["call_object_schema"] is Status.SKIPPED
    assert statuses["status_code_for_case"] is Status.PASSED
    assert get_check("call_object_schema").function(run.context_for(refused, key="1"), refused) is SKIP


def test_app_crash_is_named_in_the_failure():
    ex = exchange(request(BODY), 500, raw=b"Internal Server Error", headers={"content-type": "text/plain"})
    crashed = Exchange(ex.request, ex.response, {**ex.notes, "app_error": "KeyError: 'x'"})
    assert "KeyError" in failures(crashed)["no_server_error"].actual


@pytest.mark.parametrize(
    ("sent", "kind", "detail"),
    [
        (request(BODY, method="GET"), CaseKind.OTHER_METHOD, "GET"),
        (RecordedRequest("POST", URL + "x", {}, b""), CaseKind.UNKNOWN_PATH, "/v2/create-web-callx"),
        (
            RecordedRequest("POST", URL, {"content-type": "application/json"}, b"{}"),
            CaseKind.BAD_AUTH,
            "missing",
        ),
        (request(BODY, authorization="Token abc"), CaseKind.BAD_AUTH, "malformed"),
        (request(BODY, **{"content-type": "text/plain"}), CaseKind.BAD_INPUT, "wrong_content_type"),
        (request(raw=b""), CaseKind.BAD_INPUT, "empty_body"),
        (request(raw=b"{"), CaseKind.BAD_INPUT, "malformed_json"),
        (request([1]), CaseKind.BAD_INPUT, "non_object_body"),
        (request({"agent_id": ""}), CaseKind.INVALID_BODY, "schema.minLength"),
        (request(BODY, authorization=f"bearer {KEY}"), CaseKind.UNLABELLED, ""),
    ],
)
def test_exchanges_without_notes_get_a_kind_from_the_request(sent, kind, detail):
    assert infer_kind(Exchange(sent, RecordedResponse(200)), CONTRACT) == (kind, detail)


def test_unlabelled_valid_request_tolerates_what_offline_cannot_know():
    for status in (201, 401, 402, 422):
        body = new_call(BODY) if status == 201 else error(status)
        ex = Exchange(request(BODY), RecordedResponse(status, JSON_HEADERS, json.dumps(body).encode()))
        assert failures(ex) == {}, status
    rejected = Exchange(request(BODY), RecordedResponse(400, JSON_HEADERS, json.dumps(error(400)).encode()))
    assert "status_code_for_case" in failures(rejected)


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        (1, 1.0, True),
        ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, True),
        (True, 1, False),
        (0, False, False),
        ("1", 1, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], [2, 1], False),
        (None, {}, False),
    ],
)
def test_same_json(left, right, same):
    assert same_json(left, right) is same
    assert same_json(right, left) is same
