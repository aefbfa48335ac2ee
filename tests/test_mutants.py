"""A quick counterpart of benchmarks/mutation_benchmark.py: the run fails faulty servers and
passes correct variants of the mock (in-process, plus two over HTTP through the CLI)."""

from __future__ import annotations

import httpx
import pytest
from benchmarks._asgi import Served
from benchmarks.mutants import AGENTS, API_KEY, Mutant, by_name, catalogue
from click.testing import CliRunner

from retell_contract.cli import main
from retell_contract.runner import RunOptions, run
from retell_contract.server import mock_transport

# One or two per family, each caught by a different check.
FAULTY = [
    ("created_200", "status_code_documented"),
    ("unknown_version_201", "status_code_for_case"),
    ("call_no_content_type", "call_object_is_json"),
    ("missing_call_id", "call_object_schema"),
    ("call_status_not_connected", "call_status_is_registered"),
    ("call_id_reused_sometimes", "call_id_unique"),
    ("post_call_fields_on_new_call", "no_post_call_fields"),
    ("default_version_oldest", "default_version_is_latest"),
    ("metadata_empty_dropped", "request_fields_echoed"),
    ("dynamic_variables_stringified", "request_fields_echoed"),
    ("auth_key_case_insensitive", "status_code_for_case"),
    ("auth_401_plain_text", "error_object_conforms"),
    ("crash_non_string_dynamic_variable", "no_server_error"),
    ("error_body_python_repr", "content_type_matches_body"),
    # Each needs a particular probe to show.
    ("agent_version_string_coerced", "status_code_for_case"),
    ("agent_id_trimmed", "status_code_for_case"),
    ("unknown_request_fields_rejected", "status_code_for_case"),
    ("crash_negative_version", "no_server_error"),
    # Today's API: v3's connection details, get-call read-backs and probes, version names.
    ("v3_expires_at_seconds", "expires_at_in_milliseconds"),
    ("v3_expires_at_past", "expires_at_in_milliseconds"),
    ("v3_turn_without_credential", "ice_servers_usable"),
    ("v3_returns_call_object", "connection_details_schema"),
    ("v3_call_not_retrievable", "status_code_for_case"),
    ("v3_metadata_not_stored", "request_fields_echoed"),
    ("ids_shared_v2_v3", "call_id_unique"),
    ("get_call_other_call", "created_call_retrievable"),
    ("get_call_status_ongoing", "call_status_is_registered"),
    ("get_call_auth_ignored", "status_code_for_case"),
    ("get_call_unknown_id_200", "status_code_for_case"),
    ("latest_published_is_latest", "agent_version_resolved"),
    ("unknown_version_name_201", "status_code_for_case"),
    ("huge_version_500", "no_server_error"),
]
# Backing off without Retry-After is slow and covered by test_run's retry_delay tests.
CORRECT = [m.name for m in catalogue() if not m.faulty and m.name != "rate_limited_without_retry_after"]


def run_against(mutant: Mutant):
    return run(RunOptions(app=mutant.app(), api_key=API_KEY, agents=mutant.run_agents, seed=1))


@pytest.mark.parametrize(("name", "check"), FAULTY)
def test_faulty_mutant_is_failed_by_the_check_for_its_fault(name, check):
    result = run_against(by_name(name))
    assert not result.ok
    assert check in result.report.failed_checks


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_passes(name):
    result = run_against(by_name(name))
    assert result.ok, [f"{failure.check}: {failure.actual}" for failure in result.report.failures]


def test_catalogue_covers_every_family_with_unique_names():
    mutants = catalogue()
    assert len({mutant.name for mutant in mutants}) == len(mutants)
    families = {mutant.family for mutant in mutants if mutant.faulty}
    expected = {"status", "headers", "call object", "echo", "auth", "input", "crash", "error body", "subtle"}
    expected |= {"v3", "get-call", "versions"}
    assert families == expected
    assert {name for name, _ in FAULTY} <= {mutant.name for mutant in mutants if mutant.faulty}
    with pytest.raises(ValueError, match="no mutant 'nope'"):
        by_name("nope")


def test_a_mutant_changes_only_what_its_fault_says():
    body = {"agent_id": AGENTS[0].agent_id, "metadata": {"k": [1, None], "gone": None}}
    headers = {"Authorization": f"Bearer {API_KEY}"}
    calls = {}
    for name in ("plain_mock", "metadata_nulls_dropped"):
        with httpx.Client(transport=mock_transport(by_name(name).app()), base_url="http://m") as client:
            response = client.post("/v2/create-web-call", json=body, headers=headers)
        assert response.status_code == 201
        calls[name] = response.json()
    assert calls["plain_mock"]["metadata"] == {"k": [1, None], "gone": None}
    assert calls["metadata_nulls_dropped"]["metadata"] == {"k": [1, None]}
    for call in calls.values():
        del call["metadata"], call["call_id"], call["access_token"]
    assert calls["plain_mock"] == calls["metadata_nulls_dropped"]


@pytest.mark.parametrize(("name", "exit_code"), [("metadata_flattened", 1), ("json_reformatted", 0)])
def test_cli_over_http_exits_1_on_a_faulty_server_and_0_on_a_correct_one(name, exit_code):
    mutant = by_name(name)
    with Served(mutant.app()) as server:
        args = ["run", "--url", server.url, "--api-key", API_KEY, "--seed", "3"]
        for spec in mutant.agent_specs:
            args += ["--agent-id", spec]
        outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == exit_code, outcome.output
    assert API_KEY not in outcome.output


def test_a_v3_fault_leaves_v2_alone_and_a_get_call_fault_leaves_creates_alone():
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = {"agent_id": AGENTS[1].agent_id, "agent_version": "latest_published"}
    answers = {}
    names = ("plain_mock", "v3_expires_at_seconds", "get_call_status_ongoing", "latest_published_is_latest")
    for name in names:
        with httpx.Client(transport=mock_transport(by_name(name).app()), base_url="http://m") as client:
            v2 = client.post("/v2/create-web-call", json=body, headers=headers).json()
            v3 = client.post("/v3/create-web-call", json=body, headers=headers).json()
            read = client.get(f"/v2/get-call/{v2['call_id']}", headers=headers).json()
        answers[name] = (v2, v3, read)
    plain_v2, plain_v3, plain_read = answers["plain_mock"]
    assert plain_v2["agent_version"] == AGENTS[1].published == 2
    assert plain_read["call_status"] == "registered"
    v2, v3, read = answers["v3_expires_at_seconds"]
    assert v3["expires_at"] < 10**12 <= plain_v3["expires_at"]
    assert v2["call_status"] == read["call_status"] == "registered"
    v2, _, read = answers["get_call_status_ongoing"]
    assert v2["call_status"] == "registered"
    assert read["call_status"] == "ongoing"
    assert answers["latest_published_is_latest"][0]["agent_version"] == AGENTS[1].versions[-1] == 5


def test_the_agents_are_told_to_the_run_with_their_version_names():
    assert by_name("plain_mock").agent_specs[1] == f"{AGENTS[1].agent_id}:1,2,5:published=2,prod=5"
