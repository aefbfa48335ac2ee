"""The fixed part of a run: hand-picked edge cases and probes, in an order fixed by the seed.

They come first, interleaved across operations, so every family of fault is reached within
the first few dozen requests; the drawn bodies that follow are Hypothesis's (``_search``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import TypeVar

from retell_contract.contracts import GET_CALL, Agent, Contract
from retell_contract.runner._probes import Builder, PlannedCase, edge_cases, probe_cases
from retell_contract.runner._reads import get_call_probes

T = TypeVar("T")


def create_builders(
    *, contract: Contract, agents: Sequence[Agent], api_key: str, seed: int, operations: Sequence[str]
) -> list[Builder]:
    """One case builder for each create operation named in ``operations``."""
    creates = [op for op in contract.create_operations if op.name in operations]
    return [Builder(contract, tuple(agents), api_key, seed, op) for op in creates]


def plan_cases(
    *,
    contract: Contract,
    agents: Sequence[Agent],
    api_key: str,
    seed: int,
    operations: Sequence[str] | None = None,
) -> list[PlannedCase]:
    """The probes a run sends first, in order: edge payloads and probes for each create
    operation, then get-call's. The same arguments always give the same plan.
    ``operations`` names the operations to exercise (default: every one the contract
    declares); read-backs of created calls are planned by the run as it goes, and drawn
    bodies come from :func:`~retell_contract.runner._search.drawn_cases`."""
    names = tuple(operations) if operations is not None else contract.operation_names
    builders = create_builders(contract=contract, agents=agents, api_key=api_key, seed=seed, operations=names)
    return probes_for(
        builders, contract=contract, agents=agents, api_key=api_key, seed=seed, operations=names
    )


def probes_for(
    builders: list[Builder],
    *,
    contract: Contract,
    agents: Sequence[Agent],
    api_key: str,
    seed: int,
    operations: Sequence[str],
) -> list[PlannedCase]:
    """:func:`plan_cases` with the create operations' builders already made (the run's)."""
    fixed = [list(interleave(list(edge_cases(b)), list(probe_cases(b)))) for b in builders]
    if GET_CALL in operations and contract.has_operation(GET_CALL):
        reader = builders[0] if builders else Builder(contract, tuple(agents), api_key, seed)
        fixed.append(list(get_call_probes(reader, contract.operation(GET_CALL))))
    return list(interleave(*fixed))


def interleave(*sequences: Sequence[T]) -> Iterator[T]:
    """a1 b1 a2 b2 ... then the rest of the longer one."""
    for group in itertools.zip_longest(*sequences):
        yield from (item for item in group if item is not None)
