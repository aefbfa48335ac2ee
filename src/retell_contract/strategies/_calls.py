"""Valid, internally consistent call objects in each lifecycle state."""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from retell_contract.consistency import STATUS_STAGES, ContractFacts, contract_facts
from retell_contract.contracts import Agent, Contract, JsonSchema
from retell_contract.errors import ContractError
from retell_contract.strategies import _call_parts as parts
from retell_contract.strategies import _plausible
from retell_contract.strategies._args import (
    check_agents,
    check_contract,
    check_names,
    check_optional_bool,
)
from retell_contract.strategies._requests import field_values
from retell_contract.strategies._schema import from_schema, types_of

_TIMELINE_FIELDS = ("start_timestamp", "end_timestamp", "duration_ms")
_TRANSCRIPT_FIELDS = ("transcript", "transcript_object")
# The only post-call fields a call that never started can have.
_NEVER_STARTED_FIELDS = ("end_timestamp", "disconnection_reason")
_MOSTLY_TRUE = st.integers(0, 9).map(bool)  # False (drop the member) one time in ten
ERROR_STATUS = "error"
_FILLED_WHEN_BELIEVABLE = frozenset({"call_analysis", "call_cost"})
NOT_JOINED = "error_user_not_joined"


def call_objects(
    *,
    contract: Contract | None = None,
    states: Collection[str] | None = None,
    analysed: bool | None = None,
    agents: Sequence[Agent] | None = None,
    believable: bool = False,
    now: int | None = None,
) -> st.SearchStrategy[dict[str, Any]]:
    """Call objects that pass the contract and every consistency rule (``strict``).

    ``states`` picks the ``call_status`` values (default: every status of the contract
    whose lifecycle stage is known, see :func:`call_states`). Fields follow the
    lifecycle: ``start_timestamp`` only once started, post-call fields
    (``contract.post_call_fields``) only once ended; an ``error`` call either never
    started (``error_user_not_joined``) or failed mid-call with an ``error_*`` reason.
    ``analysed`` forces ``call_analysis`` on (True) or off (False) for ended calls; None
    draws both. ``agents`` (default: the contract's default agent) gives ``agent_id``
    and ``agent_version``.

    By default the values are hostile but valid: any reason the contract's enum allows
    (it is shared with phone calls), odd text, hostile keys in free-form objects.
    ``believable=True`` draws what a person would accept instead: only reasons a web
    call can have (the contract's ``x-web-call-values``), lines of a conversation,
    plausible summaries and names. ``now`` (milliseconds since the epoch) keeps every
    timestamp at or before it; the wall clock is never read, so a seed means one call.

    Figures agree: ``duration_ms == end_timestamp - start_timestamp``, latency figures
    are nearest-rank percentiles of ``values`` with ``num == len(values)``, the
    transcript text is built from ``transcript_object``, word timings move forward and
    every tool-call result follows its invocation.

    Shrinks towards the requested state that comes first in the contract's enum, with
    only the required fields, then towards shorter transcripts and fewer latency values.
    """
    contract = check_contract(contract)
    chosen = check_names("states", states, call_states(contract=contract))
    analysed = check_optional_bool("analysed", analysed)
    if not isinstance(believable, bool):
        raise TypeError(f"believable must be True or False, not {believable!r}")
    if now is not None and (not isinstance(now, int) or isinstance(now, bool) or now < 0):
        raise TypeError(f"now must be milliseconds since the epoch (an int >= 0) or None, not {now!r}")
    if analysed and not any(STATUS_STAGES[s] == "ended" for s in chosen):
        raise ValueError(f"analysed=True needs a state where the call has ended, not only {chosen!r}")
    flavour = Flavour(believable=believable, now=now)
    return calls(contract, chosen, analysed, check_agents(agents, contract), complete=False, flavour=flavour)


def call_states(*, contract: Contract | None = None) -> tuple[str, ...]:
    """The contract's ``call_status`` values that :func:`call_objects` can draw."""
    return tuple(s for s in check_contract(contract).enum("call_status") if s in STATUS_STAGES)


@dataclass(frozen=True)
class Flavour:
    """What kind of valid data to draw: hostile corners or believable, and the time."""

    believable: bool = False
    now: int | None = None


