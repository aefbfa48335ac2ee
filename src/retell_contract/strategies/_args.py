"""Call-time argument checks for the public strategies.

Like Hypothesis's own strategies, a bad argument fails when the strategy is built, with
a one-line message that names the argument and the bad value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from retell_contract._json_semantics import is_int
from retell_contract.contracts import Agent, Contract, load_contract


def check_contract(contract: object) -> Contract:
    """``contract`` itself, or the built-in contract when it is None."""
    if contract is None:
        return load_contract()
    if not isinstance(contract, Contract):
        raise TypeError(f"contract must be a Contract (see load_contract()), not {contract!r}")
    return contract


def check_agents(agents: object, contract: Contract) -> tuple[Agent, ...]:
    """A non-empty tuple of valid agents; the contract's default agent when None."""
    if agents is None:
        return (contract.default_agent,)
    if isinstance(agents, Agent | str | bytes) or not isinstance(agents, Sequence):
        raise TypeError(f"agents must be a sequence of Agent, not {agents!r}")
    if not agents:
        raise ValueError("agents must name at least one agent, not an empty sequence")
    for agent in agents:
        _check_agent(agent)
    return tuple(agents)


def _check_agent(agent: object) -> None:
    if not isinstance(agent, Agent):
        raise TypeError(f"agents must contain Agent records, not {agent!r}")
    if not isinstance(agent.agent_id, str) or not agent.agent_id:
        raise ValueError(f"agent_id must be a non-empty string, not {agent.agent_id!r} (in {agent!r})")
    versions = agent.versions
    if not isinstance(versions, tuple) or not all(is_int(v) and v >= 0 for v in versions):
        raise ValueError(f"versions must be a tuple of non-negative ints, not {versions!r} (in {agent!r})")


def check_names(argument: str, names: object, allowed: Iterable[str]) -> tuple[str, ...]:
    """``names`` as a tuple in ``allowed`` order (every allowed name when None).

    Each must be allowed, and at least one must be given.
    """
    allowed = tuple(allowed)
    if names is None:
        return allowed
    if isinstance(names, str | bytes) or not isinstance(names, Collection):
        raise TypeError(f"{argument} must be a collection of names, not {names!r}")
    if not names:
        raise ValueError(f"{argument} must name at least one value, not an empty collection")
    for name in names:
        if name not in allowed:
            raise ValueError(f"{argument} has unknown name {name!r}; choose from {', '.join(allowed)}")
    return tuple(name for name in allowed if name in names)


def check_optional_bool(argument: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise TypeError(f"{argument} must be True, False or None, not {value!r}")
    return value


def check_seed(seed: Any) -> int:
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, not {seed!r}")
    return seed
