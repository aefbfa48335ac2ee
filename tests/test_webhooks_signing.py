"""Signing and the delivery strategies agree with the official clients' verify (the oracles).

Python: retell-sdk 6.2.13 (its own cached venv) and 4.49.0 (installed); Node: retell-sdk
5.66.1 (skipped without node/npm). Where they differ:
- Node accepts upper-case hex digests (``/i``); Python 6.2.13 does not.
- Python 4.49 uses ``re.search`` (a header with text before ``v=`` passes) and a plain ``==``.
"""

from __future__ import annotations

import hmac
import itertools
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retell_contract.contracts import SIGNATURE_HEADER, load_contract
from retell_contract.strategies import sample
from retell_contract.validation import validate_call_object
from retell_contract.webhooks import (
    FAULTS,
    MALFORMED,
    Delivery,
    interleaved_webhook_streams,
    invalid_webhook_deliveries,
    sign,
    signature_problem,
    verify,
    webhook_event_names,
    webhook_events,
    webhook_streams,
)
from sdk_support import node_verify, python_verify

KEY = "key_webhook_test_0123456789"
NOW = 1_760_000_000_000
CONTRACT = load_contract()


def oracle_item(delivery: Delivery, now_ms: int = NOW, key: str = KEY) -> dict[str, Any]:
    rendered = delivery.render(api_key=key, now_ms=now_ms)
    return {
        "body": rendered.body.decode("utf-8"),
        "api_key": key,
        "signature": rendered.headers.get(SIGNATURE_HEADER),
        "now_ms": now_ms,
    }


