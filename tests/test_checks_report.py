"""Offline verification, the report printer, reproducing curls, JUnit, and the schemathesis adapters."""

from __future__ import annotations

import io
import json
import shlex
import subprocess
import xml.etree.ElementTree as ET

import pytest
import schemathesis
from click.testing import CliRunner
from rich.console import Console
from schemathesis.errors import FailureGroup

from retell_contract.checks import (
    NOTE_CASE,
    NOTE_ID,
    CaseKind,
    RunContext,
    schemathesis_checks,
    verify_exchanges,
)
from retell_contract.cli import main
from retell_contract.contracts import load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.report import curl_command, junit_xml, mask, masked_body, print_report

CONTRACT = load_contract()
KEY = "key_REPORT_SECRET_5b0c7e"
AGENT = CONTRACT.default_agent.agent_id
URL = "http://server.test/v2/create-web-call"
JSON = {"content-type": "application/json"}


def call(n: int, metadata: dict[str, object] | None = None) -> bytes:
    body = {
        "call_type": "web_call",
        "access_token": f"tok_SECRET_{n}",
        "call_id": f"call_{n}",
        "agent_id": AGENT,
        "agent_version": 1,
        "call_status": "registered",
    }
    if metadata is not None:
        body["metadata"] = metadata
    return json.dumps(body).encode()


def exchange(n: int, metadata: dict[str, object], *, echoed: bool) -> Exchange:
    sent = json.dumps({"agent_id": AGENT, "metadata": metadata}).encode()
    request = RecordedRequest("POST", URL, {"authorization": f"Bearer {KEY}", **JSON}, sent)
    response = RecordedResponse(201, JSON, call(n, metadata if echoed else None))
    return Exchange(request, response, {NOTE_CASE: "positive", NOTE_ID: str(n), "agent_versions": "1"})


def recorded() -> list[Exchange]:
    big = {f"k{i}": "v" * 50 for i in range(20)}
    return [
        exchange(1, {"a": 1}, echoed=True),
        exchange(2, big, echoed=False),
        exchange(3, {"b": 2}, echoed=False),
        exchange(4, big, echoed=False),
    ]


def test_verify_is_deterministic_and_keeps_the_smallest_example():
    report = verify_exchanges(recorded())
    assert report == verify_exchanges(recorded())
    assert not report.ok
    (failure,) = report.failures
    assert failure.check == "request_fields_echoed"
    assert failure.occurrences == 3
    assert json.loads(failure.request.body)["metadata"] == {"b": 2}
    echoed = next(summary for summary in report.checks if summary.name == failure.check)
    assert (echoed.passed, echoed.failed) == (1, 3)


def test_verify_without_notes_infers_the_case():
    plain = [Exchange(e.request, e.response) for e in recorded()]
    report = verify_exchanges(plain)
    assert report.cases == {CaseKind.UNLABELLED: 4}
    assert report.failed_checks == ("request_fields_echoed",)


def test_printed_report_masks_keys_and_tokens():
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, force_terminal=False)
    print_report(
        verify_exchanges(recorded()), console=console, secrets=[KEY], headline=f"key {KEY}", rerun="rr"
    )
    text = buffer.getvalue()
    assert KEY not in text
    assert "tok_SECRET" not in text
    assert "FAILED request_fields_echoed" in text
    assert "${RETELL_API_KEY}" in text
    assert "rr" in text


def test_curl_round_trips_through_the_shell():
    body = b'{"agent_id":"x","metadata":{"quote":"it\'s \\"here\\" $HOME `id`"}}'
    request = RecordedRequest(
        "POST",
        URL,
        {"authorization": f"Bearer {KEY}", "content-type": "application/json", "user-agent": "x"},
        body,
    )
    command = curl_command(request, secrets=[KEY])
    assert KEY not in command
    words = shlex.split(command.replace("${RETELL_API_KEY}", KEY))
    assert words[:4] == ["curl", "-X", "POST", URL]
    assert f"Authorization: Bearer {KEY}" in words
    assert words[words.index("--data-raw") + 1].encode() == body
    assert not any(word.lower().startswith("user-agent") for word in words)


