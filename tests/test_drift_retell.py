"""The real case: our contract against Retell's own spec of 2026-04, and the command around it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from retell_contract.cli import main
from retell_contract.drift import ChangeKind, Severity, diff, rules_table

K = ChangeKind
ROOT = Path(__file__).resolve().parents[1]
OURS = Path("src/retell_contract/contracts/seed.openapi.yaml")
RETELL = Path("tests/data/retell-openapi-create-web-call-2026-04.yaml")
EXAMPLE_DOC = ROOT / "docs" / "drift-example.md"

# The drift that really happened between the docs page (our contract) and Retell's 2026-04 spec.
EXPECTED = {
    ("request body > agent_override", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("request body > current_node_id", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("request body > current_state", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("response 201 > agent_name", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("response 201 > transfer_destination", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("response 201 > transfer_end_timestamp", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("response 201 > latency > asr", K.FIELD_ADDED, Severity.NON_BREAKING),
    ("response 201 > disconnection_reason", K.ENUM_VALUE_ADDED, Severity.BREAKING),
    ("response 201 > transcript_with_tool_calls > []", K.VARIANT_ADDED, Severity.BREAKING),
    ("response 201 > scrubbed_transcript_with_tool_calls > []", K.VARIANT_ADDED, Severity.BREAKING),
    ("response 201 > call_cost > product_costs > [] > unit_price", K.REQUIRED_REMOVED, Severity.BREAKING),
    ("response 201 > call_cost > product_costs > [] > is_transfer_leg_cost", K.FIELD_ADDED,
     Severity.NON_BREAKING),
    *(
        (f"response 201 > {field} > [] > (role=tool_call_invocation) > thought_signature", K.FIELD_ADDED,
         Severity.NON_BREAKING)
        for field in ("transcript_with_tool_calls", "scrubbed_transcript_with_tool_calls")
    ),
    *(
        (f"response 201 > {field} > [] > (role=tool_call_result) > successful", K.FIELD_ADDED,
         Severity.NON_BREAKING)
        for field in ("transcript_with_tool_calls", "scrubbed_transcript_with_tool_calls")
    ),
    # Retell's error objects declare status and message but require neither; ours require both.
    *(
        (f"response {code} > {field}", K.REQUIRED_REMOVED, Severity.BREAKING)
        for code in (400, 401, 402, 422, 429, 500)
        for field in ("status", "message")
    ),
}  # fmt: skip


@pytest.fixture(autouse=True)
def _at_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # the example report names its inputs by repository-relative paths


@pytest.fixture(scope="module")
def report():
    return diff(ROOT / OURS, ROOT / RETELL)


def test_reports_exactly_the_drift_that_happened(report):
    assert {(c.where, c.kind, c.severity) for c in report.changes} == EXPECTED


def test_details_name_the_new_values_and_variants(report):
    details = {(c.where, c.kind): c.detail for c in report.changes}
    assert details[("response 201 > disconnection_reason", K.ENUM_VALUE_ADDED)] == (
        "ivr_reached, transfer_bridged, transfer_cancelled"
    )
    assert (
        details[("response 201 > transcript_with_tool_calls > []", K.VARIANT_ADDED)] == "role=node_transition"
    )
    assert details[("request body > current_node_id", K.FIELD_ADDED)] == "string | null"


def test_the_newer_spec_against_itself_and_ours_against_itself_are_clean():
    assert diff(ROOT / RETELL, ROOT / RETELL).changes == ()
    assert diff(ROOT / OURS, ROOT / OURS).changes == ()


def test_going_back_mirrors_the_severities(report):
    backwards = diff(ROOT / RETELL, ROOT / OURS)
    by_place = {(c.where, c.kind): c.severity for c in backwards.changes}
    assert by_place[("request body > agent_override", K.FIELD_REMOVED)] is Severity.NON_BREAKING
    assert by_place[("response 201 > agent_name", K.FIELD_REMOVED)] is Severity.BREAKING
    assert by_place[("response 201 > disconnection_reason", K.ENUM_VALUE_REMOVED)] is Severity.NON_BREAKING
    assert by_place[("response 201 > call_cost > product_costs > [] > unit_price", K.REQUIRED_ADDED)] is (
        Severity.NON_BREAKING
    )
    assert len(backwards.changes) == len(report.changes)


def test_the_committed_example_is_what_the_command_prints_today():
    result = CliRunner().invoke(main, ["diff", str(OURS), str(RETELL), "--format", "markdown"])
    assert result.exit_code == 1, result.output
    assert result.output in EXAMPLE_DOC.read_text(encoding="utf-8"), (
        "docs/drift-example.md is stale: regenerate it with the command it quotes"
    )


def test_the_readme_table_is_the_rules_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert rules_table() in readme


def test_exit_codes_follow_fail_on(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["diff", str(OURS), str(OURS)]).exit_code == 0
    assert runner.invoke(main, ["diff", str(OURS), str(RETELL)]).exit_code == 1
    # Only non-breaking drift: passes by default, fails with --fail-on any.
    document = (ROOT / OURS).read_text(encoding="utf-8")
    widened = tmp_path / "widened.yaml"
    widened.write_text(document.replace("        - registered_call_timeout\n", "", 1), encoding="utf-8")
    assert runner.invoke(main, ["diff", str(OURS), str(widened)]).exit_code == 0
    assert runner.invoke(main, ["diff", str(OURS), str(widened), "--fail-on", "any"]).exit_code == 1
    assert runner.invoke(main, ["diff", str(widened), str(OURS), "--fail-on", "breaking"]).exit_code == 1


def test_json_format_lists_every_change_with_its_verdict():
    result = CliRunner().invoke(main, ["diff", str(OURS), str(RETELL), "--format", "json"])
    data = json.loads(result.output)
    assert data["summary"] == {"total": len(EXPECTED), "breaking": 16, "non-breaking": 12}
    assert {tuple(c["path"][:1]) for c in data["changes"]} >= {("request body",), ("response 201",)}
    assert all(
        c["reason"] and c["kind"] and c["severity"] in ("breaking", "non-breaking") for c in data["changes"]
    )


def test_text_format_groups_identical_changes_across_statuses():
    result = CliRunner().invoke(main, ["diff", str(OURS), str(RETELL)])
    assert "responses 400, 401, 402, 422, 429, 500 > message: required removed" in result.output
    assert result.output.rstrip().endswith("28 changes: 16 breaking, 12 non-breaking")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.yaml", "no such file or directory"),
        (lambda tmp: _write(tmp / "notes.yaml", "just: a mapping\n"), "not an OpenAPI 3.0/3.1 document"),
        (lambda tmp: _write(tmp / "broken.yaml", "openapi: 3.1.0\npaths: [\n"), "not valid YAML"),
        (lambda tmp: _write(tmp / "invalid.yaml", "openapi: 3.0.3\npaths: {}\n"), "invalid OpenAPI"),
        (
            lambda tmp: _write(tmp / "cassette.yaml", "interactions:\n- request: 3\nversion: 1\n"),
            "interaction 0",
        ),
        (lambda tmp: _write(tmp / "binary.json", b"\xff\xfe"), "not UTF-8"),
        (lambda tmp: _write(tmp / "empty.yaml", "interactions: []\nversion: 1\n"), "no recorded exchanges"),
    ],
    ids=[
        "missing",
        "not-openapi",
        "bad-yaml",
        "invalid-openapi",
        "corrupt-cassette",
        "binary",
        "no-exchanges",
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    bad = make(tmp_path)
    for args in (["diff", str(bad), str(OURS)], ["diff", str(OURS), str(bad)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output


def test_unknown_format_is_a_usage_error():
    result = CliRunner().invoke(main, ["diff", str(OURS), str(OURS), "--format", "xml"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_example_doc_paths_are_relative():
    # The report names inputs the way they were given, so the committed example carries no local paths.
    assert os.sep + "work" + os.sep not in EXAMPLE_DOC.read_text(encoding="utf-8")
