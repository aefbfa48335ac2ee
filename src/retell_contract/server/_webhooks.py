"""Where the mock's lifecycle meets webhook delivery: which events a move sends, and the wiring.

Kept apart from the state so the lifecycle code only calls one hook (``MockState.on_event``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retell_contract.server._state import MockState
    from retell_contract.webhooks._dispatch import WebhookDispatcher

# Lifecycle stage reached (CallRecord.stage) -> the event Retell sends on reaching it.
EVENT_AT_STAGE = {1: "call_started", 2: "call_ended", 3: "call_analyzed"}
ANALYSIS_FIELD = "call_analysis"
_POST_CALL_STAGE = 2


def stage_events(
    before: int, after: int, call: dict[str, Any], post_call_fields: Collection[str]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The events of every stage passed from ``before`` to ``after``, each with the call as it was then.

    A call moved straight from registered to analyzed still sends all three; the earlier
    events carry the call without what it gained later (no ``call_analysis`` on
    ``call_ended``, no post-call fields on ``call_started``).
    """
    for stage in range(before + 1, after + 1):
        yield EVENT_AT_STAGE[stage], _as_at(stage, call, post_call_fields)


def _as_at(stage: int, call: dict[str, Any], post_call_fields: Collection[str]) -> dict[str, Any]:
    if stage >= 3:
        return dict(call)
    shown = {k: v for k, v in call.items() if k != ANALYSIS_FIELD}
    if stage < _POST_CALL_STAGE and call.get("call_status") != "ongoing":
        shown = {k: v for k, v in shown.items() if k not in post_call_fields}
        shown["call_status"] = "ongoing"
    return shown


def attach_webhooks(state: MockState) -> WebhookDispatcher:
    """Start a sender for ``state``'s configuration and hook it into the lifecycle."""
    from retell_contract.webhooks._dispatch import WebhookDispatcher

    config = state.config
    dispatcher = WebhookDispatcher(
        url_for=config.webhook_url_for,
        key=config.signing_key,
        clock=config.clock,
        retry_delay=config.webhook_retry_delay,
    )
    state.on_event = dispatcher.send
    return dispatcher