HOSTILE = Flavour()


@dataclass(frozen=True)
class _Plan:
    """Where the drawn call is in its life, and how it ended."""

    status: str
    started: bool
    ended: bool
    analysed: bool
    reason: str | None


def _draw_plan(
    draw: st.DrawFn,
    contract: Contract,
    states: tuple[str, ...],
    analysed: bool | None,
    complete: bool,
    believable: bool,
) -> _Plan:
    status = draw(st.sampled_from(states))
    stage = STATUS_STAGES[status]
    if stage != "ended":
        return _Plan(status, stage == "started", False, False, None)
    has_analysis = draw(st.booleans()) if analysed is None else analysed
    reasons = _reasons(contract, error=status == ERROR_STATUS, web_only=believable)
    never_joined = status == ERROR_STATUS and NOT_JOINED in reasons and not (complete or has_analysis)
    if never_joined and draw(st.booleans()):
        return _Plan(status, False, True, False, NOT_JOINED)
    mid_call = tuple(r for r in reasons if r != NOT_JOINED) or reasons
    reason = draw(st.sampled_from(mid_call)) if mid_call else None
    return _Plan(status, True, True, has_analysis, reason)


def _reasons(contract: Contract, *, error: bool, web_only: bool) -> tuple[str, ...]:
    """Disconnection reasons that fit an ``error`` call (``error_*``) or an ended one.

    ``web_only`` keeps those a web call can have, where the contract says which.
    """
    try:
        reasons = contract.enum("disconnection_reason")
    except ContractError:  # a contract without the enum: leave the field to the schema
        return ()
    if web_only:
        reasons = contract.web_call_reasons
    return tuple(r for r in reasons if isinstance(r, str) and r.startswith("error_") == error)


def calls(
    contract: Contract,
    states: tuple[str, ...],
    analysed: bool | None,
    agents: tuple[Agent, ...],
    *,
    complete: bool,
    flavour: Flavour = HOSTILE,
) -> st.SearchStrategy[dict[str, Any]]:
    """The drawing behind :func:`call_objects`; ``complete`` includes every allowed field."""
    facts = contract_facts(contract)
    fields = _FieldStrategies(contract, complete, flavour)

    # A closure rather than a composite with arguments: Hypothesis would print the contract.
    @st.composite
    def call_object(draw: st.DrawFn) -> dict[str, Any]:
        plan = _draw_plan(draw, contract, states, analysed, complete, flavour.believable)
        agent = draw(st.sampled_from(agents))
        builder = _Builder(draw, contract, facts, plan, agent, fields)
        return {name: builder.value(name) for name in fields.names if builder.wanted(name)}

    return call_object()


class _FieldStrategies:
    """Strategies for fields without consistency rules, built once per :func:`calls`."""

    def __init__(self, contract: Contract, complete: bool, flavour: Flavour) -> None:
        self.contract, self.complete, self.flavour = contract, complete, flavour
        self.believable = flavour.believable
        self.schemas: dict[str, JsonSchema] = contract.call_object_schema.get("properties", {})
        self.names = tuple(self.schemas)
        self._echoed: dict[tuple[str, Agent], st.SearchStrategy[Any] | None] = {}

    def generic(self, name: str) -> st.SearchStrategy[Any]:
        schema = self.schemas[name]
        # A believable analysis or cost says something: every member present, not {}.
        complete = self.complete or (self.believable and name in _FILLED_WHEN_BELIEVABLE)
        return from_schema(schema, complete=complete, name=name, believable=self.believable)  # cached

    def echoed(self, name: str, agent: Agent) -> st.SearchStrategy[Any] | None:
        """Values of a request field the call object repeats (None: use the generic ones)."""
        if name not in self.contract.echoed_fields:
            return None
        if self.believable and name in ("metadata", "retell_llm_dynamic_variables"):
            return _plausible.variables()
        if name == "agent_version":  # a requested name comes back resolved to its number
            return st.sampled_from(agent.versions) if agent.versions else None
        if (name, agent) not in self._echoed:
            schema = self.contract.request_field(name)
            self._echoed[name, agent] = field_values(name, schema, agent, complete=self.complete)
        return self._echoed[name, agent]


