"""``--format json`` for run and replay: one document on stdout, secrets masked."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from retell_contract.cli import main
from retell_contract.server import AppServer
from run_support import SECRET_KEY, drop_metadata, mock_app, rewrite_call_object

DOCS_CASSETTES = Path(__file__).resolve().parent.parent / "cassettes" / "docs"


def test_run_json_is_one_document_with_the_verdict_and_the_key_masked():
    with AppServer(rewrite_call_object(mock_app(SECRET_KEY), drop_metadata)) as server:
        arguments = [
            "run",
            "--url",
            server.url,
            "--api-key",
            SECRET_KEY,
            "--seed",
            "3",
            "--max-examples",
            "10",
        ]
        result = CliRunner().invoke(main, [*arguments, "--format", "json"])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["command"] == "run"
    assert document["ok"] is False
    assert document["seed"] == 3
    assert document["cases"] == document["cases_planned"] > 0
    assert "request_fields_echoed" in document["failed_checks"]
    failure = next(f for f in document["failures"] if f["check"] == "request_fields_echoed")
    assert failure["occurrences"] >= 1
    assert failure["reproduce"].startswith("curl -X POST")
    assert document["rerun"].startswith("retell-contract run --seed 3 --url")
    assert {c["name"] for c in document["checks"]} >= {"no_server_error", "request_fields_echoed"}
    assert SECRET_KEY not in result.stdout + result.stderr


def test_replay_json_matches_the_text_verdict():
    result = CliRunner().invoke(main, ["replay", str(DOCS_CASSETTES), "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["command"] == "replay"
    assert document["failed_checks"] == ["call_object_consistent", "no_post_call_fields"]
    assert document["exchanges"] == 1
