"""Cassettes: vcrpy format both ways, scrubbing, record modes, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import vcr

from retell_contract.cassettes import (
    DEFAULT_CASSETTE_NAME,
    CassetteError,
    Scrubber,
    open_recorder,
    read_cassette_entries,
    read_cassettes,
    write_cassette,
)
from retell_contract.cassettes._match import bodies_match
from retell_contract.contracts import load_contract
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse
from retell_contract.server import MockConfig, MockServer
from retell_contract.validation import validate_call_object

CONTRACT = load_contract()
AGENT = CONTRACT.default_agent.agent_id
URL = f"https://api.example.invalid{CONTRACT.path}"
FAKE_KEY = "key_FAKE_c4ss3tt3_d1st1nct1ve_0042"
EMAIL = "jane.doe@example.com"


def call_object(token: str, **extra: object) -> dict[str, object]:
    return {
        "call_type": "web_call",
        "access_token": token,
        "call_id": f"call-{token[-6:]}",
        "agent_id": AGENT,
        "agent_version": 1,
        "call_status": "registered",
        **extra,
    }


def created(token: str, request_body: dict[str, object], *, key: str = FAKE_KEY) -> Exchange:
    """A 201 exchange that echoes the request's metadata, as the API does."""
    echoed = {k: v for k, v in request_body.items() if k in CONTRACT.echoed_fields and k != "agent_id"}
    return Exchange(
        RecordedRequest(
            "POST",
            URL,
            {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            json.dumps(request_body).encode(),
        ),
        RecordedResponse(
            201, {"content-type": "application/json"}, json.dumps(call_object(token, **echoed)).encode()
        ),
        {"case": "positive", "agent_versions": "1"},
    )


def odd_exchanges() -> list[Exchange]:
    """Bodies that must survive byte for byte: empty, malformed JSON, binary, text."""
    return [
        Exchange(RecordedRequest("GET", URL, {"authorization": "Bearer"}), RecordedResponse(405, {}, b"")),
        Exchange(
            RecordedRequest("POST", URL, {"content-type": "application/json"}, b'{"agent_id": '),
            RecordedResponse(
                400, {"content-type": "application/json"}, b'{"status":"error","message":"bad"}'
            ),
            {"case": "bad_input", "detail": "malformed_json"},
        ),
        Exchange(
            RecordedRequest("POST", URL, {"content-type": "application/octet-stream"}, bytes(range(256))),
            RecordedResponse(
                400, {"content-type": "text/plain; charset=latin-1"}, "caf\xe9".encode("latin-1")
            ),
        ),
    ]


# -- round trips ---------------------------------------------------------------------------


def test_exchanges_without_secrets_round_trip_exactly(tmp_path: Path) -> None:
    exchanges = odd_exchanges()
    path = write_cassette(tmp_path / "odd.yaml", exchanges)
    assert read_cassettes(path) == exchanges


def test_notes_ride_in_metadata_and_come_back(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.yaml", [created("tok-aaaaaaaa1", {"agent_id": AGENT})])
    assert "metadata" in path.read_text()
    [exchange] = read_cassettes(path)
    assert exchange.notes == {"case": "positive", "agent_versions": "1"}


def test_directory_is_read_in_sorted_order_with_locations(tmp_path: Path) -> None:
    write_cassette(tmp_path / "b" / "two.yaml", odd_exchanges()[:2])
    write_cassette(tmp_path / "a.yaml", odd_exchanges()[2:])
    entries = read_cassette_entries(tmp_path)
    assert [(entry.path.name, entry.index) for entry in entries] == [
        ("a.yaml", 0),
        ("two.yaml", 0),
        ("two.yaml", 1),
    ]
    assert entries[2].location.endswith("two.yaml#1")


def test_vcrpy_replays_a_written_cassette_without_network(tmp_path: Path) -> None:
    exchange = created("tok-bbbbbbbb2", {"agent_id": AGENT})
    path = write_cassette(tmp_path / "c.yaml", [exchange])
    with vcr.use_cassette(str(path), record_mode="none"), httpx.Client() as client:
        response = client.post(URL, json={"agent_id": AGENT})
    assert response.status_code == 201
    assert response.json()["access_token"] == "scrubbed-access-token-1"


def test_a_cassette_recorded_by_vcrpy_itself_is_read(tmp_path: Path) -> None:
    path = tmp_path / "vcrpy.yaml"
    with MockServer(MockConfig(api_keys=(FAKE_KEY,), seed=3)) as server, vcr.use_cassette(str(path)):
        httpx.post(
            f"{server.url}{CONTRACT.path}",
            json={"agent_id": AGENT},
            headers={"Authorization": f"Bearer {FAKE_KEY}"},
        )
    [exchange] = read_cassettes(path)
    assert exchange.response.status == 201
    assert exchange.request.json() == {"agent_id": AGENT}
    assert validate_call_object(exchange.response.json(), contract=CONTRACT) == []


# -- scrubbing -----------------------------------------------------------------------------


def test_key_token_and_fields_never_reach_the_file(tmp_path: Path) -> None:
    body = {"agent_id": AGENT, "metadata": {"email": EMAIL, "note": f"key {FAKE_KEY}"}}
    exchange = created("tok-secret-cccccccc3", body)
    exchange = Exchange(
        RecordedRequest("POST", f"{URL}?api_key={FAKE_KEY}", exchange.request.headers, exchange.request.body),
        exchange.response,
        {
            "case": "positive",
            "curl": f"curl -H 'Authorization: Bearer {FAKE_KEY}' --data '{json.dumps(body)}'",
        },
    )
    with open_recorder(tmp_path, secrets=[FAKE_KEY], scrub_fields=["metadata.email"]) as recorder:
        recorder.record(exchange)
    raw = (tmp_path / DEFAULT_CASSETTE_NAME).read_bytes()
    for secret in (FAKE_KEY, "tok-secret-cccccccc3", EMAIL):
        assert secret.encode() not in raw
    [back] = read_cassettes(tmp_path)
    assert back.request.headers["authorization"] == "Bearer scrubbed-api-key-1"
    assert back.request.json()["metadata"] == back.response.json()["metadata"]  # echo still holds
    assert back.request.json()["metadata"]["email"] == "scrubbed-email-1"


def test_distinct_tokens_stay_distinct_and_repeats_stay_equal() -> None:
    scrubber = Scrubber()
    tokens = ["tok-one-11111111", "tok-two-22222222", "tok-one-11111111"]
    scrubbed = [
        scrubber.scrub(created(token, {"agent_id": AGENT})).response.json()["access_token"]
        for token in tokens
    ]
    assert scrubbed[0] != scrubbed[1]
    assert scrubbed[0] == scrubbed[2]


def test_scrubbed_call_objects_still_satisfy_the_contract() -> None:
    scrubber = Scrubber(secrets=[FAKE_KEY], fields=["metadata.*"])
    exchange = scrubber.scrub(
        created("tok-dddddddd4", {"agent_id": AGENT, "metadata": {"id": 7, "vip": True}})
    )
    call = exchange.response.json()
    assert validate_call_object(call, contract=CONTRACT) == []
    assert call["metadata"] == {"id": 1, "vip": True}  # numbers stay numbers, booleans stay


def test_authorization_keeps_its_shape() -> None:
    scrubber = Scrubber(secrets=[FAKE_KEY])
    shapes = {
        f"Bearer {FAKE_KEY}": "Bearer scrubbed-api-key-1",
        "bearer some-other-key-123": "bearer scrubbed-credential-1",
        "Bearer": "Bearer",
        "": "",
        "rawkeywithoutscheme": "scrubbed-credential-2",
    }
    for before, after in shapes.items():
        request = RecordedRequest("POST", URL, {"authorization": before})
        scrubbed = scrubber.scrub(Exchange(request, RecordedResponse(401)))
        assert scrubbed.request.headers["authorization"] == after


def test_scrubbing_twice_changes_nothing() -> None:
    exchange = created("tok-eeeeeeee5", {"agent_id": AGENT, "metadata": {"email": EMAIL}})
    once = Scrubber(secrets=[FAKE_KEY], fields=["metadata.email"]).scrub(exchange)
    assert Scrubber(fields=["metadata.email"]).scrub(once) == once


def test_new_placeholders_do_not_collide_with_existing_ones() -> None:
    scrubber = Scrubber()
    scrubber.scrub(created("scrubbed-access-token-4", {"agent_id": AGENT}))
    fresh = scrubber.scrub(created("tok-ffffffff6", {"agent_id": AGENT})).response.json()["access_token"]
    assert fresh == "scrubbed-access-token-5"


def test_content_length_follows_the_scrubbed_body() -> None:
    exchange = created("tok-gggggggg7", {"agent_id": AGENT})
    response = RecordedResponse(
        201, {**exchange.response.headers, "content-length": "999"}, exchange.response.body
    )
    scrubbed = Scrubber().scrub(Exchange(exchange.request, response))
    assert scrubbed.response.headers["content-length"] == str(len(scrubbed.response.body))


def test_replay_matching_ignores_exactly_what_scrubbing_replaced() -> None:
    fields = ["metadata.ids.1", "metadata.*.email"]
    body = {"agent_id": AGENT, "metadata": {"ids": [123, 456], "owner": {"email": EMAIL}}}
    scrubbed = Scrubber(fields=fields).scrub(created("tok-jjjjjjjj1", body)).request
    assert scrubbed.json()["metadata"] == {"ids": [123, 1], "owner": {"email": "scrubbed-email-1"}}
    live = json.dumps(body).encode()
    assert bodies_match(live, scrubbed.body, scrub_fields=fields)
    assert not bodies_match(live, scrubbed.body)  # the number placeholder only matches at its path
    other = {**body, "metadata": {**body["metadata"], "ids": [124, 456]}}
    assert not bodies_match(json.dumps(other).encode(), scrubbed.body, scrub_fields=fields)


@pytest.mark.parametrize("path", ["", "metadata..email", ".email"])
def test_bad_scrub_field_is_a_usage_error(path: str) -> None:
    with pytest.raises(UsageError, match="scrub field"):
        Scrubber(fields=[path])


# -- record modes --------------------------------------------------------------------------


def test_new_mode_refuses_an_existing_cassette_before_recording(tmp_path: Path) -> None:
    write_cassette(tmp_path / DEFAULT_CASSETTE_NAME, odd_exchanges())
    before = (tmp_path / DEFAULT_CASSETTE_NAME).read_bytes()
    with pytest.raises(CassetteError, match="already exists") as error, open_recorder(tmp_path):
        pytest.fail("the block must not run")
    assert "\n" not in str(error.value)
    assert (tmp_path / DEFAULT_CASSETTE_NAME).read_bytes() == before


def test_overwrite_mode_replaces_and_a_failed_run_keeps_the_old_cassette(tmp_path: Path) -> None:
    write_cassette(tmp_path / DEFAULT_CASSETTE_NAME, odd_exchanges())

    def crashing_run() -> None:
        with open_recorder(tmp_path, mode="overwrite") as recorder:
            recorder.record(created("tok-hhhhhhhh8", {"agent_id": AGENT}))
            raise RuntimeError("run crashed")

    with pytest.raises(RuntimeError):
        crashing_run()
    assert len(read_cassettes(tmp_path)) == 3
    with open_recorder(tmp_path, mode="overwrite") as recorder:
        recorder.record(created("tok-hhhhhhhh8", {"agent_id": AGENT}))
    assert len(read_cassettes(tmp_path)) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEFAULT_CASSETTE_NAME]  # no temporary left


def test_unknown_record_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="record mode 'append'"), open_recorder(tmp_path, mode="append"):
        pass


