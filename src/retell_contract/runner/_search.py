"""The drawn part of a run: Hypothesis draws each request, the run sends it, Hypothesis shrinks.

Probes are fixed (``_plan``); after them, a run hands its drawn requests to Hypothesis
through its public API (``given``, ``settings``, ``seed``, ``Phase``), like a user's
``@given`` test: its health checks apply, and so does its example database when no seed is
given. Each example is one case, sent and checked as it is drawn.

The first failure whose signature is new ends a round's exploration; Hypothesis then
shrinks that example and the run starts a new round with the examples left, so each
distinct failure gets its own shrunk example and the run still explores ``examples`` cases
in all. Counts are of the exploration only (as in webhook conformance): a re-send while
shrinking can only offer a smaller example. Re-sends are capped (``shrink_requests``
per failure), because against a live API each one is a real call.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.errors import FailedHealthCheck, FlakyFailure, HypothesisWarning

from retell_contract.checks import CaseKind
from retell_contract.errors import UsageError
from retell_contract.runner._limits import VALID_PER_INVALID
from retell_contract.runner._probes import Builder, PlannedCase

# What a probe of one case returns: the signatures of the failures worth shrinking.
Probe = Callable[[PlannedCase], Iterable[str]]


class _Found(Exception):
    """A failure with a new signature: the one failure a round's test raises (one origin)."""


def drawn_cases(builders: list[Builder]) -> st.SearchStrategy[PlannedCase]:
    """Cases with drawn bodies, for the builders' create operations: three valid to one invalid.

    Shrinks towards a valid body for the first operation: a failure that any operation
    shows is reported against the simplest request that shows it.
    """
    from retell_contract.strategies import invalid_request_bodies, request_bodies

    first = builders[0]
    valid = request_bodies(contract=first.contract, agents=first.agents)
    invalid = invalid_request_bodies(contract=first.contract, agents=first.agents)
    # one_of() would merge three copies of ``valid`` into one branch: draw the mix instead.
    mix = st.sampled_from((True,) * VALID_PER_INVALID + (False,))

    @st.composite
    def cases(draw: st.DrawFn) -> PlannedCase:
        builder = draw(st.sampled_from(builders))
        if draw(mix):
            return builder.valid_case(draw(valid), "drawn")
        return _invalid_case(builder, draw(invalid))

    return cases()


def _invalid_case(builder: Builder, invalid: Any) -> PlannedCase:
    # Non-object bodies must get exactly 400; other violations any documented 4xx.
    kind = CaseKind.INVALID_BODY if isinstance(invalid.value, dict) else CaseKind.BAD_INPUT
    return builder.json_case(kind, invalid.violation, invalid.value)


@dataclass
class _Round:
    known: frozenset[str]
    explored: int = 0
    resent: int = 0
    target: str | None = None  # the new signature this round found, being shrunk


