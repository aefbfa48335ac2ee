"""v3 create-web-call responses: the connection details a browser joins a call with."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from retell_contract.contracts import Contract
from retell_contract.strategies import _call_parts as parts
from retell_contract.strategies._args import check_contract
from retell_contract.strategies._members import members as object_members
from retell_contract.strategies._schema import from_schema

DEFAULT_TTL_SECONDS = 30.0
_HOSTS = ("turn.retellai.example", "global.turn.example.net", "203.0.113.7")
_STUN = st.sampled_from(_HOSTS).map(lambda host: f"stun:{host}:3478")
_TURN = st.tuples(
    st.sampled_from(("turn", "turns")), st.sampled_from(_HOSTS), st.sampled_from((3478, 443))
).map(
    lambda parts_: f"{parts_[0]}:{parts_[1]}:{parts_[2]}" + ("?transport=tcp" if parts_[0] == "turns" else "")
)
_CREDENTIAL = st.text(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=", min_size=8, max_size=40
)


def v3_responses(
    *,
    contract: Contract | None = None,
    now: int | None = None,
    ttl_seconds: float = DEFAULT_TTL_SECONDS,
) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of ``POST /v3/create-web-call``'s 201: what the browser needs to join.

    ``expires_at`` is ``now + ttl_seconds`` in epoch milliseconds when ``now`` (epoch
    milliseconds) is given, else a time in 2023-2030; the wall clock is never read.
    ``ice_servers`` holds a STUN server and TURN servers with a user name and credential,
    their ``urls`` a single URL or a list. Other members come from the contract's schema.

    Shrinks towards one STUN server given as a single URL and the shortest ids.
    """
    contract = check_contract(contract)
    schema = contract.connection_schema  # ContractError when the contract has no v3
    if now is not None and (not isinstance(now, int) or isinstance(now, bool) or now < 0):
        raise TypeError(f"now must be milliseconds since the epoch (an int >= 0) or None, not {now!r}")
    if (
        not isinstance(ttl_seconds, int | float)
        or isinstance(ttl_seconds, bool)
        or not (math.isfinite(ttl_seconds) and ttl_seconds > 0)
    ):
        raise ValueError(f"ttl_seconds must be a finite number > 0, not {ttl_seconds!r}")
    ttl_ms = round(ttl_seconds * 1000)
    expiries = (
        st.just(now + ttl_ms)
        if now is not None
        else st.integers(parts.EPOCH_2023_MS, parts.EPOCH_2030_MS).map(lambda t: t + ttl_ms)
    )
    known: dict[str, st.SearchStrategy[Any]] = {
        "access_token": parts.access_tokens(),
        "call_id": parts.ids(),
        "expires_at": expiries,
        "ice_servers": ice_servers(),
    }
    properties: dict[str, Any] = schema.get("properties", {})
    required = [name for name in schema.get("required", ()) if isinstance(name, str)]
    needed = {name: _member(known, name, properties.get(name, {})) for name in required}
    optional = {name: from_schema(sub, name=name) for name, sub in properties.items() if name not in required}
    return object_members(needed, optional)


def _member(known: dict[str, st.SearchStrategy[Any]], name: str, schema: Any) -> st.SearchStrategy[Any]:
    strategy = known.get(name)
    return from_schema(schema, name=name) if strategy is None else strategy


def ice_servers() -> st.SearchStrategy[list[dict[str, Any]]]:
    """A usable ICE server list: a STUN entry first, then TURN entries with credentials."""
    stun = st.builds(lambda urls: {"urls": urls}, st.one_of(_STUN, st.lists(_STUN, min_size=1, max_size=2)))
    turn = st.builds(
        lambda urls, user, secret: {"urls": urls, "username": user, "credential": secret},
        st.one_of(_TURN, st.lists(_TURN, min_size=1, max_size=3)),
        _CREDENTIAL,
        _CREDENTIAL,
    )
    return st.builds(lambda first, rest: [first, *rest], stun, st.lists(turn, max_size=2))