class _Builder:
    """Draws one call's fields, sharing the timeline and utterances between them."""

    def __init__(
        self,
        draw: st.DrawFn,
        contract: Contract,
        facts: ContractFacts,
        plan: _Plan,
        agent: Agent,
        fields: _FieldStrategies,
    ) -> None:
        self.draw, self.contract, self.facts = draw, contract, facts
        self.plan, self.agent, self.fields, self.complete = plan, agent, fields, fields.complete
        self.required = set(contract.required_call_fields)
        self._timeline: parts.Timeline | None = None
        self._spoken: list[dict[str, Any]] | None = None
        self._groups: dict[str, bool] = {}

    def wanted(self, name: str) -> bool:
        plan, facts = self.plan, self.facts
        if name in self.required:
            return True
        if name in facts.post_call_fields and not plan.ended:
            return False
        if name in facts.started_fields and not plan.started:
            return False
        never_started = plan.ended and not plan.started
        if never_started and name in facts.post_call_fields and name not in _NEVER_STARTED_FIELDS:
            return False
        if name == "call_analysis":
            return plan.analysed
        if name == "disconnection_reason" and plan.reason is not None:
            return True
        if self.complete:
            return True
        # Fields that are checked against each other mostly come together, as they do
        # from the real API: one draw per group, then each member is dropped only rarely.
        group = self._group_of(name)
        if group is not None and self.fields.believable:
            return True  # a believable call that started has its times; one that ended, its transcript
        if group is None:
            return self.draw(st.booleans())
        if group not in self._groups:
            self._groups[group] = self.draw(st.booleans())
        return self._groups[group] and self.draw(_MOSTLY_TRUE)

    def _group_of(self, name: str) -> str | None:
        if name in _TIMELINE_FIELDS:
            return "timeline"
        if name in _TRANSCRIPT_FIELDS or name in self.facts.tool_transcript_fields:
            return "transcript"
        return None

    def value(self, name: str) -> Any:
        if name == "call_status":
            return self.plan.status
        if name == "disconnection_reason" and self.plan.reason is not None:
            return self.plan.reason
        if name == "call_id":
            return self.draw(parts.ids())
        if name == "access_token":
            return self.draw(parts.access_tokens())
        if name in _TIMELINE_FIELDS:
            return self._timeline_value(name)
        if name.endswith("_timestamp") and types_of(self.fields.schemas[name]) == ("integer",):
            # Another moment of the call (a transfer's end): within it, so never after `now`.
            self._timeline_value("start_timestamp")
            assert self._timeline is not None
            return self.draw(st.integers(self._timeline.start, self._timeline.end))
        if name in _TRANSCRIPT_FIELDS or name in self.facts.tool_transcript_fields:
            return self._transcript_value(name)
        if name == "latency" and self.facts.latency_metrics:
            return parts.draw_latency(self.draw, self.contract, self.facts, self.complete)
        if name == "agent_version" and not self.agent.versions:
            return self.draw(st.integers(0, 100))
        echoed = self.fields.echoed(name, self.agent)
        return self.draw(self.fields.generic(name) if echoed is None else echoed)

    def _timeline_value(self, name: str) -> int:
        if self._timeline is None:
            self._timeline = self.draw(parts.timelines(self.fields.flavour.now, self.fields.believable))
        timeline = self._timeline
        return {"start_timestamp": timeline.start, "end_timestamp": timeline.end}.get(name, timeline.duration)

    def _transcript_value(self, name: str) -> Any:
        if self._spoken is None:
            roles = self.facts.utterance_roles or ("agent",)
            if self.fields.believable:
                roles = tuple(r for r in ("agent", "user") if r in roles) or roles
            self._spoken = self.draw(parts.utterances(roles, self.complete, self.fields.believable))
        spoken = copy.deepcopy(self._spoken)
        if name == "transcript":
            return parts.transcript_text(spoken)
        if name == "transcript_object":
            return spoken
        return parts.draw_tool_transcript(
            self.draw, spoken, self.contract, name, self.facts, self.complete, self.fields.believable
        )
