"""Invalid request bodies and call objects, each with exactly one named violation."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from typing import Any

from hypothesis import strategies as st

from retell_contract.consistency import STATUS_STAGES, contract_facts
from retell_contract.contracts import Agent, Contract
from retell_contract.strategies._args import check_agents, check_contract, check_names
from retell_contract.strategies._breakers import BREAKS
from retell_contract.strategies._calls import ERROR_STATUS, call_states, calls
from retell_contract.strategies._invalid import Invalid
from retell_contract.strategies._mutations import Site, draw_broken, violation_sites
from retell_contract.strategies._requests import bodies, optional_request_fields


def request_violations(*, contract: Contract | None = None) -> tuple[str, ...]:
    """Names of the violations :func:`invalid_request_bodies` can draw, in shrink order."""
    return tuple(site.name for site in _request_sites(check_contract(contract)))


def call_violations(*, contract: Contract | None = None) -> tuple[str, ...]:
    """Names of the violations :func:`invalid_call_objects` can draw: schema, then consistency."""
    contract = check_contract(contract)
    return _call_violation_names(contract, _call_sites(contract))


def _request_sites(contract: Contract) -> tuple[Site, ...]:
    return violation_sites(contract.request_schema, root="body")


def _call_sites(contract: Contract) -> tuple[Site, ...]:
    return violation_sites(contract.call_object_schema, root="call")


def _call_violation_names(contract: Contract, sites: tuple[Site, ...]) -> tuple[str, ...]:
    facts = contract_facts(contract)
    breaks = (name for name, b in BREAKS.items() if b.applies(contract, facts))
    return (*(site.name for site in sites), *breaks)


def invalid_request_bodies(
    *,
    contract: Contract | None = None,
    agents: Sequence[Agent] | None = None,
    violations: Collection[str] | None = None,
) -> st.SearchStrategy[Invalid[Any]]:
    """Request bodies with exactly one schema violation each, as :class:`Invalid` records.

    The violations come from the contract's request schema (see
    :func:`request_violations`): ``agent_id_missing``, ``agent_id_empty``,
    ``<field>_not_<type>`` (a value of another JSON type), ``<field>_boolean`` (a boolean
    where an integer is required), ``<field>_null`` (null where an object is required),
    ``body_not_object``, ``body_null``. ``violations`` restricts them; everything else
    in the body is valid for one of ``agents``.

    Shrinks towards the first selected violation applied to the simplest valid body.
    """
    contract = check_contract(contract)
    agents = check_agents(agents, contract)
    sites = _request_sites(contract)
    chosen = check_names("violations", violations, [s.name for s in sites])
    selected = {site.name: site for site in sites if site.name in chosen}
    fields = optional_request_fields(contract)
    # The field a site breaks is always there, whole; every other optional field may be
    # left out, so a failing body shrinks down to the broken field alone.
    bases = {
        name: bodies(contract, agents, fields, full=(site.path[0],) if site.path else ())
        for name, site in selected.items()
    }

    @st.composite
    def invalid_request_body(draw: st.DrawFn) -> Invalid[Any]:
        name = draw(st.sampled_from(chosen))
        return draw_broken(draw, draw(bases[name]), selected[name])

    return invalid_request_body()


def invalid_call_objects(
    *,
    contract: Contract | None = None,
    violations: Collection[str] | None = None,
    agents: Sequence[Agent] | None = None,
) -> st.SearchStrategy[Invalid[Any]]:
    """Call objects with exactly one violation each, as :class:`Invalid` records.

    Schema violations are derived from the contract's call-object schema at every depth
    (missing required member, wrong JSON type, null where an object is required, boolean
    where an integer is required, value outside an enum, transcript item of no known
    variant); consistency violations break one rule of ``strict`` validation each
    (``duration_mismatches_timestamps``, ``latency_value_out_of_range``, ...). See
    :func:`call_violations` for the names; ``violations`` restricts them. The call is
    otherwise a complete, strictly valid ended call of one of ``agents``.

    Shrinks towards the first selected violation, then towards the smallest complete call.
    """
    contract = check_contract(contract)
    agents = check_agents(agents, contract)
    all_sites = _call_sites(contract)
    chosen = check_names("violations", violations, _call_violation_names(contract, all_sites))
    sites = {site.name: site for site in all_sites if site.name in chosen}
    facts = contract_facts(contract)
    ended = tuple(
        s for s in call_states(contract=contract) if STATUS_STAGES[s] == "ended" and s != ERROR_STATUS
    )
    base = calls(contract, ended or call_states(contract=contract), True, agents, complete=True)

    @st.composite
    def invalid_call_object(draw: st.DrawFn) -> Invalid[Any]:
        name = draw(st.sampled_from(chosen))
        call = draw(base)
        if name in sites:
            return draw_broken(draw, call, sites[name])
        spec = BREAKS[name]
        broken = copy.deepcopy(call)
        path, detail = spec.breaker(draw, broken, contract, facts)
        return Invalid(value=broken, violation=name, detail=detail, rule=spec.rule, path=path)

    return invalid_call_object()
