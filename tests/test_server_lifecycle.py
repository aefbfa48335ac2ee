"""Stored calls move through their lifecycle: token expiry on a fake clock, join, test control."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest

from retell_contract.contracts import BUILTIN_CONTRACT, load_contract
from retell_contract.errors import ContractError
from retell_contract.server import (
    CONTROL_PREFIX,
    GET_CALL_PATH,
    LifecycleError,
    MockConfig,
    MockState,
    create_app,
)
from retell_contract.validation import validate_call_object
from server_support import AGENT, AUTH, CONTRACT, FakeClock, assert_error, create, in_process

TTL = 30.0


def _get(client: httpx.Client, call_id: str) -> dict[str, Any]:
    response = client.get(GET_CALL_PATH.format(call_id=call_id), headers=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _join(client: httpx.Client, token: object) -> httpx.Response:
    return client.post(f"{CONTROL_PREFIX}/join", json={"access_token": token})


def _advance(client: httpx.Client, call_id: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return client.post(f"{CONTROL_PREFIX}/calls/{call_id}/advance", json=body, headers=headers or AUTH)


def _strict_ok(call: dict[str, Any]) -> None:
    assert validate_call_object(call, level="strict") == [], call


def test_unused_token_expires_the_call_after_the_ttl() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock, token_ttl_seconds=TTL)) as (client, _):
        call = create(client).json()
        clock.advance(TTL)
        assert _get(client, call["call_id"])["call_status"] == "registered"  # "within 30 s" includes 30 s
        clock.advance(0.001)
        expired = _get(client, call["call_id"])
    assert expired["call_status"] == "error"
    assert expired["disconnection_reason"] == "error_user_not_joined"
    changed = ("call_status", "disconnection_reason")
    assert {k: v for k, v in expired.items() if k not in changed} == {
        k: v for k, v in call.items() if k not in changed
    }
    _strict_ok(expired)


def test_joined_call_is_ongoing_and_never_expires() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock, control=True)) as (client, _):
        call = create(client).json()
        clock.advance(TTL - 1)
        joined = _join(client, call["access_token"])
        assert joined.status_code == 200
        clock.advance(10 * TTL)
        fetched = _get(client, call["call_id"])
    assert fetched == joined.json()
    assert fetched["call_status"] == "ongoing"
    assert fetched["start_timestamp"] == int((clock.now - 10 * TTL) * 1000)
    _strict_ok(fetched)


def test_join_refuses_expired_used_unknown_and_missing_tokens() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock, control=True)) as (client, _):
        late, twice = create(client).json(), create(client).json()
        assert _join(client, twice["access_token"]).status_code == 200
        assert_error(_join(client, twice["access_token"]), 409, "already used")
        clock.advance(TTL + 1)
        assert_error(_join(client, late["access_token"]), 410, "expired")
        assert_error(_join(client, "not-a-token"), 404, "no call has this access token")
        assert_error(_join(client, None), 400, "access_token")
        assert_error(client.post(f"{CONTROL_PREFIX}/join", content=b"{", headers=AUTH), 400)


def test_control_endpoints_are_absent_unless_enabled() -> None:
    with in_process() as (client, _):
        call = create(client).json()
        assert_error(_join(client, call["access_token"]), 404)
        assert_error(_advance(client, call["call_id"], {"to": "ended"}), 404)


def test_control_endpoints_other_than_join_need_the_api_key() -> None:
    with in_process(MockConfig(control=True)) as (client, _):
        call_id = create(client).json()["call_id"]
        assert_error(_advance(client, call_id, {"to": "ongoing"}, Authorization="Bearer nope"), 401)
        assert_error(client.get(f"{CONTROL_PREFIX}/calls"), 401)
        assert_error(client.post(f"{CONTROL_PREFIX}/reset"), 401)


def test_list_and_reset_calls() -> None:
    with in_process(MockConfig(control=True)) as (client, state):
        ids = [create(client).json()["call_id"] for _ in range(3)]
        listed = client.get(f"{CONTROL_PREFIX}/calls", headers=AUTH).json()["calls"]
        assert [call["call_id"] for call in listed] == ids
        assert client.post(f"{CONTROL_PREFIX}/reset", headers=AUTH).json() == {"removed": 3}
        assert state.calls() == []
        assert_error(
            client.get(GET_CALL_PATH.format(call_id=ids[0]), headers=AUTH), 404, operation="get-call"
        )


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"to": "finished"}, 400, "'finished'"),
        ({}, 400, "to:"),
        ({"to": "ended", "seed": "1"}, 400, "seed:"),
        ({"to": "ended", "seed": True}, 400, "seed:"),
    ],
)
def test_advance_rejects_bad_requests(body: dict[str, Any], status: int, fragment: str) -> None:
    with in_process(MockConfig(control=True)) as (client, _):
        call_id = create(client).json()["call_id"]
        assert_error(_advance(client, call_id, body), status, fragment)
        assert_error(_advance(client, "missing", {"to": "ongoing"}), 404)


def test_advance_to_ongoing_uses_the_token() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock, control=True)) as (client, _):
        call = create(client).json()
        ongoing = _advance(client, call["call_id"], {"to": "ongoing"}).json()
        assert ongoing["call_status"] == "ongoing"
        assert_error(_join(client, call["access_token"]), 409, "already used")
        assert _advance(client, call["call_id"], {"to": "ongoing"}).json() == ongoing  # idempotent


def test_expired_call_cannot_move() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock, control=True)) as (client, _):
        call_id = create(client).json()["call_id"]
        clock.advance(TTL + 1)
        assert_error(_advance(client, call_id, {"to": "ongoing"}), 409, "'error'")


def test_python_level_control_matches_http_control() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock)) as (client, state):
        assert isinstance(state, MockState)
        call = create(client).json()
        assert state.join(call["access_token"])["call_status"] == "ongoing"
        with pytest.raises(LifecycleError) as caught:
            state.join(call["access_token"])
        assert caught.value.status == 409
        assert state.get_call("missing") is None
        assert [c["call_id"] for c in state.calls()] == [call["call_id"]]


def test_oldest_calls_are_dropped_beyond_the_store_limit() -> None:
    with in_process(MockConfig(max_stored_calls=2)) as (client, state):
        ids = [create(client).json()["call_id"] for _ in range(3)]
        assert [c["call_id"] for c in state.calls()] == ids[1:]


def test_a_contract_without_the_lifecycle_statuses_is_refused(tmp_path: Path) -> None:
    source = (
        resources.files("retell_contract.contracts").joinpath(BUILTIN_CONTRACT).read_text(encoding="utf-8")
    )
    edited = tmp_path / "contract.yaml"
    edited.write_text(
        source.replace("enum: [registered, not_connected, ongoing, ended, error]", "enum: [registered]")
    )
    with pytest.raises(ContractError, match="ongoing"):
        create_app(contract=load_contract(edited))


def _ended_call(
    config: MockConfig, body: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create a call, join it, let 95 s pass and end it: (created, ended)."""
    with in_process(config) as (client, _):
        created = create(client, body).json()
        assert _join(client, created["access_token"]).status_code == 200
        config.clock.advance(95)  # type: ignore[attr-defined]
        ended = _advance(client, created["call_id"], {"to": "ended"})
        assert ended.status_code == 200, ended.text
        assert _get(client, created["call_id"]) == ended.json()
        return created, ended.json()