def test_curl_with_binary_body_prints_the_exact_bytes():
    body = b"\xff\xfe{%s\\n}\x00"
    command = curl_command(RecordedRequest("POST", URL, {}, body))
    printf = command.split(" | ")[0]
    produced = subprocess.run(["sh", "-c", printf], capture_output=True, check=True).stdout
    assert produced == body
    assert "-H Content-Type:" in command, "no body type was sent, so curl must not add one"


def test_masking_helpers():
    assert mask(f"a {KEY} b {KEY}", [KEY]) == "a *** b ***"
    shown = masked_body(call(1), [KEY])
    assert "tok_SECRET" not in shown
    assert '"access_token": "***"' in shown


def test_a_short_secret_is_masked_only_where_it_stands_alone():
    text = 'retell-contract run against the mock; Bearer e; {"k": "e"}; /calls/e?key=e&x=1; e.'
    assert mask(text, ["e"]) == (
        'retell-contract run against the mock; Bearer ***; {"k": "***"}; /calls/***?key=***&x=1; ***.'
    )
    command = curl_command(RecordedRequest("POST", URL, {"authorization": "Bearer e"}, b"{}"), secrets=["e"])
    assert '"Authorization: Bearer ${RETELL_API_KEY}"' in command
    assert "-X POST" in command


def test_a_real_key_is_masked_inside_other_text_too():
    # A probe sends the key with a character added: that must not show the key.
    assert mask(f"Bearer {KEY}x and x{KEY}", [KEY]) == "Bearer ***x and x***"


def test_run_warns_about_a_key_too_short_to_be_real():
    result = CliRunner().invoke(main, ["run", "--api-key", "e", "--max-examples", "3", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "warning: the API key is 1 characters long" in " ".join(result.stderr.split())
    assert "retell-contract run against the embedded mock" in " ".join(result.stdout.split())


def test_junit_is_valid_xml_even_with_control_characters():
    nasty = {"ctl": "\x00\x01\x1b[31m", "emoji": "📞", "xml": "</failure><x>&"}
    exchanges = [exchange(1, nasty, echoed=False)]
    document = junit_xml(verify_exchanges(exchanges), secrets=[KEY], rerun=f"run {KEY}")
    root = ET.fromstring(document)
    assert KEY.encode() not in document
    failures = [case for case in root.iter("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failures] == ["request_fields_echoed"]
    assert root.find("testsuite").get("failures") == "1"  # type: ignore[union-attr]


def test_schemathesis_adapters_run_our_checks():
    operation = schemathesis.openapi.from_dict(dict(CONTRACT.document))[CONTRACT.path]["POST"]
    case = operation.Case(body={"agent_id": AGENT, "metadata": {"a": 1}}, media_type="application/json")
    adapters = schemathesis_checks(RunContext(CONTRACT))
    assert all(adapter.__name__.startswith("retell_") for adapter in adapters)

    def response_with(content: bytes) -> schemathesis.Response:
        import requests

        prepared = requests.Request(
            "POST", URL, json=case.body, headers={"Authorization": f"Bearer {KEY}"}
        ).prepare()
        return schemathesis.Response(
            201, {"content-type": ["application/json"]}, content, prepared, 0.01, True
        )

    case.validate_response(response_with(call(1, {"a": 1})), checks=adapters)
    with pytest.raises(FailureGroup, match="retell_request_fields_echoed") as caught:
        case.validate_response(response_with(call(2)), checks=adapters)
    assert "metadata" in str(caught.value.exceptions[0])


def test_turn_credentials_and_webhook_signatures_never_reach_a_report():
    """What cassettes scrub, reports mask: a v3 relay password and a delivery's signature."""
    details = {
        "access_token": "tok-secret-1",
        "call_id": "c1",
        "ice_servers": [
            {"urls": "stun:s.example"},
            {"urls": "turn:t.example", "username": "u", "credential": "relay-pw"},
        ],
    }
    shown = masked_body(json.dumps(details).encode())
    assert "relay-pw" not in shown
    assert "tok-secret-1" not in shown
    assert '"username": "u"' in shown
    signature = "v=1790000000000,d=" + "ab" * 32
    request = RecordedRequest(
        "POST", "http://receiver.test/webhook", {"x-retell-signature": signature}, b"{}"
    )
    command = curl_command(request)
    assert signature not in command
    assert "ab" * 32 not in command
    assert "X-Retell-Signature: ***" in command