# -- defects -------------------------------------------------------------------------------

VALID = "interactions: []\nversion: 1\n"


def valid_text(tmp_path: Path) -> str:
    return write_cassette(
        tmp_path / "valid.yaml", [created("tok-iiiiiiii9", {"agent_id": AGENT})]
    ).read_text()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.yaml", "", "empty file"),
        ("corrupt.yaml", "interactions: [\n  - {request: ", "not a readable YAML cassette"),
        ("list.yaml", "- 1\n- 2\n", "not a vcrpy cassette mapping"),
        ("k8s.yaml", "apiVersion: v1\nkind: Pod\n", "no 'interactions' key"),
        ("v2.yaml", "interactions: []\nversion: 2\n", "format version 2"),
        ("foreign.json", '{"openapi": "3.1.0"}', "no 'interactions' key"),
        ("broken.json", '{"interactions": [', "not valid JSON"),
        (
            "nostatus.yaml",
            VALID.replace("[]", "[{request: {method: GET, uri: u, body: '', headers: {}}, response: {}}]"),
            "interaction 0: response has no body.string",
        ),
        ("python.yaml", "!!python/object/apply:os.system ['true']\n", "not a readable YAML cassette"),
        ("notes.yaml", VALID + "metadata: {retell_contract: {notes: [{}]}}\n", "list of 0 mappings"),
    ],
)
def test_defective_cassettes_are_one_line_errors_naming_the_file(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(CassetteError) as error:
        read_cassettes(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_a_truncated_cassette_is_an_error(tmp_path: Path) -> None:
    text = valid_text(tmp_path)
    for cut in (len(text) // 3, len(text) // 2, len(text) - 20):
        path = tmp_path / f"cut{cut}.yaml"
        path.write_text(text[:cut])
        with pytest.raises(CassetteError, match=str(path.name)):
            read_cassettes(path)


def test_binary_garbage_and_missing_paths_are_errors(tmp_path: Path) -> None:
    (tmp_path / "garbage.yaml").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(CassetteError, match="not UTF-8"):
        read_cassettes(tmp_path / "garbage.yaml")
    with pytest.raises(CassetteError, match="no such cassette"):
        read_cassettes(tmp_path / "missing")
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(CassetteError, match="no cassettes"):
        read_cassettes(tmp_path / "empty-dir")


# -- through the run command ---------------------------------------------------------------


def test_run_record_then_replay_with_a_fake_key_written_nowhere(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from retell_contract.cli import main

    with MockServer(MockConfig(api_keys=(FAKE_KEY,), seed=11)) as server:
        arguments = ["run", "--url", server.url, "--api-key", FAKE_KEY, "--rate-limit", "0"]
        arguments += ["--max-examples", "5", "--seed", "2", "--record", str(tmp_path / "rec")]
        recorded = CliRunner().invoke(main, [*arguments, "--scrub-field", "metadata.*"])
    assert recorded.exit_code == 0, recorded.output
    assert FAKE_KEY not in recorded.output
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert files
    for path in files:
        assert FAKE_KEY.encode() not in path.read_bytes(), path
    replayed = CliRunner().invoke(main, ["replay", str(tmp_path / "rec")])
    assert replayed.exit_code == 0, replayed.output
