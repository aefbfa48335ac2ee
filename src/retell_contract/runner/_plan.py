"""The ordered list of requests a run sends, fixed by the seed.

Hand-picked edge cases and probes come first (interleaved, so every family of fault is
reached within the first few dozen requests), then bodies drawn from our strategies:
three valid ones for each invalid one, so most requests can succeed and exercise the
call object.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from hypothesis.errors import HypothesisWarning

from retell_contract.checks import CaseKind
from retell_contract.contracts import GET_CALL, Agent, Contract
from retell_contract.runner._probes import Builder, PlannedCase, edge_cases, probe_cases
from retell_contract.runner._reads import get_call_probes

T = TypeVar("T")
VALID_PER_INVALID = 3


def plan_cases(
    *,
    contract: Contract,
    agents: Sequence[Agent],
    api_key: str,
    max_examples: int,
    seed: int,
    operations: Sequence[str] | None = None,
) -> list[PlannedCase]:
    """Every request of a run, in order: probes first (for each create operation, then
    get-call's), then ``max_examples`` drawn valid bodies and a third as many invalid ones,
    shared out over the create operations in turn. The same arguments always give the
    same plan. ``operations`` names the operations to exercise (default: every one the
    contract declares); read-backs of created calls are planned by the run as it goes."""
    names = tuple(operations) if operations is not None else contract.operation_names
    creates = [op for op in contract.create_operations if op.name in names]
    builders = [Builder(contract, tuple(agents), api_key, seed, op) for op in creates]
    fixed = [list(interleave(list(edge_cases(b)), list(probe_cases(b)))) for b in builders]
    if GET_CALL in names and contract.has_operation(GET_CALL):
        reader = builders[0] if builders else Builder(contract, tuple(agents), api_key, seed)
        fixed.append(list(get_call_probes(reader, contract.operation(GET_CALL))))
    if not builders:
        return list(interleave(*fixed))
    drawer = builders[0]
    valid = [
        _assign(builders, i).valid_case(body, "drawn")
        for i, body in enumerate(_drawn_valid(drawer, max_examples))
    ]
    invalid = [
        _assign(builders, i).json_case(kind, violation, value)
        for i, (kind, violation, value) in enumerate(
            _drawn_invalid(drawer, max(1, max_examples // VALID_PER_INVALID))
        )
    ]
    return list(interleave(*fixed)) + list(_mix(valid, invalid))


def _assign(builders: list[Builder], index: int) -> Builder:
    """Drawn bodies go to the create operations in turn, so each gets a share."""
    return builders[index % len(builders)]


def interleave(*sequences: Sequence[T]) -> Iterator[T]:
    """a1 b1 a2 b2 ... then the rest of the longer one."""
    for group in itertools.zip_longest(*sequences):
        yield from (item for item in group if item is not None)


def _mix(valid: list[PlannedCase], invalid: list[PlannedCase]) -> Iterator[PlannedCase]:
    invalid_iter = iter(invalid)
    for position, case in enumerate(valid, start=1):
        yield case
        if position % VALID_PER_INVALID == 0:
            yield from itertools.islice(invalid_iter, 1)
    yield from invalid_iter


def _drawn_valid(builder: Builder, count: int) -> Iterable[dict[str, Any]]:
    from retell_contract.strategies import request_bodies

    strategy = request_bodies(contract=builder.contract, agents=builder.agents)
    yield from _draw(builder, strategy, count)


def _drawn_invalid(builder: Builder, count: int) -> Iterable[tuple[CaseKind, str, Any]]:
    from retell_contract.strategies import invalid_request_bodies

    strategy = invalid_request_bodies(contract=builder.contract, agents=builder.agents)
    for invalid in _draw(builder, strategy, count):
        # The issue pins non-object bodies to 400 exactly; other violations get any documented 4xx.
        kind = CaseKind.INVALID_BODY if isinstance(invalid.value, dict) else CaseKind.BAD_INPUT
        yield kind, invalid.violation, invalid.value


def _draw(builder: Builder, strategy: Any, count: int) -> Iterator[Any]:
    from retell_contract.strategies import sample

    seeds = [builder.rng.getrandbits(32) for _ in range(count)]
    with warnings.catch_warnings():
        # Hypothesis warns about the size of a strategy's repr, which nobody reads here.
        warnings.filterwarnings("ignore", message="Generating overly large repr", category=HypothesisWarning)
        drawn = [sample(strategy, seed=seed) for seed in seeds]
    yield from drawn