def test_ended_call_has_a_generated_transcript_over_the_call_identity() -> None:
    clock = FakeClock()
    body = {
        "agent_id": AGENT.agent_id,
        "metadata": {"crm": 7},
        "retell_llm_dynamic_variables": {"name": "Ann"},
    }
    created, ended = _ended_call(MockConfig(clock=clock, control=True, seed=3), body)
    _strict_ok(ended)
    assert ended["call_status"] == "ended"
    assert ended["transcript"]
    for name in (
        "call_id",
        "access_token",
        "call_type",
        "agent_id",
        "agent_version",
        *CONTRACT.echoed_fields,
    ):
        assert ended.get(name) == created.get(name), name
    assert ended["start_timestamp"] == int((clock.now - 95) * 1000)
    assert ended["end_timestamp"] - ended["start_timestamp"] == ended["duration_ms"]
    assert "call_analysis" not in ended


def test_ended_call_without_request_metadata_has_none() -> None:
    _, ended = _ended_call(MockConfig(clock=FakeClock(), control=True, seed=4))
    optional_echoes = set(CONTRACT.echoed_fields) - set(CONTRACT.required_call_fields)
    assert optional_echoes
    assert not optional_echoes & set(ended)
    _strict_ok(ended)


def test_analyzed_call_adds_the_analysis_and_keeps_the_rest() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock, control=True, seed=5)) as (client, _):
        call_id = create(client).json()["call_id"]
        ended = _advance(client, call_id, {"to": "ended"}).json()
        analyzed = _advance(client, call_id, {"to": "analyzed"}).json()
        assert_error(_advance(client, call_id, {"to": "ongoing"}), 409, "already past")
        assert_error(_advance(client, call_id, {"to": "ended"}), 409, "already past")
    _strict_ok(analyzed)
    assert isinstance(analyzed["call_analysis"], dict)
    assert {k: v for k, v in analyzed.items() if k != "call_analysis"} == ended


def test_registered_call_can_jump_straight_to_analyzed() -> None:
    with in_process(MockConfig(clock=FakeClock(), control=True)) as (client, _):
        call = create(client).json()
        analyzed = _advance(client, call["call_id"], {"to": "analyzed"}).json()
        assert_error(_join(client, call["access_token"]), 409, "already used")
    _strict_ok(analyzed)
    assert analyzed["call_status"] == "ended"
    assert "call_analysis" in analyzed


def test_generated_calls_follow_the_seed() -> None:
    def ended_with(mock_seed: int, seed: int | None = None) -> dict[str, Any]:
        with in_process(MockConfig(clock=FakeClock(), control=True, seed=mock_seed)) as (client, _):
            call_id = create(client).json()["call_id"]
            body = {"to": "analyzed"} if seed is None else {"to": "analyzed", "seed": seed}
            return dict(_advance(client, call_id, body).json())

    assert ended_with(1) == ended_with(1)
    assert ended_with(1)["transcript"] != ended_with(2)["transcript"]
    explicit = ended_with(1, seed=99)
    assert {k: v for k, v in explicit.items() if k not in ("call_id", "access_token")} == {
        k: v for k, v in ended_with(2, seed=99).items() if k not in ("call_id", "access_token")
    }


def test_python_level_advance() -> None:
    clock = FakeClock()
    with in_process(MockConfig(clock=clock)) as (client, state):
        call_id = create(client).json()["call_id"]
        ended = state.advance(call_id, "ended", seed=1)
        assert ended == _get(client, call_id)
        with pytest.raises(LifecycleError) as caught:
            state.advance(call_id, "sideways")
        assert caught.value.status == 400
