"""``sample``: one deterministic example, from anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retell_contract.strategies import call_objects, invalid_call_objects, request_bodies, sample

ENDED = call_objects(states=["ended"], analysed=True)
SEEDS = range(8)


@pytest.fixture
def reference() -> dict[int, object]:
    """Drawn in each test, not at import: Hypothesis mixes literals from the program's
    loaded local modules into its draws, and collecting other test modules loads more."""
    return {seed: sample(ENDED, seed=seed) for seed in SEEDS}


def test_same_seed_same_example_and_seeds_differ(reference):
    assert [sample(ENDED, seed=s) for s in SEEDS] == [reference[s] for s in SEEDS]
    assert len({json.dumps(v, sort_keys=True) for v in reference.values()}) == len(SEEDS)
    assert sample(request_bodies(), seed=-5) == sample(request_bodies(), seed=-5)
    big = 2**80
    assert sample(invalid_call_objects(), seed=big) == sample(invalid_call_objects(), seed=big)


# No deadline: the body draws whole call objects, which is slow next to a typical test.
def test_works_inside_a_running_given_test(reference):
    @settings(max_examples=10, deadline=None, database=None)
    @given(seed=st.sampled_from(list(SEEDS)), data=st.data())
    def inner(seed, data):
        assert sample(ENDED, seed=seed) == reference[seed]
        # The running test's own drawing is undisturbed, including strategies that use its
        # build context (fixed_dictionaries records how it built its value there).
        drawn = data.draw(st.fixed_dictionaries({"a": st.integers()}, optional={"b": st.booleans()}))
        assert "a" in drawn

    inner()


def test_works_from_worker_threads(reference):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda s: sample(ENDED, seed=s), [*SEEDS, *SEEDS]))
    assert results == [reference[s] for s in [*SEEDS, *SEEDS]]


def test_works_from_threads_started_inside_a_given_test(reference):
    @settings(max_examples=5, deadline=None, database=None)
    @given(st.integers())
    def inner(number):
        with ThreadPoolExecutor(max_workers=2) as pool:
            assert list(pool.map(lambda s: sample(ENDED, seed=s), SEEDS)) == [reference[s] for s in SEEDS]

    inner()


def test_a_strategy_that_samples_while_it_is_drawn_does_not_wait_for_itself():
    # The inner sample() runs on the worker thread that is drawing the outer one: handing
    # it to that same one-thread worker would wait forever.
    ids = st.integers(0, 3).map(lambda n: sample(st.integers(0, 10**6), seed=n))
    drawn: list[object] = []
    # A daemon thread: were it stuck, the test fails and the process still exits.
    caller = threading.Thread(target=lambda: drawn.append(sample(st.tuples(ids, ids), seed=1)), daemon=True)
    caller.start()
    caller.join(timeout=60)
    assert drawn, "sample() inside a strategy's draw never returned"
    first = drawn[0]
    assert first == sample(st.tuples(ids, ids), seed=1)
    assert all(isinstance(n, int) for n in first)


def test_same_seed_same_example_in_every_run_of_a_program():
    """Two runs of one program (the mock, a seeded run) must mean the same examples."""
    program = (
        "import json\n"
        "from retell_contract.strategies import call_objects, sample\n"
        "s = call_objects(states=['ended'], analysed=True)\n"
        "print(json.dumps([sample(s, seed=n) for n in range(4)]))\n"
    )
    command = [sys.executable, "-c", program]
    runs = [json.loads(subprocess.run(command, capture_output=True, check=True).stdout) for _ in range(2)]
    assert runs[0] == runs[1]
    assert len({json.dumps(example, sort_keys=True) for example in runs[0]}) == 4


def test_draws_from_the_seed_not_only_the_simplest_or_novel_example():
    """Hypothesis tries the simplest example first, then ones that differ from it at their
    first choice: a seed must draw every value of the first choice, the simplest included."""
    assert {sample(st.booleans(), seed=s) for s in range(30)} == {False, True}
    assert {sample(st.integers(0, 2), seed=s) for s in range(40)} == {0, 1, 2}
    assert len({sample(st.integers(), seed=s) for s in range(10)}) > 5


def test_a_strategy_with_a_single_value():
    assert sample(st.just("only"), seed=4) == "only"


def test_retries_rejected_draws_deterministically():
    odd = st.integers(0, 1_000).filter(lambda n: n % 10 == 7)
    assert sample(odd, seed=3) % 10 == 7
    assert sample(odd, seed=3) == sample(odd, seed=3)


def test_gives_up_on_a_strategy_that_never_draws():
    with pytest.raises(ValueError, match="rejected every example"):
        sample(st.nothing(), seed=1)


@pytest.mark.parametrize(
    ("call", "error", "named"),
    [
        (lambda: sample(ENDED, seed="1"), TypeError, "'1'"),
        (lambda: sample(ENDED, seed=True), TypeError, "True"),
        (lambda: sample({"agent_id": "x"}, seed=1), TypeError, "{'agent_id': 'x'}"),
        (lambda: sample(st.integers(min_value=5, max_value=1), seed=1), Exception, "max_value"),
    ],
)
def test_bad_arguments(call, error, named):
    with pytest.raises(error) as raised:
        call()
    assert named in str(raised.value)
