"""Cassettes of today's API: v3 creates and get-calls written, scrubbed, read and replayed.

The v3 exchanges are hand-made (see today_support: the mock does not serve v3 yet).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from retell_contract.cassettes import Scrubber, read_cassettes, write_cassette
from retell_contract.exchange import Exchange
from retell_contract.server import DEFAULT_API_KEY
from retell_contract.testing import retell_vcr
from today_support import (
    AGENT,
    BASE,
    EXPIRES_AT,
    TURN_CREDENTIAL,
    V3_CALL_ID,
    V3_TOKEN,
    record_night,
)

GET_CALL = "/v2/get-call/"


@pytest.fixture(scope="module")
def night() -> list[Exchange]:
    return record_night()


@pytest.fixture(scope="module")
def cassette(night: list[Exchange], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("today") / "night.yaml"
    return write_cassette(path, night, scrubber=Scrubber(secrets=[DEFAULT_API_KEY]))


def _json(exchange: Exchange) -> dict[str, object]:
    body = exchange.response.json()
    assert isinstance(body, dict)
    return body


def _tokens_by_call(exchanges: list[Exchange], *, method: str) -> dict[str, object]:
    return {
        str(_json(e)["call_id"]): _json(e)["access_token"]
        for e in exchanges
        if e.request.method == method and e.response.status in (200, 201)
    }


def test_no_token_turn_credential_or_key_reaches_the_file(night: list[Exchange], cassette: Path) -> None:
    text = cassette.read_text(encoding="utf-8")
    real_tokens = set(_tokens_by_call(night, method="POST").values())
    assert V3_TOKEN in real_tokens
    for secret in (*real_tokens, TURN_CREDENTIAL, DEFAULT_API_KEY):
        assert isinstance(secret, str)
        assert secret not in text


def test_v3_connection_details_keep_what_is_not_secret(cassette: Path) -> None:
    (v3,) = [e for e in read_cassettes(cassette) if e.request.url.endswith("/v3/create-web-call")]
    body = _json(v3)
    assert body["expires_at"] == EXPIRES_AT
    assert body["call_id"] == V3_CALL_ID
    assert str(body["access_token"]).startswith("scrubbed-access-token-")
    ice_servers = body["ice_servers"]
    assert isinstance(ice_servers, list)
    turn = ice_servers[1]
    assert turn["username"] == "1767225630:web"
    assert str(turn["credential"]).startswith("scrubbed-ice-credential-")
    assert turn["urls"][0].startswith("turn:")


def test_get_call_carries_the_token_placeholder_of_the_create(night: list[Exchange], cassette: Path) -> None:
    replayed = read_cassettes(cassette)
    created = _tokens_by_call(replayed, method="POST")
    retrieved = _tokens_by_call(replayed, method="GET")
    assert set(created) == set(retrieved) == set(_tokens_by_call(night, method="POST"))
    assert len(created) == 3  # two v2 calls and the v3 one
    assert created == retrieved  # the same placeholder for the same call, create and get-call alike
    assert len(set(created.values())) == len(created)  # distinct calls keep distinct tokens


def test_call_ids_in_get_call_paths_are_kept(night: list[Exchange], cassette: Path) -> None:
    def urls(exchanges: list[Exchange]) -> list[str]:
        return [e.request.url for e in exchanges if GET_CALL in e.request.url]

    assert urls(read_cassettes(cassette)) == urls(night)
    assert f"{BASE}{GET_CALL}{V3_CALL_ID}" in urls(night)


def test_playback_matches_get_call_by_method_and_path(cassette: Path) -> None:
    recorder = retell_vcr(record_mode="none")
    with recorder.use_cassette(str(cassette)), httpx.Client(base_url=BASE) as client:
        retrieved = client.get(f"{GET_CALL}{V3_CALL_ID}")
        created = client.post("/v3/create-web-call", json={"agent_id": AGENT, "agent_version": 1})
        unknown = client.get(f"{GET_CALL}call_unknown")
        with pytest.raises(CannotOverwriteExistingCassetteException):
            client.get(f"{GET_CALL}call_never_recorded")
    assert retrieved.status_code == 200
    assert retrieved.json()["call_id"] == V3_CALL_ID
    assert created.status_code == 201
    assert created.json()["access_token"] == retrieved.json()["access_token"]
    assert unknown.status_code == 404
