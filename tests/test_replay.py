"""``retell-contract replay`` and the cassettes shipped in ``cassettes/``."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from retell_contract.cassettes import read_cassette_entries, read_cassettes, write_cassette
from retell_contract.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from retell_contract.contracts import load_contract
from retell_contract.exchange import Exchange, RecordedResponse
from retell_contract.server import DEFAULT_API_KEY
from retell_contract.validation import validate_call_object

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "cassettes"
MOCK_RECORDINGS = SHIPPED / "mock"
DOCS_EXAMPLE = SHIPPED / "docs"
CONTRACT = load_contract()


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replay is offline: any connection attempt fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("replay tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def replay(*arguments: str) -> Result:
    return CliRunner().invoke(main, ["replay", *arguments])


def test_shipped_mock_recordings_replay_clean_and_byte_identical() -> None:
    first, second = replay(str(MOCK_RECORDINGS)), replay(str(MOCK_RECORDINGS))
    assert first.exit_code == EXIT_OK, first.output
    assert first.output == second.output
    assert "No contract violation" in first.output


def test_shipped_mock_recordings_cover_positive_and_negative_cases() -> None:
    entries = read_cassette_entries(MOCK_RECORDINGS)
    cases = {entry.exchange.notes.get("case") for entry in entries}
    assert {"positive", "invalid_body", "bad_auth", "bad_input"} <= cases
    assert len(entries) >= 100


def test_shipped_mock_recordings_cover_todays_three_operations_and_show_no_drift() -> None:
    entries = read_cassette_entries(MOCK_RECORDINGS)
    assert {entry.exchange.notes.get("operation") for entry in entries} >= {
        "create-v2",
        "create-v3",
        "get-call",
    }
    assert {entry.exchange.notes.get("case") for entry in entries} >= {"retrieve", "unknown_call"}
    result = CliRunner().invoke(main, ["diff", "today", str(MOCK_RECORDINGS), "--fail-on", "any"])
    assert result.exit_code == EXIT_OK, result.output
    assert "no changes" in result.output


def test_shipped_cassettes_hold_no_key_and_no_real_token() -> None:
    for path in SHIPPED.rglob("*.yaml"):
        text = path.read_text()
        assert DEFAULT_API_KEY not in text, path
        for entry in read_cassette_entries(path):
            call = entry.exchange.response.json()
            if isinstance(call, dict) and "access_token" in call:
                assert call["access_token"].startswith("scrubbed-access-token-"), entry.location


def test_docs_example_fails_only_the_checks_its_placeholder_data_breaks() -> None:
    result = replay(str(DOCS_EXAMPLE))
    assert result.exit_code == EXIT_FAILED
    failed = {line.split()[2] for line in result.output.splitlines() if " FAILED " in f" {line}"}
    assert failed == {"call_object_consistent", "no_post_call_fields"}


def test_docs_example_matches_the_contract_schema_but_not_its_consistency_rules() -> None:
    [exchange] = read_cassettes(DOCS_EXAMPLE)
    call = exchange.response.json()
    assert validate_call_object(call, level="schema", contract=CONTRACT) == []
    rules = {violation.rule for violation in validate_call_object(call, level="strict", contract=CONTRACT)}
    assert {"post_call_fields_before_end", "duration_matches_timestamps"} <= rules
    assert any("latency" in violation.path for violation in validate_call_object(call, level="strict"))


def test_a_tampered_recording_fails_replay(tmp_path: Path) -> None:
    exchanges = read_cassettes(MOCK_RECORDINGS)
    index = next(i for i, e in enumerate(exchanges) if e.response.status == 201)
    call = {**exchanges[index].response.json(), "call_status": "ongoing"}
    tampered = Exchange(
        exchanges[index].request,
        RecordedResponse(201, exchanges[index].response.headers, json.dumps(call).encode()),
        exchanges[index].notes,
    )
    exchanges[index] = tampered
    write_cassette(tmp_path / "tampered.yaml", exchanges)
    result = replay(str(tmp_path))
    assert result.exit_code == EXIT_FAILED
    assert "call_status_is_registered" in result.output


def test_junit_report_is_written(tmp_path: Path) -> None:
    report = tmp_path / "replay.xml"
    result = replay(str(DOCS_EXAMPLE), "--junit", str(report))
    assert result.exit_code == EXIT_FAILED
    suite = ET.parse(report).getroot()
    assert suite.get("failures") == "2"


@pytest.mark.parametrize(
    ("content", "message"),
    [("interactions: [", "not a readable YAML cassette"), ("kind: Pod\n", "not a vcrpy cassette")],
)
def test_bad_cassette_is_one_line_and_exit_2(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(content)
    result = replay(str(tmp_path))
    assert result.exit_code == EXIT_USAGE
    assert result.output.count("\n") == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_directory_and_bad_contract_exit_2(tmp_path: Path) -> None:
    assert replay(str(tmp_path / "nowhere")).exit_code == EXIT_USAGE
    result = replay(str(DOCS_EXAMPLE), "--contract", str(tmp_path / "missing.yaml"))
    assert result.exit_code == EXIT_USAGE
    assert "missing.yaml" in result.output


def test_the_docs_cassette_is_rebuilt_from_the_repository_alone(tmp_path: Path) -> None:
    # From a folder with no ../shared next to it: the example ships in tests/data/.
    rebuilt = tmp_path / "rebuilt.yaml"
    process = subprocess.run(
        [sys.executable, str(SHIPPED / "make_docs_example.py"), "--output", str(rebuilt)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert read_cassettes(rebuilt) == read_cassettes(DOCS_EXAMPLE / "create-web-call-docs-example.yaml")


def _recorded_run(seed: int, **options: object) -> list[Exchange]:
    from retell_contract.runner import RunOptions, run

    exchanges: list[Exchange] = []
    run(RunOptions(max_examples=5, seed=seed, on_exchange=exchanges.append, **options))  # type: ignore[arg-type]
    return exchanges


def test_a_folder_of_cassettes_is_not_failed_for_placeholders_each_file_numbers_from_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "recordings"
    write_cassette(folder / "a.yaml", _recorded_run(1))
    write_cassette(folder / "b.yaml", _recorded_run(2))
    text = (folder / "b.yaml").read_text()
    assert "scrubbed-access-token-1" in text  # each file numbers its own tokens
    result = CliRunner().invoke(main, ["replay", str(folder)])
    assert result.exit_code == EXIT_OK, result.output


def test_a_duplicate_inside_one_cassette_is_still_caught_and_names_the_file(tmp_path: Path) -> None:
    from benchmarks._asgi import rewrite
    from benchmarks._response_faults import on_call

    from run_support import mock_app

    folder = tmp_path / "recordings"
    write_cassette(folder / "a.yaml", _recorded_run(1))
    constant = rewrite(
        mock_app(), response=on_call(lambda call: call.update(access_token="tok_same_every_time"))
    )
    write_cassette(folder / "b.yaml", _recorded_run(2, app=constant))
    result = CliRunner().invoke(main, ["replay", str(folder)])
    assert result.exit_code == EXIT_FAILED
    out = " ".join(result.stdout.split())
    assert "FAILED access_token_unique" in out
    assert f"cassette {folder / 'b.yaml'}" in out
    assert "a.yaml" not in out.split("FAILED access_token_unique")[1].split("FAILED")[0]
