"""retell-contract as a schemathesis extension: our body strategies and checks inside ``schemathesis run``.

::

    SCHEMATHESIS_HOOKS=retell_contract.extension RETELL_CONTRACT_AGENTS="agent_abc:1,2" \\
        schemathesis run src/retell_contract/contracts/today.openapi.yaml \\
        --url http://127.0.0.1:8080 --mode positive -H "Authorization: Bearer $RETELL_API_KEY" \\
        --exclude-checks positive_data_acceptance

Loading this module (schemathesis imports it from ``SCHEMATHESIS_HOOKS``) registers every
check of :mod:`retell_contract.checks` as a schemathesis check (``retell_<name>``) and a
``before_generate_body`` hook that draws create-web-call bodies (v2 and v3) from
:func:`~retell_contract.strategies.request_bodies` for the agents the target has, so
Hypothesis draws and shrinks them inside schemathesis's own engine, phases and reports.
``RETELL_CONTRACT_AGENTS`` lists agents (``ID[:V,...[:published=V,TAG=V]]``, separated by
spaces; default: the contract's example agent); ``RETELL_CONTRACT_FILE`` names the contract
(a file, ``today`` or ``seed``; default today's). Use ``--mode positive``: the hook draws
valid bodies, so schemathesis's negative mode would send valid bodies expecting refusals.
Leave out ``positive_data_acceptance``: schemathesis's coverage phase sends agent versions
and names the agent lacks, which a correct server refuses.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

from retell_contract.checks import RunContext, register_with_schemathesis
from retell_contract.contracts import Agent, Contract, load_contract

AGENTS_VARIABLE, CONTRACT_VARIABLE = "RETELL_CONTRACT_AGENTS", "RETELL_CONTRACT_FILE"


def _contract() -> Contract:
    return load_contract(os.environ.get(CONTRACT_VARIABLE) or None)


def _agents(contract: Contract) -> tuple[Agent, ...]:
    specs = os.environ.get(AGENTS_VARIABLE, "").split()
    return tuple(Agent.from_spec(spec) for spec in specs) or (contract.default_agent,)


CONTRACT = _contract()
AGENTS = _agents(CONTRACT)
CHECKS = register_with_schemathesis(RunContext(CONTRACT, {agent.agent_id: agent for agent in AGENTS}))


@schemathesis.hook
def before_generate_body(context: Any, strategy: Any) -> Any:
    """Create-web-call bodies come from our strategy; other operations keep schemathesis's."""
    from retell_contract.strategies import request_bodies

    operation = getattr(context, "operation", None)
    found = CONTRACT.operation_for(operation.method, operation.path) if operation is not None else None
    if found is None or found.request_schema is None:
        return strategy
    return request_bodies(contract=CONTRACT, agents=AGENTS)
