"""The webhook events a contract declares (OpenAPI 3.1 top-level ``webhooks``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from retell_contract.contracts._normalize import JsonSchema, to_json_schema
from retell_contract.errors import ContractError

SIGNATURE_HEADER = "x-retell-signature"
STAGES = ("started", "ongoing", "ended", "analyzed")


@dataclass(frozen=True)
class WebhookEvent:
    """One event Retell POSTs: its name, where the call is, and the payload's schema.

    ``stage`` is ``started``, ``ongoing``, ``ended`` or ``analyzed`` (``x-call-stage``);
    ``optional`` events (``x-subscription: optional``) are sent only to agents that
    subscribe. ``live_fields`` (``x-live-fields``) are the post-call fields an ``ongoing``
    event carries as they stand so far (``transcript_updated``: the transcript).
    """

    name: str
    stage: str
    optional: bool
    payload_schema: JsonSchema = field(repr=False)
    signature_header: str = SIGNATURE_HEADER
    live_fields: tuple[str, ...] = ()


def read_webhooks(source: str, document: Mapping[str, Any]) -> tuple[WebhookEvent, ...]:
    """Every POST webhook of ``document``, in declaration order (ContractError when malformed)."""
    webhooks = document.get("webhooks") or {}
    if not isinstance(webhooks, Mapping):
        raise ContractError(f"{source}: webhooks must be a mapping of event names")
    return tuple(
        _event(source, document, str(name), item["post"])
        for name, item in webhooks.items()
        if isinstance(item, Mapping) and isinstance(item.get("post"), Mapping)
    )


def _event(source: str, document: Mapping[str, Any], name: str, node: Mapping[str, Any]) -> WebhookEvent:
    stage = node.get("x-call-stage")
    if stage not in STAGES:
        raise ContractError(f"{source}: webhook {name!r} has x-call-stage {stage!r}; use one of {STAGES}")
    media = (node.get("requestBody") or {}).get("content", {}).get("application/json", {})
    schema = media.get("schema") if isinstance(media, Mapping) else None
    if not isinstance(schema, Mapping):
        raise ContractError(f"{source}: webhook {name!r} has no application/json body schema")
    headers = [
        p.get("name", "").lower()
        for p in node.get("parameters") or ()
        if isinstance(p, Mapping) and p.get("in") == "header"
    ]
    return WebhookEvent(
        name=name,
        stage=stage,
        optional=node.get("x-subscription") == "optional",
        payload_schema=to_json_schema(schema, document, openapi_30=False),
        signature_header=SIGNATURE_HEADER if SIGNATURE_HEADER in headers or not headers else headers[0],
        live_fields=_live_fields(source, name, node.get("x-live-fields", [])),
    )


def _live_fields(source: str, name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ContractError(
            f"{source}: webhook {name!r} has x-live-fields {value!r}; use a list of field names"
        )
    return tuple(value)
