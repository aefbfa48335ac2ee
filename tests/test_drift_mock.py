"""A recording of a mock that behaves like the newer API is flagged against our contract.

The mock runs over real HTTP on 127.0.0.1; its exchanges go through the cassette writer
(scrubbed) and come back through ``retell-contract diff``, as a user's CI would do it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import CliRunner

from retell_contract.cassettes import write_cassette
from retell_contract.cli import main
from retell_contract.contracts import BUILTIN_CONTRACTS, load_contract
from retell_contract.exchange import Exchange
from retell_contract.server import CONTROL_PREFIX, DEFAULT_API_KEY, GET_CALL_PATH, MockConfig, MockServer
from retell_contract.testing import exchange_from_response

# The seed-era contract, which does not declare get-call, against a mock imitating a newer API.
CONTRACT = load_contract("seed")
AGENT = CONTRACT.default_agent
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
BUILTIN = (
    Path(__file__).resolve().parents[1] / "src" / "retell_contract" / "contracts" / BUILTIN_CONTRACTS["seed"]
)
# What the newer API returns that our contract does not declare (see FACTS: SDK 5.x / the 2026 spec).
NEWER_API = {
    "agent_name": "Support desk",
    "transfer_end_timestamp": 1703302628855,
    "disconnection_reason": "ivr_reached",
}


def record(config: MockConfig) -> list[Exchange]:
    """Create calls (and two refused requests), end two of them, and read them back."""
    exchanges = []
    with (
        MockServer(config, contract=CONTRACT) as server,
        httpx.Client(base_url=server.url, headers=AUTH, timeout=10) as client,
    ):
        created = []
        for body in (
            {"agent_id": AGENT.agent_id},
            {"agent_id": AGENT.agent_id, "metadata": {"n": 1}},
            {"agent_id": ""},
        ):
            response = client.post(CONTRACT.path, json=body)
            exchanges.append(exchange_from_response(response))
            if response.status_code == CONTRACT.success_status:
                created.append(response.json()["call_id"])
        for seed, call_id in enumerate(created):
            moved = client.post(
                f"{CONTROL_PREFIX}/calls/{call_id}/advance", json={"to": "analyzed", "seed": seed}
            )
            assert moved.status_code == 200, (
                moved.text
            )  # lifecycle control is not part of the API: not recorded
            exchanges.append(exchange_from_response(client.get(GET_CALL_PATH.format(call_id=call_id))))
    return exchanges


@pytest.fixture(scope="module")
def cassettes(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("drift-cassettes")
    paths = {}
    for name, config in {
        "plain": MockConfig(seed=5, control=True),
        "newer": MockConfig(seed=5, control=True, extra_call_fields=NEWER_API),
    }.items():
        paths[name] = write_cassette(root / name / "create-web-call.yaml", record(config)).parent
    return paths


@pytest.fixture(scope="module")
def contract_with_get_call(tmp_path_factory) -> Path:
    """Our contract plus the get-call read the mock serves, returning the same call object."""
    document: dict[str, Any] = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    call_object = document["paths"][CONTRACT.path]["post"]["responses"][str(CONTRACT.success_status)]
    document["paths"][GET_CALL_PATH] = {
        "get": {
            "parameters": [{"name": "call_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": call_object},
        }
    }
    target = tmp_path_factory.mktemp("contracts") / "with-get-call.json"
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def run_diff(*args: Any) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["diff", *map(str, args), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.output)


def test_a_faithful_mock_shows_no_drift(cassettes, contract_with_get_call):
    code, report = run_diff(contract_with_get_call, cassettes["plain"])
    assert (code, report["changes"]) == (0, [])
    assert report["mode"] == "contract vs recording"


def test_a_mock_imitating_the_newer_api_is_flagged(cassettes, contract_with_get_call):
    code, report = run_diff(contract_with_get_call, cassettes["newer"])
    found = {(c["operation"], c["location"], c["kind"], c["severity"]) for c in report["changes"]}
    for operation, status in ((f"POST {CONTRACT.path}", 201), (f"GET {GET_CALL_PATH}", 200)):
        assert (
            operation,
            f"response {status} > disconnection_reason",
            "enum value added",
            "breaking",
        ) in found
        for name in ("agent_name", "transfer_end_timestamp"):
            assert (operation, f"response {status} > {name}", "field added", "non-breaking") in found
    assert len(found) == 6, found
    assert code == 1
    reason = next(c for c in report["changes"] if c["kind"] == "enum value added")
    assert reason["detail"].startswith("ivr_reached (in ")


def test_the_same_recording_against_itself_is_clean(cassettes):
    code, report = run_diff(cassettes["newer"], cassettes["newer"])
    assert (code, report["changes"], report["mode"]) == (0, [], "recording vs recording")


def test_the_two_recordings_differ_by_the_new_fields(cassettes):
    code, report = run_diff(cassettes["plain"], cassettes["newer"])
    added = {(c["location"], c["kind"]) for c in report["changes"]}
    assert ("response 201 > agent_name", "field added") in added
    assert ("response 200 > transfer_end_timestamp", "field added") in added
    assert code == 0  # new fields in a response do not break clients


def test_the_built_in_contract_reports_the_undeclared_get_call_once(cassettes):
    code, report = run_diff(BUILTIN, cassettes["plain"])
    assert [(c["operation"], c["kind"], c["severity"]) for c in report["changes"]] == [
        ("GET /v2/get-call/{id}", "path added", "non-breaking")
    ]
    assert report["changes"][0]["detail"] == "in 2 of 2 responses"
    assert code == 0
