"""A night's exchanges against today's API: v2 and v3 creates, get-calls and a run's probes.

v2 creates, get-calls of them and the probes come from the in-process mock. The mock does
not serve POST /v3/create-web-call yet (another change adds it), so the v3 create and the
get-call of the call it made are hand-made here, shaped as TODAYS-API.md describes them
(SDK 6.2.13's CreateWebCallResponse and web call object).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from retell_contract.contracts import CREATE_V2, GET_CALL, load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.server import CONTROL_PREFIX, DEFAULT_API_KEY, MockConfig, create_app, mock_transport
from retell_contract.testing import exchange_from_response

CONTRACT = load_contract()
AGENT = CONTRACT.default_agent.agent_id
BASE = "http://mock.test"
AUTH = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
V3_TOKEN = "eyJhbGciOiJIUzI1NiJ9.v3-join-token.c2lnbmF0dXJlX29mX3Rva2Vu"
V3_CALL_ID = "call_v3_f1e2d3c4b5a69788"
TURN_CREDENTIAL = "dHVybi1wYXNzd29yZC1ub3Qtb24tZGlzaw"
EXPIRES_AT = 1_767_225_630_000  # epoch milliseconds


def v3_created() -> Exchange:
    body = {
        "access_token": V3_TOKEN,
        "call_id": V3_CALL_ID,
        "expires_at": EXPIRES_AT,
        "ice_servers": [
            {"urls": "stun:stun.example.invalid:3478"},
            {
                "urls": ["turn:turn.example.invalid:3478?transport=udp", "turns:turn.example.invalid:5349"],
                "username": "1767225630:web",
                "credential": TURN_CREDENTIAL,
            },
        ],
        "transport": "gateway",
    }
    return _exchange("POST", "/v3/create-web-call", {"agent_id": AGENT, "agent_version": 1}, 201, body)


def v3_retrieved() -> Exchange:
    body = {
        "call_type": "web_call",
        "access_token": V3_TOKEN,
        "call_id": V3_CALL_ID,
        "agent_id": AGENT,
        "agent_version": 1,
        "call_status": "registered",
    }
    return _exchange("GET", f"/v2/get-call/{V3_CALL_ID}", None, 200, body)


def _exchange(method: str, path: str, sent: Any, status: int, received: Any) -> Exchange:
    headers = {**AUTH, **({"content-type": "application/json"} if sent is not None else {})}
    return Exchange(
        RecordedRequest(method, BASE + path, headers, b"" if sent is None else json.dumps(sent).encode()),
        RecordedResponse(status, {"content-type": "application/json"}, json.dumps(received).encode()),
    )


def record_night(seed: int = 3) -> list[Exchange]:
    """What a run against today's API records: v2 and v3 calls, their get-calls, a 404
    get-call and the probes a server turns away (404/405)."""
    app = create_app(MockConfig(seed=seed, control=True), contract=CONTRACT)
    create, get_call = CONTRACT.operation(CREATE_V2), CONTRACT.operation(GET_CALL)
    exchanges = []
    with httpx.Client(transport=mock_transport(app), base_url=BASE, headers=AUTH) as client:
        made = []
        for body in ({"agent_id": AGENT}, {"agent_id": AGENT, "metadata": {"ticket": 7}}):
            response = client.post(create.path, json=body)
            assert response.status_code == 201, response.text
            exchanges.append(exchange_from_response(response))
            made.append(response.json()["call_id"])
        for index, call_id in enumerate(made):
            moved = client.post(
                f"{CONTROL_PREFIX}/calls/{call_id}/advance", json={"to": "analyzed", "seed": index}
            )
            assert moved.status_code == 200, moved.text  # lifecycle control is not the API: not recorded
            exchanges.append(exchange_from_response(client.get(get_call.url_path(call_id=call_id))))
        exchanges.append(exchange_from_response(client.get(get_call.url_path(call_id="call_unknown"))))
        exchanges.append(exchange_from_response(client.get(create.path)))  # probe: 405
        exchanges.append(exchange_from_response(client.post("/v2/no-such-endpoint", json={})))  # probe: 404
    return [*exchanges, v3_created(), v3_retrieved()]
