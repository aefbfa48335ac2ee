"""The plugin's webhook fixtures, from a throwaway project: post signed events to the app under
test in-process, receive the mock's deliveries on loopback, record them scrubbed, replay them."""

from __future__ import annotations

from pathlib import Path

import pytest

from retell_contract.cassettes import read_cassettes
from retell_contract.contracts import SIGNATURE_HEADER

pytest_plugins = ["pytester"]

# The team's handler, written as Retell's docs say: verify the raw body, 401 if it fails.
HANDLERS = """
import json
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from retell_contract.webhooks import verify

def starlette_app(key, rows):
    async def hook(request: Request) -> Response:
        raw = await request.body()
        if not verify(raw, api_key=key, signature=request.headers.get("x-retell-signature")):
            return Response(status_code=401)
        payload = json.loads(raw)
        rows.setdefault((payload["call"]["call_id"], payload["event"]), raw)
        return Response(status_code=204)
    return Starlette(routes=[Route("/webhook", hook, methods=["POST"])])

def wsgi_app(key, rows):
    def app(environ, start_response):
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        ok = verify(raw, api_key=key, signature=environ.get("HTTP_X_RETELL_SIGNATURE"))
        if ok:
            payload = json.loads(raw)
            rows.setdefault((payload["call"]["call_id"], payload["event"]), raw)
        start_response("204 No Content" if ok else "401 Unauthorized", [("Content-Length", "0")])
        return [b""]
    return app
"""

POST_TESTS = """
import pytest
from retell_contract.strategies import sample
from retell_contract.webhooks import Delivery, webhook_events
from handlers import starlette_app, wsgi_app

@pytest.mark.parametrize("make", [starlette_app, wsgi_app])
def test_signed_events_reach_the_app(make, retell_webhook_client, retell_webhook_key):
    rows = {}
    client = retell_webhook_client(make(retell_webhook_key, rows))
    delivery = sample(webhook_events(events=["call_ended"]), seed=3)
    assert client.post(delivery).status_code == 204
    assert client.post_event("call_started", delivery.call).status_code == 204
    stale = Delivery(delivery.event, delivery.call, fault="stale_timestamp", detail="1")
    assert client.post(stale).status_code == 401
    assert sorted(event for _, event in rows) == ["call_ended", "call_started"]

def test_a_key_the_app_does_not_know_is_refused(retell_webhook_client):
    client = retell_webhook_client(starlette_app("key_the_apps_own_123", {}))
    assert client.post_event("call_started", {"call_id": "c"}).status_code == 401
"""

MOCK_TESTS = """
import httpx
from retell_contract.server import DEFAULT_API_KEY, MockConfig, create_app, mock_transport
from handlers import starlette_app

def drive_a_call(receiver):
    config = MockConfig(webhook_url=receiver.url, webhook_retry_delay=0)
    app = create_app(config)
    with httpx.Client(transport=mock_transport(app), base_url="http://mock.test") as client:
        headers = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
        agent = app.state.mock.contract.default_agent.agent_id
        call = client.post("/v2/create-web-call", json={"agent_id": agent}, headers=headers).json()
        app.state.mock.join(call["access_token"])
        app.state.mock.advance(call["call_id"], "analyzed")
        return receiver.wait_for(3), call

def test_record(retell_webhook_receiver, retell_webhook_key, retell_webhook_cassette):
    arrived, call = drive_a_call(retell_webhook_receiver)
    assert [d.event for d in arrived] == ["call_started", "call_ended", "call_analyzed"]
    assert all(d.verifies(retell_webhook_key) for d in arrived)
    retell_webhook_receiver.save(retell_webhook_cassette, secrets=[retell_webhook_key])
    (retell_webhook_cassette.parent / "signatures.txt").write_text(
        "\\n".join(d.signature for d in arrived) + "\\n" + call["access_token"]
    )

def test_replay(retell_webhook_client, retell_webhook_key, request):
    cassette = request.config.rootpath / "cassettes" / "webhooks" / "test_mock" / "test_record.yaml"
    rows = {}
    client = retell_webhook_client(starlette_app(retell_webhook_key, rows))
    assert [r.status_code for r in client.replay(cassette)] == [204, 204, 204]
    assert [event for _, event in rows] == ["call_started", "call_ended", "call_analyzed"]
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(handlers=HANDLERS)
    pytester.syspathinsert()
    return pytester


def test_the_client_fixture_posts_signed_deliveries_to_asgi_and_wsgi_apps(project: pytest.Pytester) -> None:
    project.makepyfile(test_post=POST_TESTS)
    project.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_the_mocks_deliveries_are_received_recorded_scrubbed_and_replayed_re_signed(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_mock=MOCK_TESTS)
    recorded = project.runpytest_inprocess("-p", "no:cacheprovider", "-k", "test_record")
    recorded.assert_outcomes(passed=1)
    cassette = project.path / "cassettes" / "webhooks" / "test_mock" / "test_record.yaml"
    *signatures, token = (cassette.parent / "signatures.txt").read_text().splitlines()
    text = cassette.read_text()
    assert len(signatures) == 3
    assert not any(signature in text for signature in signatures)
    assert token not in text
    exchanges = read_cassettes(cassette)
    assert [e.request.headers[SIGNATURE_HEADER] for e in exchanges] == [
        f"scrubbed-webhook-signature-{n}" for n in (1, 2, 3)
    ]
    # Replayed (later, in another session) against the handler: every delivery re-signed.
    replayed = project.runpytest_inprocess("-p", "no:cacheprovider", "-k", "test_replay")
    replayed.assert_outcomes(passed=1)


def test_saving_never_replaces_a_cassette(project: pytest.Pytester, tmp_path: Path) -> None:
    project.makepyfile(
        test_twice="""
from retell_contract.errors import CassetteError
import pytest

def test_twice(retell_webhook_receiver, tmp_path):
    path = tmp_path / "c.yaml"
    retell_webhook_receiver.save(path)
    with pytest.raises(CassetteError, match="already exists"):
        retell_webhook_receiver.save(path)
"""
    )
    project.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
