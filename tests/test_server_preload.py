"""Preloaded calls (``MockConfig(calls=...)``, ``retell-contract mock --calls FILE``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from retell_contract.cli import EXIT_USAGE, main
from retell_contract.contracts import Agent
from retell_contract.server import GET_CALL_PATH, MockConfig, MockConfigError, create_app, load_calls_file
from retell_contract.validation import validate_call_object
from server_support import AGENT, AUTH, CONTRACT, FakeClock, in_process, mock_command

FIXED = "119c3f8e47135a29e65947eeb34cf12d"


def preloaded(*entries: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    return create_app(MockConfig(calls=entries, **options)).state.mock.calls()


@pytest.mark.parametrize("status", ["registered", "ongoing", "ended", "error", "not_connected"])
def test_partial_calls_are_completed_consistently_with_their_status(status: str) -> None:
    clock = FakeClock()
    (call,) = preloaded({"call_id": FIXED, "agent_id": AGENT.agent_id, "call_status": status}, clock=clock)
    assert validate_call_object(call, level="strict", contract=CONTRACT) == []
    assert call["call_id"] == FIXED
    assert call["call_status"] == status
    assert call["agent_version"] == AGENT.versions[-1]
    assert call["access_token"]
    assert ("start_timestamp" in call) == (status in ("ongoing", "ended"))
    if status == "ended":
        assert call["start_timestamp"] <= call["end_timestamp"] <= int(clock.now * 1000)
        assert call["transcript"]
        assert (
            call["disconnection_reason"] in CONTRACT.call_field("disconnection_reason")["x-web-call-values"]
        )


def test_given_fields_are_kept_and_the_call_moves_on_like_any_other() -> None:
    entry = {"call_id": FIXED, "agent_id": AGENT.agent_id, "metadata": {"crm": 9}, "call_status": "ongoing"}
    with in_process(MockConfig(calls=(entry,), control=True)) as (client, state):
        fetched = client.get(GET_CALL_PATH.format(call_id=FIXED), headers=AUTH).json()
        assert fetched["metadata"] == {"crm": 9}
        assert state.advance(FIXED, "analyzed")["call_analysis"]
        client.post("/_mock/reset", headers=AUTH)
        assert [call["call_status"] for call in state.calls()] == ["ongoing"]  # reset restores preloads


def test_versions_resolve_and_unknown_agents_are_added() -> None:
    agent = Agent("tagged", (1, 2, 5), tags={"prod": 5})
    calls = preloaded(
        {"agent_id": "tagged", "agent_version": "prod"},
        {"agent_id": "elsewhere", "agent_version": 3},
        agents=(agent,),
    )
    assert [call["agent_version"] for call in calls] == [5, 3]
    assert calls[0]["call_id"] != calls[1]["call_id"]
    with in_process(MockConfig(calls=({"agent_id": "elsewhere", "agent_version": 3},))) as (client, _):
        created = client.post("/v3/create-web-call", json={"agent_id": "elsewhere"}, headers=AUTH)
        assert created.status_code == 201


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"call_status": "ended", "end_timestamp": 5}, "calls entry 1 (x): "),
        ({"call_status": "flying"}, "calls entry 1: call_status 'flying'"),
        ({"agent_id": AGENT.agent_id, "agent_version": 7}, "has no version 7"),
        ({"agent_id": "new", "agent_version": "latest"}, "must be an integer"),
        ({"call_id": 12}, "call_id must be a non-empty string"),
        ({"call_id": FIXED}, "preloaded twice"),
        ({"call_status": "registered", "transcript": "Agent: hi"}, "transcript"),
        ({"metadata": "not an object"}, "metadata"),
    ],
)
def test_an_inconsistent_or_invalid_entry_is_an_error_naming_it(entry: dict[str, Any], fragment: str) -> None:
    entry = {"call_id": "x", **entry}
    with pytest.raises(MockConfigError) as caught:
        preloaded({"call_id": FIXED}, entry)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_calls_must_be_mappings() -> None:
    with pytest.raises(MockConfigError, match="calls entry 0: a call object"):
        MockConfig(calls=(["call_id"],))  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_load_calls_file_reads_json_and_yaml(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"calls{suffix}"
    path.write_text(json.dumps([{"call_id": FIXED}]))
    assert load_calls_file(path) == ({"call_id": FIXED},)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("{}", "a list of call objects"), ("[1]", "entry 0 is not a call object"), ("[{", "not YAML")],
)
def test_bad_calls_files_are_one_line_errors(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "calls.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, ["mock", "--port", "0", "--calls", str(path)])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.count("\n") == 1
    assert fragment in result.stderr


def test_mock_command_serves_preloaded_calls_and_lists_every_operation(tmp_path: Path) -> None:
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([{"call_id": FIXED, "agent_id": "suite_agent"}]))
    with mock_command("--calls", str(path), "--agent", "a:1,2,5:published=2,prod=5") as (url, banner):
        fetched = httpx.get(f"{url}/v2/get-call/{FIXED}", headers=AUTH)
    assert fetched.status_code == 200
    assert fetched.json()["agent_id"] == "suite_agent"
    text = "".join(banner)
    for method, path_ in [
        ("POST", "/v2/create-web-call"),
        ("POST", "/v3/create-web-call"),
        ("GET", "/v2/get-call/"),
    ]:
        assert f"endpoint: {method} {url}{path_}" in text
    assert "a (versions 1, 2, 5; published=2, prod=5)" in text
    assert "preloaded calls: 1" in text
