"""Valid create-web-call request bodies."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from hypothesis import strategies as st

from retell_contract.contracts import Agent, Contract, JsonSchema
from retell_contract.strategies import _json
from retell_contract.strategies._args import check_agents, check_contract, check_names
from retell_contract.strategies._members import members
from retell_contract.strategies._schema import ANY, from_schema, types_of

# Free-form object fields whose documented use calls for a particular flavour of data.
_FREE_FORM = {"retell_llm_dynamic_variables": _json.dynamic_variables}


def request_bodies(
    *,
    contract: Contract | None = None,
    agents: Sequence[Agent] | None = None,
    include: Collection[str] | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Request bodies the contract accepts, for agents (and versions) the target has.

    ``agents`` defaults to the contract's default agent; ``agent_version`` is one of the
    drawn agent's versions or, where the contract takes version names (today's API), a
    name it resolves (``latest``, ``latest_published``, its tags); or it is omitted
    (always omitted when the agent's versions are unknown). The same bodies serve v2
    and v3, which share the request schema.
    ``include`` names the optional request fields that may appear (default: all of
    them). Free-form objects cover the corners that break servers: empty and deeply
    nested objects, keys with punctuation, spaces and non-ASCII, NUL and other odd
    text, strings of thousands of characters, integers beyond 64 bits, and
    dynamic variables with string values (what today's clients send).

    Shrinks towards ``{"agent_id": <first agent>}``: optional fields are dropped first,
    then free-form values shrink towards empty objects and short strings.
    """
    contract = check_contract(contract)
    agents = check_agents(agents, contract)
    return bodies(contract, agents, check_names("include", include, optional_request_fields(contract)))


def optional_request_fields(contract: Contract) -> tuple[str, ...]:
    """The request body's optional properties, in contract order."""
    required = contract.request_schema.get("required", ())
    return tuple(name for name in contract.request_schema.get("properties", {}) if name not in required)


def bodies(
    contract: Contract,
    agents: tuple[Agent, ...],
    fields: tuple[str, ...],
    *,
    complete: bool = False,
    full: Collection[str] = (),
) -> st.SearchStrategy[dict[str, Any]]:
    """The drawing behind :func:`request_bodies`; ``complete`` includes every field it can,
    ``full`` names fields that are always there with every member they can have."""
    properties: dict[str, JsonSchema] = contract.request_schema.get("properties", {})
    required = [n for n in contract.request_schema.get("required", ()) if isinstance(n, str)]

    def for_agent(agent: Agent) -> st.SearchStrategy[dict[str, Any]]:
        present: dict[str, st.SearchStrategy[Any]] = {}
        optional: dict[str, st.SearchStrategy[Any]] = {}
        for name in (*required, *fields):
            whole = complete or name in full
            values = field_values(name, properties.get(name, ANY), agent, complete=whole)
            if values is not None:
                (present if whole or name in required else optional)[name] = values
        return members(present, optional)

    return st.one_of([for_agent(agent) for agent in agents])


def field_values(
    name: str, schema: JsonSchema, agent: Agent, *, complete: bool = False
) -> st.SearchStrategy[Any] | None:
    """Values for one request (or echoed call-object) field; None when none can be valid."""
    if name == "agent_id":
        return st.just(agent.agent_id)
    if name == "agent_version":
        return _versions(schema, agent)
    if is_free_form_object(schema):
        # Complete values are bases for invalid ones: filler is enough there, and cheaper.
        return _json.flat_objects() if complete else _FREE_FORM.get(name, _json.objects)()
    return from_schema(schema, complete=complete, name=name)


def _versions(schema: JsonSchema, agent: Agent) -> st.SearchStrategy[Any] | None:
    """Versions the agent has, and, where the contract takes names, names it resolves."""
    if not agent.versions:
        return None
    numbers = st.sampled_from(agent.versions)
    if "string" not in types_of(schema) or not agent.version_names:
        return numbers
    return st.one_of(numbers, st.sampled_from(agent.version_names))


def is_free_form_object(schema: JsonSchema) -> bool:
    """An object schema that accepts any members (so any JSON object is valid)."""
    extra = schema.get("additionalProperties", True)
    return (
        types_of(schema) == ("object",)
        and not schema.get("properties")
        and not schema.get("required")
        and (extra is True or extra == {})
        and not set(schema) & {"minProperties", "maxProperties", "propertyNames", "patternProperties"}
    )