class Search:
    """Runs the drawn cases through Hypothesis, round after round (see the module docstring).

    ``seed`` derandomises the search and keeps the example database out, so a seed means
    the same requests; without one, Hypothesis draws at random and replays what
    ``database`` saved (namespaced by ``namespace``, so two contracts never share entries).
    """

    def __init__(
        self,
        cases: st.SearchStrategy[PlannedCase],
        *,
        examples: int,
        seed: int | None,
        shrink_requests: int,
        namespace: str,
        database: ExampleDatabase | None = None,
    ) -> None:
        self.cases = cases
        self.examples = examples
        self.seed = seed
        self.shrink_requests = shrink_requests
        self.namespace = namespace
        if database is None:
            database = settings().database  # the profile's, as in a user's @given test
        self.database = None if seed is not None else database
        self.own_time = 0.0  # seconds Hypothesis spent outside the probes: drawing, shrinking

    def run(self, explore: Probe, resend: Probe) -> int:
        """Explore up to ``examples`` cases; returns how many were explored. ``explore``
        sends and counts a case, ``resend`` sends one while shrinking (nothing counted)."""
        started = time.perf_counter()
        timed = _Timed()
        try:
            return self._rounds(timed.wrap(explore), timed.wrap(resend))
        finally:
            self.own_time = time.perf_counter() - started - timed.total

    def _rounds(self, explore: Probe, resend: Probe) -> int:
        known: set[str] = set()
        explored = 0
        for number in range(self.examples):  # each round explores at least one case
            if explored >= self.examples:
                break
            found = self._round(number, frozenset(known), self.examples - explored, explore, resend)
            explored += found.explored
            if found.target is None:
                break  # the round explored every example it had without a new failure
            known.add(found.target)
        return explored

    def _round(
        self, number: int, known: frozenset[str], examples: int, explore: Probe, resend: Probe
    ) -> _Round:
        state = _Round(known)

        @settings(
            max_examples=examples,
            # Each round its own entries: a later round replaying an earlier round's failure
            # would see it pass (its signature is known) and delete it.
            database=_namespaced(self.database, f"{self.namespace}:{number}"),
            deadline=None,  # requests take what the network takes
            verbosity=Verbosity.quiet,
            phases=(Phase.reuse, Phase.generate, Phase.shrink),
            report_multiple_bugs=False,  # one failure per round: the next round looks further
            print_blob=False,
        )
        @given(self.cases)
        def search(case: PlannedCase) -> None:
            _step(state, case, explore, resend, self.shrink_requests)

        test = search if self.seed is None else hypothesis_seed(f"{self.seed}:{number}")(search)
        # A shrunk failure is already in the report. FlakyFailure: a server with state may not
        # fail again when the example is replayed, which changes nothing about what was seen
        # (a flaky strategy definition, a bug of ours, is still raised).
        with contextlib.suppress(_Found, FlakyFailure), warnings.catch_warnings():
            # Hypothesis warns when the repr of a drawn case is long, which nobody reads here.
            warnings.filterwarnings("ignore", "Generating overly large repr", HypothesisWarning)
            try:
                test()
            except FailedHealthCheck as error:
                headline = str(error).strip().splitlines()[0]
                raise UsageError(
                    f"Hypothesis health check failed drawing request bodies: {headline}"
                ) from None
        return state


class _Timed:
    """Adds up the time spent inside the probes it wraps."""

    def __init__(self) -> None:
        self.total = 0.0

    def wrap(self, probe: Probe) -> Probe:
        def timed(case: PlannedCase) -> Iterable[str]:
            started = time.perf_counter()
            try:
                return list(probe(case))
            finally:
                self.total += time.perf_counter() - started

        return timed


def _step(state: _Round, case: PlannedCase, explore: Probe, resend: Probe, cap: int) -> None:
    if _fails(state, case, explore, resend, cap):
        # One raise for exploring and shrinking alike: Hypothesis tells failures apart by
        # where they are raised, and must see the shrunk ones as the same failure.
        raise _Found(state.target)


def _fails(state: _Round, case: PlannedCase, explore: Probe, resend: Probe, cap: int) -> bool:
    """Whether ``case`` shows the round's failure (while exploring: any new failure)."""
    if state.target is None:
        state.explored += 1
        new = [signature for signature in explore(case) if signature not in state.known]
        if new:
            state.target = new[0]  # generation stops here (one failure per round); shrinking starts
        return bool(new)
    if state.resent >= cap:
        return False  # out of re-sends for this failure: every further candidate "passes"
    state.resent += 1
    return state.target in resend(case)


def _namespaced(database: ExampleDatabase | None, namespace: str) -> ExampleDatabase | None:
    if database is None:
        return None
    return _Namespaced(database, hashlib.sha256(namespace.encode()).digest()[:8])


class _Namespaced(ExampleDatabase):
    """Another database's entries under keys prefixed with ``prefix``.

    Hypothesis keys entries by the test function's source, which is the same for every run;
    the prefix keeps one contract's saved failures from being replayed against another.
    """

    def __init__(self, inner: ExampleDatabase, prefix: bytes) -> None:
        super().__init__()
        self.inner, self.prefix = inner, prefix

    def save(self, key: bytes, value: bytes) -> None:
        self.inner.save(self.prefix + key, value)

    def fetch(self, key: bytes) -> Iterable[bytes]:
        return self.inner.fetch(self.prefix + key)

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(self.prefix + key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self.inner.move(self.prefix + src, self.prefix + dest, value)
