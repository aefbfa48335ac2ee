"""The drawn part of a run: Hypothesis draws, the run sends, Hypothesis shrinks.

``Search`` is tested with probes that stand in for sending (they are the unit's inputs,
not the unit); the run as a whole is tested against faulty mocks.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from retell_contract.checks import CaseKind
from retell_contract.errors import UsageError
from retell_contract.exchange import Exchange
from retell_contract.runner import RunOptions, run
from retell_contract.runner._cases import SearchStopped
from retell_contract.runner._probes import PlannedCase
from retell_contract.runner._search import Search
from run_support import crash_when, drop_metadata, has_non_ascii_metadata, mock_app, rewrite_call_object


def case(number: int) -> PlannedCase:
    return PlannedCase(CaseKind.POSITIVE, "drawn", "POST", "/x", {}, json.dumps({"n": number}).encode())


def numbers(case: PlannedCase) -> int:
    return int(json.loads(case.body)["n"])


CASES = st.integers(0, 10_000).map(case)


class Probes:
    """Fails any case with n >= 50 (signature "big") and n odd (signature "odd")."""

    def __init__(self) -> None:
        self.explored: list[int] = []
        self.resent: list[int] = []

    def _signatures(self, number: int) -> list[str]:
        return [name for name, hit in (("big", number >= 50), ("odd", number % 2 == 1)) if hit]

    def explore(self, planned: PlannedCase) -> list[str]:
        self.explored.append(numbers(planned))
        return self._signatures(numbers(planned))

    def resend(self, planned: PlannedCase) -> list[str]:
        self.resent.append(numbers(planned))
        return self._signatures(numbers(planned))


def search(**options: object) -> Search:
    settings = {"examples": 100, "seed": 3, "shrink_requests": 1000, "namespace": "test", **options}
    return Search(CASES, **settings)  # type: ignore[arg-type]


def test_each_new_failure_is_shrunk_by_hypothesis_and_exploration_goes_on() -> None:
    probes = Probes()
    explored = search().run(probes.explore, probes.resend)
    assert explored == len(probes.explored) == 100  # every example explored, failures or not
    assert probes.resent, "the failures were shrunk by re-sending"
    # Hypothesis's shrinker reaches the smallest failing value of each signature.
    assert 50 in probes.resent
    assert 1 in probes.resent


def test_same_seed_same_cases_other_seed_other_cases() -> None:
    runs = []
    for seed in (3, 3, 4):
        probes = Probes()
        search(seed=seed).run(probes.explore, probes.resend)
        runs.append((probes.explored, probes.resent))
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_re_sends_stop_at_the_cap() -> None:
    probes = Probes()
    search(shrink_requests=3).run(probes.explore, probes.resend)
    assert 0 < len(probes.resent) <= 3 * 2  # at most three for each of the two failures


def test_a_stop_ends_the_search_at_once_and_is_not_shrunk() -> None:
    seen: list[int] = []

    def explore(planned: PlannedCase) -> list[str]:
        seen.append(numbers(planned))
        if len(seen) == 5:
            raise SearchStopped()
        return []

    def resend(planned: PlannedCase) -> list[str]:
        raise AssertionError("nothing to shrink")

    with pytest.raises(SearchStopped):
        search().run(explore, resend)
    assert len(seen) == 5


def test_without_a_seed_the_database_replays_a_saved_failure_first() -> None:
    database = InMemoryExampleDatabase()
    first = Probes()
    Search(CASES, examples=100, seed=None, shrink_requests=1000, namespace="n", database=database).run(
        first.explore, first.resend
    )
    assert first.resent, "a failure was found and shrunk"
    again = Probes()
    Search(CASES, examples=100, seed=None, shrink_requests=1000, namespace="n", database=database).run(
        again.explore, again.resend
    )
    # Phase.reuse: the shrunk failure is the first example of the next run.
    assert again.explored[0] in {50, 1}
    other = Probes()
    Search(CASES, examples=100, seed=None, shrink_requests=1000, namespace="m", database=database).run(
        other.explore, other.resend
    )
    assert other.explored[0] not in {50, 1}, "another namespace does not share saved failures"


def test_with_a_seed_the_database_stays_out() -> None:
    database = InMemoryExampleDatabase()
    probes = Probes()
    Search(CASES, examples=50, seed=1, shrink_requests=1000, namespace="n", database=database).run(
        probes.explore, probes.resend
    )
    assert probes.resent
    assert not database.data, "a seeded search saved nothing"


def test_a_failed_health_check_is_a_one_line_usage_error() -> None:
    hopeless = CASES.filter(lambda _: False)
    with pytest.raises(UsageError, match="health check") as raised:
        Search(hopeless, examples=10, seed=1, shrink_requests=10, namespace="n").run(
            lambda _: [], lambda _: []
        )
    assert "\n" not in str(raised.value)


def test_shrinking_re_sends_change_no_count() -> None:
    sent: list[Exchange] = []
    app = rewrite_call_object(mock_app(), drop_metadata)
    result = run(RunOptions(max_examples=24, seed=7, app=app, on_exchange=sent.append))
    assert result.requests > len(sent), "some requests were re-sends while shrinking"
    assert result.report.exchanges == len(sent)
    failure = next(f for f in result.report.failures if f.check == "request_fields_echoed")
    assert json.loads(failure.request.body).keys() == {"agent_id", "metadata"}


def test_the_request_budget_holds_while_shrinking() -> None:
    app = crash_when(mock_app(), has_non_ascii_metadata)
    result = run(RunOptions(max_examples=40, seed=8, app=app, max_requests=180))
    assert result.requests <= 180
    assert "no_server_error" in result.report.failed_checks
