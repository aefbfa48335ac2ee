"""The mutation benchmark's baseline: the specs schemathesis is given, and how its NDJSON
report of two runs back to back is read into one outcome."""

from __future__ import annotations

import base64
import json

import yaml
from benchmarks._mutation_report import Outcome
from benchmarks._vanilla import combine, pinned_specs, read_events

IDS = ["agent_a", "agent_b"]


def test_retell_spec_keeps_v2_and_our_contract_adds_v3_and_get_call_with_agent_id_pinned(tmp_path):
    retell, ours = (yaml.safe_load(path.read_text()) for path in pinned_specs(IDS, tmp_path))
    assert list(retell["paths"]) == ["/v2/create-web-call"]
    assert retell["openapi"].startswith("3.0")
    assert sorted(ours["paths"]) == ["/v2/get-call/{call_id}", "/v3/create-web-call"]
    body = retell["paths"]["/v2/create-web-call"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["properties"]["agent_id"] == {"type": "string", "enum": IDS}
    # Ours refers to a shared request schema: the pin lands there, the rest is untouched.
    request = ours["components"]["schemas"]["CreateWebCallRequest"]["properties"]
    assert request["agent_id"]["enum"] == IDS
    assert "enum" not in ours["components"]["schemas"]["WebCallResponse"]["properties"]["agent_id"]


def _event(kind: str, **body: object) -> str:
    return json.dumps({kind: body})


def _interaction(moment: float, body: bytes) -> dict[str, object]:
    return {"timestamp": moment, "request": {"body": {"$base64": base64.b64encode(body).decode()}}}


def test_events_give_each_failed_checks_first_request_time_and_shrunk_body(tmp_path):
    scenario = {
        "interactions": {"a": _interaction(10.5, b"{}"), "b": _interaction(10.2, b'{"x":1}')},
        "checks": {"a": [{"name": "not_a_server_error", "status": "failure"}], "b": []},
    }
    second = {
        "interactions": {"c": _interaction(11.0, b"[]")},
        "checks": {"c": [{"name": "not_a_server_error", "status": "failure"}]},
    }
    lines = [
        _event("Initialize", seed=7),
        _event("EngineStarted", timestamp=10.0),
        _event("ScenarioFinished", recorder=scenario),
        _event("ScenarioFinished", recorder=second),
        _event("EngineFinished", running_time=1.5),
    ]
    events = tmp_path / "events.ndjson"
    events.write_text("\n".join(lines))
    outcome = read_events(events)
    assert outcome.cases == 3
    assert outcome.seed == "7"
    assert outcome.seconds == 1.5
    assert outcome.first_request_by_check == {"not_a_server_error": 2}  # b went first
    assert abs(outcome.first_by_check["not_a_server_error"] - 0.5) < 1e-9
    assert outcome.body_by_check == {"not_a_server_error": 2}  # the last example: "[]"


def test_runs_back_to_back_count_as_one_with_later_ones_offset():
    first = Outcome(True, cases=150, wall=4.0, first_by_check={"a": 1.0}, first_request_by_check={"a": 9})
    second = Outcome(
        True,
        cases=300,
        wall=6.0,
        first_by_check={"a": 0.1, "b": 2.0},
        first_request_by_check={"a": 1, "b": 80},
        body_by_check={"b": 12},
    )
    total = combine([first, Outcome(False, cases=0, wall=0.0), second])
    assert total.failed is True
    assert total.cases == 450
    assert total.wall == 10.0
    assert total.first_by_check == {"a": 1.0, "b": 6.0}
    assert total.first_request_by_check == {"a": 9, "b": 230}
    assert total.found_within({"a"}, 200) is False
    assert total.found_within(set(), 200) is True
    assert combine([first, Outcome(None, error="timed out")]).failed is None


def test_throughput_pairs_report_the_median_ratio_and_its_range(capsys):
    from benchmarks._mutation_report import Pair, Row, print_totals
    from benchmarks.mutants import by_name

    def pair(ours_cases: int, vanilla_cases: int) -> Pair:
        return Pair(Outcome(False, cases=ours_cases, wall=1.0), Outcome(True, cases=vanilla_cases, wall=2.0))

    plain = pair(300, 200)  # 300 vs 100 cases/s: 3x
    rows = [Row(by_name("plain_mock"), plain.ours, plain.vanilla)]
    print_totals(rows, [], [pair(400, 200), pair(200, 200)])  # 4x and 2x
    printed = capsys.readouterr().out
    assert "3.00x" in printed  # the plain row's own pair, as before
    line = next(text for text in printed.splitlines() if text.startswith("throughput over"))
    assert line.startswith("throughput over 3 paired runs")
    assert "retell-contract median 300 cases/s" in line
    assert "schemathesis median 100 cases/s" in line
    assert "ratio median 3.00x (lowest 2.00x, highest 4.00x)" in line


def test_a_pair_without_time_has_no_ratio_instead_of_dividing_by_zero():
    from benchmarks._mutation_report import Pair

    assert Pair(Outcome(None), Outcome(None)).ratio == 0.0
