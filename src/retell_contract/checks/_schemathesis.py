"""Our checks as schemathesis checks, for schemathesis's own runner and pytest integration.

>>> checks = schemathesis_checks()                        # doctest: +SKIP
>>> case.call_and_validate(checks=checks)                 # doctest: +SKIP

Each adapter turns schemathesis's ``(ctx, response, case)`` into an :class:`Exchange` and
runs one of our checks on it; a :class:`CheckFailed` is an ``AssertionError``, which
schemathesis reports as a custom check failure. Cases schemathesis generated carry no
notes, so their kind is inferred from the request (see ``infer_kind``). Pass one
:class:`RunContext` to share run-wide state (call_id / access_token uniqueness).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from retell_contract.checks._context import RunContext
from retell_contract.checks._registry import Check, CheckResult, registered_checks
from retell_contract.contracts import load_contract
from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

if TYPE_CHECKING:
    import requests

SchemathesisCheck = Callable[[Any, Any, Any], CheckResult]
PREFIX = "retell_"


def to_exchange(response: Any, notes: dict[str, str] | None = None) -> Exchange:
    """The :class:`Exchange` of a schemathesis ``Response`` (and the request it carries)."""
    return Exchange(
        request=recorded_request(response.request),
        response=RecordedResponse(
            status=response.status_code,
            headers={name: ", ".join(values) for name, values in response.headers.items()},
            body=response.content or b"",
        ),
        notes=notes or {},
    )


def recorded_request(request: requests.PreparedRequest) -> RecordedRequest:
    """The :class:`RecordedRequest` of a request as ``requests`` (and so schemathesis) sent it."""
    body = request.body
    raw = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else b""
    headers = {
        name: value if isinstance(value, str) else value.decode("latin-1")
        for name, value in request.headers.items()
    }
    return RecordedRequest(str(request.method), str(request.url), headers, raw)


def schemathesis_checks(
    context: RunContext | None = None, *, checks: Iterable[Check] | None = None
) -> list[SchemathesisCheck]:
    """Adapters of ``checks`` (all registered ones by default) named ``retell_<check>``."""
    run = context or RunContext(load_contract())
    return [_adapter(item, run) for item in (registered_checks() if checks is None else checks)]


def register_with_schemathesis(context: RunContext | None = None) -> list[SchemathesisCheck]:
    """Register the adapters with ``@schemathesis.check`` so schemathesis runs them by default.

    Global, like every schemathesis registration: call it once, from a hooks module or a
    conftest. Registering again from this module is harmless.
    """
    import schemathesis

    return [schemathesis.check(adapter) for adapter in schemathesis_checks(context)]


def _adapter(item: Check, run: RunContext) -> SchemathesisCheck:
    def adapter(ctx: Any, response: Any, case: Any) -> CheckResult:
        exchange = to_exchange(response)
        # The case id keeps a re-check of the same response from looking like a duplicate.
        return item.function(run.context_for(exchange, key=str(case.id)), exchange)

    adapter.__name__ = adapter.__qualname__ = PREFIX + item.name
    adapter.__doc__ = item.description
    return adapter
