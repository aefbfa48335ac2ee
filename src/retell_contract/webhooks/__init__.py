"""Retell webhooks: signing, Hypothesis strategies for deliveries, and the delivering side.

>>> from retell_contract.webhooks import sign, verify
>>> header = sign(b'{"event":"call_started"}', api_key="key_x", timestamp_ms=1_700_000_000_000)
>>> verify(b'{"event":"call_started"}', api_key="key_x", signature=header, now_ms=1_700_000_000_000)
True

Strategies draw what to send (:class:`Delivery`: event, call object, fault); the signature
is computed when the delivery is sent (:meth:`Delivery.render`).
:class:`WebhookPoster` and :class:`WebhookReceiver` are behind the pytest fixtures;
:func:`run_webhook_conformance` runs ``retell-contract webhook``'s checks against a receiver
over HTTP or in-process (:func:`asgi_transport`, :func:`wsgi_transport`).
"""

from retell_contract.webhooks._conformance import (
    WebhookRunOptions,
    asgi_transport,
    run_webhook_conformance,
    wsgi_transport,
)
from retell_contract.webhooks._deliveries import FAULTS, MALFORMED, Delivery, Rendered, encode_payload
from retell_contract.webhooks._signing import TOLERANCE_MS, sign, signature_problem, verify
from retell_contract.webhooks._strategies import (
    MAX_RETRIES,
    interleaved_webhook_streams,
    invalid_webhook_deliveries,
    project,
    unknown_webhook_events,
    webhook_event_names,
    webhook_events,
    webhook_streams,
)
from retell_contract.webhooks._testing import ReceivedDelivery, WebhookPoster, WebhookReceiver

__all__ = [
    "FAULTS",
    "MALFORMED",
    "MAX_RETRIES",
    "TOLERANCE_MS",
    "Delivery",
    "ReceivedDelivery",
    "Rendered",
    "WebhookPoster",
    "WebhookReceiver",
    "WebhookRunOptions",
    "asgi_transport",
    "encode_payload",
    "interleaved_webhook_streams",
    "invalid_webhook_deliveries",
    "project",
    "run_webhook_conformance",
    "sign",
    "signature_problem",
    "unknown_webhook_events",
    "verify",
    "webhook_event_names",
    "webhook_events",
    "webhook_streams",
    "wsgi_transport",
]
