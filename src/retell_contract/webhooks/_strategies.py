"""Hypothesis strategies for webhook deliveries: valid events, whole streams, invalid ones.

Every call object comes from :func:`retell_contract.strategies.call_objects` (hostile but
valid: unicode, absent optional fields, long transcripts). A stream projects one finished
call back onto each lifecycle stage, so its events agree with each other: the same ids,
``metadata`` and dynamic variables in every event (or absent from all when the call was
created without them), no post-call field before ``call_ended``, no ``call_analysis``
before ``call_analyzed``. The exception is an ``ongoing`` event (``transcript_updated``):
Retell sends it during the call with the transcript so far, so it carries its
``live_fields`` cut to the first utterances of the final transcript, and no other
post-call field. Nothing here reads the clock; deliveries are signed when sent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from hypothesis import strategies as st

from retell_contract.consistency import contract_facts
from retell_contract.contracts import Agent, Contract, WebhookEvent
from retell_contract.strategies import call_objects
from retell_contract.strategies._args import check_agents, check_contract, check_names
from retell_contract.strategies._call_parts import transcript_text
from retell_contract.webhooks._deliveries import FAULTS, MALFORMED, Delivery

ANALYSIS_FIELD = "call_analysis"
NOT_JOINED = "error_user_not_joined"
_ONGOING = "ongoing"
_FINISHED_STATES = ("ended", "error")
MAX_RETRIES = 3  # Retell retries a delivery up to 3 times
SKEW_MARGIN_MS = 60_000
_ORDER = {"started": 0, "ongoing": 1, "ended": 2, "analyzed": 3}
MAX_UPDATES = 3  # transcript_updated deliveries per call in a stream


def webhook_event_names(*, contract: Contract | None = None) -> tuple[str, ...]:
    """The webhook events the contract declares, in declaration order."""
    return tuple(event.name for event in check_contract(contract).webhook_events)


def webhook_events(
    *,
    contract: Contract | None = None,
    events: Collection[str] | None = None,
    agents: Sequence[Agent] | None = None,
) -> st.SearchStrategy[Delivery]:
    """Valid deliveries of one event each, the call object consistent with the event's stage.

    ``events`` picks event names (default: every declared one). Shrinks towards the first
    event named, then towards the smallest call object :func:`call_objects` can give (and,
    for ``transcript_updated``, towards its first utterance).
    """
    contract = check_contract(contract)
    chosen = check_names("events", events, webhook_event_names(contract=contract))
    by_name = {event.name: event for event in contract.webhook_events}
    finished = _finished_calls(contract, check_agents(agents, contract))

    @st.composite
    def delivery(draw: st.DrawFn) -> Delivery:
        event = by_name[draw(st.sampled_from(chosen))]
        call = draw(_finished_for(finished, event))
        spoken = _utterance_count(call)
        heard = draw(st.integers(min(1, spoken), spoken)) if event.stage == "ongoing" else None
        return Delivery(event.name, project(call, event, contract, utterances=heard))

    return delivery()


def webhook_streams(
    *,
    contract: Contract | None = None,
    agents: Sequence[Agent] | None = None,
    optional_events: bool = False,
    max_retries: int = MAX_RETRIES,
) -> st.SearchStrategy[list[Delivery]]:
    """Every delivery Retell makes for one call, in order, each repeated by up to ``max_retries``.

    A repeat is Retell's retry after an answer that was not 2xx (``attempt`` 2, 3, ...);
    it comes straight after the one it repeats. ``optional_events`` adds the events agents
    subscribe to between start and end: ``transcript_updated`` up to three times, its
    transcript growing. Never-joined calls are not drawn: they send nothing. Shrinks
    towards one delivery per event and the smallest call.
    """
    contract = check_contract(contract)
    _check_retries(max_retries)
    if not isinstance(optional_events, bool):
        raise TypeError(f"optional_events must be True or False, not {optional_events!r}")
    finished = _finished_calls(contract, check_agents(agents, contract))
    wanted = tuple(e for e in contract.webhook_events if optional_events or not e.optional)

    @st.composite
    def stream(draw: st.DrawFn) -> list[Delivery]:
        call = draw(finished)
        deliveries: list[Delivery] = []
        for event in _events_for(call, wanted):
            for heard in _updates(draw, call) if event.stage == "ongoing" else (None,):
                projected = project(call, event, contract, utterances=heard)
                for attempt in range(1, 2 + draw(st.integers(0, max_retries))):
                    deliveries.append(Delivery(event.name, projected, attempt=attempt))
        return deliveries

    return stream()


def interleaved_webhook_streams(
    *,
    contract: Contract | None = None,
    agents: Sequence[Agent] | None = None,
    min_calls: int = 2,
    max_calls: int = 4,
    max_retries: int = MAX_RETRIES,
) -> st.SearchStrategy[list[Delivery]]:
    """The streams of several calls merged, each call's deliveries still in order.

    Shrinks towards ``min_calls`` calls, then towards sending each call's deliveries
    before the next call's.
    """
    if not isinstance(min_calls, int) or isinstance(min_calls, bool) or min_calls < 1:
        raise ValueError(f"min_calls must be an integer >= 1, not {min_calls!r}")
    if not isinstance(max_calls, int) or isinstance(max_calls, bool) or max_calls < min_calls:
        raise ValueError(f"max_calls must be an integer >= min_calls ({min_calls}), not {max_calls!r}")
    streams = webhook_streams(contract=contract, agents=agents, max_retries=max_retries)

    @st.composite
    def merged(draw: st.DrawFn) -> list[Delivery]:
        pending = [s for s in draw(st.lists(streams, min_size=min_calls, max_size=max_calls)) if s]
        _distinct_call_ids(pending)
        out: list[Delivery] = []
        while pending:
            index = draw(st.integers(0, len(pending) - 1))
            out.append(pending[index].pop(0))
            if not pending[index]:
                pending.pop(index)
        return out

    return merged()


def invalid_webhook_deliveries(
    *,
    contract: Contract | None = None,
    faults: Collection[str] | None = None,
    agents: Sequence[Agent] | None = None,
) -> st.SearchStrategy[Delivery]:
    """Deliveries of a valid event with exactly one signing fault (``Delivery.fault``).

    ``faults`` picks from :data:`FAULTS`. The fault's detail is drawn too: which header
    shape for ``malformed_header``, how many ms beyond the tolerance for timestamps.
    Timestamps are at least a minute beyond the tolerance, a margin for clock skew and
    transit. Shrinks towards the first fault named, then a minute beyond the tolerance.
    """
    chosen = check_names("faults", faults, FAULTS)
    valid = webhook_events(contract=contract, agents=agents)

    @st.composite
    def invalid(draw: st.DrawFn) -> Delivery:
        delivery = draw(valid)
        fault = draw(st.sampled_from(chosen))
        detail = ""
        if fault == "malformed_header":
            detail = draw(st.sampled_from(MALFORMED))
        elif fault in ("stale_timestamp", "future_timestamp"):
            detail = str(draw(st.integers(SKEW_MARGIN_MS, 30 * 24 * 3600 * 1000)))
        return Delivery(delivery.event, delivery.call, fault=fault, detail=detail)

    return invalid()


def unknown_webhook_events(
    *, contract: Contract | None = None, agents: Sequence[Agent] | None = None
) -> st.SearchStrategy[Delivery]:
    """Validly signed deliveries of an event name the contract does not declare (a future one).

    The call object is a finished call. Shrinks towards the name ``call_aaa``.
    """
    contract = check_contract(contract)
    known = set(webhook_event_names(contract=contract))
    names = st.from_regex(r"call_[a-z]{3,12}(_[a-z]{2,8})?", fullmatch=True).filter(lambda n: n not in known)
    calls = _finished_calls(contract, check_agents(agents, contract))
    return st.builds(Delivery, names, calls)


def project(
    call: dict[str, Any], event: WebhookEvent, contract: Contract, *, utterances: int | None = None
) -> dict[str, Any]:
    """The finished ``call`` as it was when ``event`` was sent.

    For an ``ongoing`` event, ``utterances`` says how much had been said (default: all of
    it); the event's ``live_fields`` carry the transcript up to there.
    """
    if event.stage == "analyzed":
        return dict(call)
    if event.stage == "ended":
        return {k: v for k, v in call.items() if k != ANALYSIS_FIELD}
    post = set(contract.post_call_fields)
    started = {k: v for k, v in call.items() if k not in post and k != ANALYSIS_FIELD}
    started["call_status"] = _ONGOING
    if event.stage == "ongoing":
        heard = _utterance_count(call) if utterances is None else utterances
        started.update(_so_far(call, event.live_fields, heard, contract))
    return started


def _so_far(call: dict[str, Any], fields: Sequence[str], heard: int, contract: Contract) -> dict[str, Any]:
    """``fields`` of ``call`` as they stood after its first ``heard`` utterances."""
    spoken = call.get("transcript_object")
    if not isinstance(spoken, list):
        # No utterances to cut at: the update shows the transcript as it stood at the last turn.
        return {name: call[name] for name in fields if name in call}
    roles = set(contract_facts(contract).utterance_roles)
    out: dict[str, Any] = {}
    for name in fields:
        value = call.get(name)
        if name == "transcript" and isinstance(value, str):
            out[name] = transcript_text(spoken[:heard])
        elif isinstance(value, list):
            out[name] = _through(value, heard, roles)
    return out


def _through(items: list[Any], heard: int, roles: set[str]) -> list[Any]:
    """``items`` up to and with the ``heard``-th utterance (tool calls between stay)."""
    count = 0
    for index, item in enumerate(items):
        if count == heard:
            return items[:index]
        count += isinstance(item, dict) and item.get("role") in roles
    return list(items)


def _utterance_count(call: dict[str, Any]) -> int:
    spoken = call.get("transcript_object")
    return len(spoken) if isinstance(spoken, list) else 0


def _updates(draw: st.DrawFn, call: dict[str, Any]) -> list[int]:
    """How much had been said at each ``transcript_updated``: growing, one to three of them."""
    spoken = _utterance_count(call)
    count = draw(st.integers(1, MAX_UPDATES))
    return sorted({max(min(1, spoken), spoken * (n + 1) // count) for n in range(count)})


def _events_for(call: dict[str, Any], events: Sequence[WebhookEvent]) -> list[WebhookEvent]:
    """The events this finished call sends, in lifecycle order (no analysis event without one)."""
    sent = [e for e in events if e.stage != "analyzed" or ANALYSIS_FIELD in call]
    return sorted(sent, key=lambda e: (_ORDER[e.stage], e.optional))


def _finished_calls(contract: Contract, agents: tuple[Agent, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Calls that were joined and have ended (never-joined calls send no webhook)."""
    return call_objects(contract=contract, states=_joinable_states(contract), agents=agents).filter(
        lambda call: call.get("disconnection_reason") != NOT_JOINED
    )


def _finished_for(
    finished: st.SearchStrategy[dict[str, Any]], event: WebhookEvent
) -> st.SearchStrategy[dict[str, Any]]:
    if event.stage == "analyzed":
        return finished.filter(lambda call: ANALYSIS_FIELD in call)
    return finished


def _joinable_states(contract: Contract) -> tuple[str, ...]:
    states = tuple(s for s in _FINISHED_STATES if s in contract.enum("call_status"))
    return states or (_FINISHED_STATES[0],)


def _check_retries(max_retries: object) -> None:
    if not isinstance(max_retries, int) or isinstance(max_retries, bool) or not 0 <= max_retries <= 10:
        raise ValueError(f"max_retries must be an integer from 0 to 10, not {max_retries!r}")


def _distinct_call_ids(streams: list[list[Delivery]]) -> None:
    """Give every stream its own call id (two drawn calls may share a shrunk-down id)."""
    for index, stream in enumerate(streams):
        for position, delivery in enumerate(stream):
            call = dict(delivery.call)
            call["call_id"] = f"{call.get('call_id', 'call')}_{index}"
            stream[position] = Delivery(
                delivery.event, call, delivery.fault, delivery.detail, delivery.attempt
            )
