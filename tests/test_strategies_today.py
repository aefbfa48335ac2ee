"""Strategies for today's API: version names, believable calls, the given time, v3 responses."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema_rs
import pytest
from hypothesis import given

from retell_contract.contracts import Agent, load_contract
from retell_contract.errors import ContractError
from retell_contract.strategies import call_objects, ice_servers, request_bodies, sample, v3_responses
from retell_contract.validation import validate_call_object

TODAY = load_contract()
REQUEST = jsonschema_rs.validator_for(TODAY.request_schema)
CALL = jsonschema_rs.validator_for(TODAY.call_object_schema)
CONNECTION = jsonschema_rs.validator_for(TODAY.connection_schema)
AGENT = Agent.from_spec("agent_a:1,2,7:published=2,prod=7")
NOW = 1_790_000_000_000  # 2026-09-21, in epoch milliseconds
_TIMESTAMPS = ("start_timestamp", "end_timestamp", "transfer_end_timestamp")


def _timestamps(call: dict[str, Any]) -> list[int]:
    return [call[name] for name in _TIMESTAMPS if isinstance(call.get(name), int)]


@given(request_bodies(agents=[AGENT]))
def test_todays_bodies_are_valid_and_use_versions_the_agent_resolves(body):
    assert REQUEST.is_valid(body), list(REQUEST.iter_errors(body))
    if "agent_version" in body:
        assert AGENT.resolve(body["agent_version"]) is not None
    assert all(isinstance(v, str) for v in body.get("retell_llm_dynamic_variables", {}).values())


def test_todays_bodies_reach_every_version_name_and_number():
    seen = {
        sample(request_bodies(agents=[AGENT], include=["agent_version"]), seed=s).get("agent_version")
        for s in range(200)
    }
    assert seen >= {None, 1, 2, 7, "latest", "latest_published", "prod"}


def test_seed_contract_bodies_never_send_names():
    seed = load_contract("seed")
    versions = {
        sample(request_bodies(contract=seed, agents=[AGENT]), seed=s).get("agent_version") for s in range(100)
    }
    assert versions <= {None, 1, 2, 7}


@given(call_objects(now=NOW))
def test_no_timestamp_is_after_the_given_time(call):
    assert CALL.is_valid(call), list(CALL.iter_errors(call))
    assert validate_call_object(call, level="strict", contract=TODAY) == []
    assert all(t <= NOW for t in _timestamps(call))


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\ufeff]")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@given(call_objects(states=["ended", "error"], believable=True, now=NOW))
def test_believable_calls_are_what_a_person_would_accept(call):
    assert validate_call_object(call, level="strict", contract=TODAY) == []
    if "disconnection_reason" in call:
        assert call["disconnection_reason"] in TODAY.web_call_reasons
    assert all(t <= NOW for t in _timestamps(call))
    if call["call_status"] == "ended":  # it talked: a person expects its times and its words
        assert {"start_timestamp", "end_timestamp", "duration_ms", "transcript"} <= set(call)
    text = [s for s in _strings(call) if s != call["access_token"]]
    assert not any(_CONTROL.search(s) for s in text), [s for s in text if _CONTROL.search(s)]
    for utterance in call.get("transcript_object", []):
        assert utterance["role"] in ("agent", "user")
        assert re.fullmatch(r"[A-Z][\w ,.'?]*[.?]", utterance["content"]), utterance["content"]
    summary = call.get("call_analysis", {}).get("call_summary")
    assert summary is None or (summary.endswith(".") and " " in summary)


def test_default_calls_keep_the_hostile_corners_believable_ones_drop():
    hostile = [sample(call_objects(states=["ended"]), seed=s) for s in range(80)]
    believable = [sample(call_objects(states=["ended"], believable=True), seed=s) for s in range(80)]
    phone_only = set(TODAY.enum("disconnection_reason")) - set(TODAY.web_call_reasons)
    assert any(c.get("disconnection_reason") in phone_only for c in hostile)
    assert not any(c.get("disconnection_reason") in phone_only for c in believable)
    assert any(_CONTROL.search(s) for c in hostile for s in _strings(c))


def test_the_same_seed_draws_the_same_believable_call():
    strategy = call_objects(states=["ended"], analysed=True, believable=True, now=NOW)
    assert sample(strategy, seed=11) == sample(strategy, seed=11)


@given(v3_responses(now=NOW, ttl_seconds=30))
def test_v3_responses_pass_the_contract_and_expire_after_the_ttl(body):
    assert CONNECTION.is_valid(body), list(CONNECTION.iter_errors(body))
    assert body["expires_at"] == NOW + 30_000
    assert body["transport"] == "gateway"
    json.dumps(body, allow_nan=False)


@given(ice_servers())
def test_ice_servers_are_usable(servers):
    assert servers
    assert servers[0]["urls"]
    for server in servers:
        urls = [server["urls"]] if isinstance(server["urls"], str) else server["urls"]
        assert urls
        assert all(re.match(r"(stun|turns?):", url) for url in urls)
        if any(url.startswith("turn") for url in urls):
            assert server["username"]
            assert server["credential"]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: call_objects(now=-1), TypeError, "now must be milliseconds"),
        (lambda: call_objects(now=1.5), TypeError, "1.5"),
        (lambda: call_objects(believable="yes"), TypeError, "'yes'"),
        (lambda: v3_responses(ttl_seconds=0), ValueError, "ttl_seconds must be a finite number > 0, not 0"),
        (lambda: v3_responses(now=True), TypeError, "True"),
        (lambda: v3_responses(contract=load_contract("seed")), ContractError, "no 'create-v3' operation"),
    ],
)
def test_bad_arguments_name_the_bad_value(build, error, message):
    with pytest.raises(error, match=re.escape(message)):
        build()
