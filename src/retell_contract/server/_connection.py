"""What v3's create-web-call answers: the token, its expiry, ICE servers and the transport."""

from __future__ import annotations

from typing import Any

from retell_contract.contracts import Contract
from retell_contract.errors import ContractError

# Hosts under .invalid, which never resolves: shaped like a real deployment, reachable by nobody.
STUN_URL = "stun:stun.retell-mock.invalid:3478"
TURN_URLS = (
    "turn:turn.retell-mock.invalid:3478?transport=udp",
    "turns:turn.retell-mock.invalid:5349?transport=tcp",
)
_DEFAULT_TRANSPORT = "gateway"


def connection_details(
    call: dict[str, Any], *, expires_ms: int, turn_credential: str, transport: str
) -> dict[str, Any]:
    """v3's 201 body for a stored call; ``expires_at`` is when its token expires (epoch ms)."""
    return {
        "access_token": call["access_token"],
        "call_id": call["call_id"],
        "expires_at": expires_ms,
        "ice_servers": [
            {"urls": STUN_URL},
            # TURN REST-API style credentials: the user name carries the expiry (seconds).
            {
                "urls": list(TURN_URLS),
                "username": f"{expires_ms // 1000}:{call['call_id']}",
                "credential": turn_credential,
            },
        ],
        "transport": transport,
    }


def contract_transport(contract: Contract) -> str:
    """The transport value the contract's v3 response allows (``gateway`` today)."""
    try:
        schema = contract.connection_schema.get("properties", {}).get("transport", {})
    except ContractError:
        return _DEFAULT_TRANSPORT
    values = schema.get("enum") or [schema.get("const", _DEFAULT_TRANSPORT)]
    return str(values[0])
