"""Servers for the mutation benchmark: the correct mock with one realistic fault each, plus
correct variants that a contract test must not fail.

>>> from benchmarks.mutants import by_name
>>> mutant = by_name("metadata_dropped")
>>> mutant.faulty, mutant.family, mutant.agent_specs[0].startswith("oBeDLoLO")
(True, 'echo', True)

Every mutant builds a fresh app (``mutant.app()``): the mock from
:func:`retell_contract.server.create_app`, wrapped in a rewrite of the request or the
response (:mod:`benchmarks._asgi`), or in a handler that raises on some input. Field
names, enums and statuses come from the contract, never restated here.
"""

from __future__ import annotations

import functools

from benchmarks._catalogue import FAMILIES, build_catalogue
from benchmarks._mutant import AGENTS, API_KEY, CONTRACT, Mutant, mock

__all__ = ["AGENTS", "API_KEY", "CONTRACT", "FAMILIES", "Mutant", "by_name", "catalogue", "mock"]


@functools.cache
def catalogue() -> tuple[Mutant, ...]:
    """Every mutant: the faulty ones family by family, then the correct variants."""
    return build_catalogue()


def by_name(name: str) -> Mutant:
    """The mutant called ``name``; ValueError naming the known ones otherwise."""
    for mutant in catalogue():
        if mutant.name == name:
            return mutant
    raise ValueError(f"no mutant {name!r}; known: {', '.join(m.name for m in catalogue())}")