def _samples(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    return [sample(strategy, seed=seed) for seed in range(count)]


def test_sign_matches_a_known_digest_and_verify_applies_the_tolerance() -> None:
    body = '{"event":"call_started","call":{"note":"café"}}'.encode()
    header = sign(body, api_key="k", timestamp_ms=1000)
    assert header == "v=1000,d=" + hmac.new(b"k", body + b"1000", "sha256").hexdigest()
    assert verify(body, api_key="k", signature=header, now_ms=1000 + 300_000)
    assert not verify(body, api_key="k", signature=header, now_ms=1000 + 300_001)
    assert signature_problem(body, api_key="k", signature=None, now_ms=1000) == "no signature header"
    assert not verify(body.decode(), api_key="k", signature=header.upper(), now_ms=1000)


def test_sign_refuses_text_and_bad_timestamps() -> None:
    with pytest.raises(TypeError, match="raw bytes"):
        sign("{}", api_key="k", timestamp_ms=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="-5"):
        sign(b"{}", api_key="k", timestamp_ms=-5)


def test_strategy_arguments_are_checked_by_name() -> None:
    with pytest.raises(ValueError, match="call_exploded"):
        webhook_events(events=["call_exploded"])
    with pytest.raises(ValueError, match=r"max_retries.*11"):
        webhook_streams(max_retries=11)
    with pytest.raises(ValueError, match="max_calls"):
        interleaved_webhook_streams(min_calls=3, max_calls=2)
    with pytest.raises(ValueError, match="nope"):
        invalid_webhook_deliveries(faults=["nope"])


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(webhook_streams(optional_events=True))
def test_a_stream_follows_the_lifecycle_and_every_call_object_is_valid(stream: list[Delivery]) -> None:
    names = [d.event for d in stream]
    first = [n for i, n in enumerate(names) if n not in names[:i]]
    assert first[0] == "call_started"
    assert first.index("call_ended") > first.index("call_started")
    assert "call_analysis" not in {k for d in stream if d.event != "call_analyzed" for k in d.call}
    assert len({d.call_id for d in stream}) == 1
    final = stream[-1].call
    for delivery in stream:
        assert validate_call_object(delivery.call, contract=CONTRACT) == [], delivery.event
        if delivery.event == "call_started":
            assert "transcript" not in delivery.call
        if delivery.event in ("call_started", "transcript_updated"):
            assert delivery.call["call_status"] == "ongoing"
            assert not {"end_timestamp", "disconnection_reason"} & delivery.call.keys()
    # transcript_updated: the transcript so far, growing, cut from the final one.
    updates = [d.call for d in stream if d.event == "transcript_updated"]
    assert updates
    so_far = [len(u.get("transcript_object", [])) for u in updates]
    assert so_far == sorted(so_far)
    for update in updates:
        spoken = update.get("transcript_object")
        assert ("transcript" in update) == ("transcript" in final)
        if "transcript" in update:
            assert final["transcript"].startswith(update["transcript"])
        if spoken is not None:
            assert spoken == final["transcript_object"][: len(spoken)]
            strict = validate_call_object(update, level="strict", contract=CONTRACT)
            # Only the rule about finished calls' fields objects to a live transcript.
            assert {v.rule for v in strict} <= {"post_call_fields_before_end"}
    # Created with or without metadata: the same in every event of the call.
    for field in ("metadata", "retell_llm_dynamic_variables"):
        assert len({field in d.call for d in stream}) == 1
    # Retries repeat the event right after it, numbered.
    for before, after in itertools.pairwise(stream):
        if after.attempt > 1:
            assert (after.event, after.attempt) == (before.event, before.attempt + 1)


def test_interleaved_streams_keep_each_calls_order() -> None:
    for merged in _samples(interleaved_webhook_streams(min_calls=3, max_calls=3), 5):
        calls = {d.call_id for d in merged}
        assert len(calls) == 3
        for call_id in calls:
            events = [d.event for d in merged if d.call_id == call_id and d.attempt == 1]
            assert events[:2] == ["call_started", "call_ended"]


def test_valid_deliveries_verify_with_the_official_python_client() -> None:
    deliveries = _samples(webhook_events(), 30) + [d for s in _samples(webhook_streams(), 5) for d in s]
    assert {d.event for d in deliveries} >= set(webhook_event_names())
    items = [oracle_item(d) for d in deliveries]
    assert any(any(ord(c) > 127 for c in item["body"]) for item in items)  # non-ASCII was sent
    assert python_verify(items) == [True] * len(items)
    assert all(verify(i["body"], api_key=KEY, signature=i["signature"], now_ms=NOW) for i in items)


def test_every_invalid_delivery_fails_the_official_python_client() -> None:
    drawn = _samples(invalid_webhook_deliveries(), 30)
    call = drawn[0].call
    every = [Delivery("call_ended", call, fault=f, detail="1") for f in FAULTS if f != "malformed_header"]
    every += [Delivery("call_ended", call, fault="malformed_header", detail=m) for m in MALFORMED]
    deliveries = drawn + every
    items = [oracle_item(d) for d in deliveries]
    assert python_verify(items) == [False] * len(items)
    assert not any(verify(i["body"], api_key=KEY, signature=i["signature"], now_ms=NOW) for i in items)


def test_the_node_client_agrees_except_that_it_accepts_upper_case_hex() -> None:
    valid = [oracle_item(d) for d in _samples(webhook_events(), 15)]
    base = sample(webhook_events(), seed=1)
    invalid = {
        f"{f}/{m}": oracle_item(Delivery(base.event, base.call, fault=f, detail=m))
        for f in FAULTS
        for m in (MALFORMED if f == "malformed_header" else ("1",))
    }
    assert node_verify(valid) == [True] * len(valid)
    verdicts = dict(zip(invalid, node_verify(list(invalid.values())), strict=True))
    assert {label for label, ok in verdicts.items() if ok} == {"malformed_header/upper_case_hex"}


def test_python_449_is_laxer_about_the_header_shape() -> None:
    from retell import Retell  # the seed-era client installed in the test environment

    body = sample(webhook_events(), seed=2).body().decode()
    client = Retell(api_key=KEY)
    now = int(time.time() * 1000)  # 4.49's verify reads the wall clock
    fresh = sign(body.encode(), api_key=KEY, timestamp_ms=now)
    assert client.verify(body, api_key=KEY, signature=fresh)
    assert client.verify(body, api_key=KEY, signature="x" + fresh)  # 4.49 searches, 6.2.13 must match
    assert not verify(body, api_key=KEY, signature="x" + fresh, now_ms=now)


def test_transcript_updated_carries_an_ongoing_call_with_the_transcript_so_far() -> None:
    updates = [d.call for d in _samples(webhook_events(events=["transcript_updated"]), 20)]
    assert all(u["call_status"] == "ongoing" and "call_analysis" not in u for u in updates)
    assert any(u.get("transcript_object") for u in updates)
    assert all(validate_call_object(u, contract=CONTRACT) == [] for u in updates)
    (event,) = [e for e in CONTRACT.webhook_events if e.name == "transcript_updated"]
    assert (event.stage, "transcript") == ("ongoing", event.live_fields[0])
