"""Recording against contract: what the recorded responses show that the contract does not declare.

Each response is walked alongside the schema the contract declares for its operation,
status and media type. Findings are the same kinds of change as between two contracts,
judged as if the recording were the newer API, and counted across responses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from retell_contract.drift import _rules as rules
from retell_contract.drift._canonical import Node
from retell_contract.drift._document import ApiDocument, Operation, media_types
from retell_contract.drift._infer import recorded_path_template
from retell_contract.drift._model import Change, ChangeKind, Direction
from retell_contract.drift._walk import Finding, Location, Walker
from retell_contract.exchange import NOT_JSON, Exchange

K = ChangeKind
_MAX_LISTED = 8
# How a server turns away a method or path it does not have: a run's own probes, answered
# so, show nothing new about the API.
_NOT_HERE = frozenset({404, 405})


def diff_recording_against_contract(exchanges: Sequence[Exchange], contract: ApiDocument) -> list[Change]:
    """Everything the recorded responses show that ``contract`` does not declare."""
    observer = _Observer(contract)
    for index, exchange in enumerate(exchanges):
        observer.observe(index, exchange)
    return observer.changes()


@dataclass
class _Tally:
    exchanges: set[int] = field(default_factory=set)
    details: dict[str, None] = field(default_factory=dict)  # ordered set


class _Observer:
    def __init__(self, contract: ApiDocument) -> None:
        self.contract = contract
        self.routes = _routes(contract)
        self.tallies: dict[tuple[str, Location, ChangeKind, str], _Tally] = defaultdict(_Tally)
        self.totals: dict[tuple[str, str], int] = defaultdict(int)
        self.schemas: dict[tuple[str, str, str], Node] = {}
        self.walker = Walker()

    def observe(self, index: int, exchange: Exchange) -> None:
        path = urlsplit(exchange.request.url).path or "/"
        operation = self._operation(exchange.request.method, path)
        if operation is None:
            if exchange.response.status in _NOT_HERE:
                return
            # One entry per path template, not one per call id.
            name = f"{exchange.request.method} {recorded_path_template(path)}"
            self.totals[(name, "")] += 1
            known = any(pattern.fullmatch(path) for pattern, _ in self.routes)
            self._note(index, name, ((), K.METHOD_ADDED if known else K.PATH_ADDED, rules.ALWAYS, ""))
            return
        status = exchange.response.status
        code = _declared_code(operation, status)
        head = f"response {status}"
        self.totals[(operation.name, head)] += 1
        if code is None:
            self._note(index, operation.name, ((head,), K.STATUS_CODE_ADDED, rules.ALWAYS, ""))
            return
        for finding in self._body_findings(operation, code, head, exchange):
            self._note(index, operation.name, finding)

    def changes(self) -> list[Change]:
        found = []
        for (operation, location, kind, condition), tally in self.tallies.items():
            direction = Direction.OPERATION if not location else Direction.RESPONSE
            rule = rules.judge(kind, direction, condition)
            total = self.totals[(operation, location[0] if location else "")]
            detail = _listing(list(tally.details))
            seen = f"in {len(tally.exchanges)} of {total} responses"
            detail = f"{detail} ({seen})" if detail else seen
            found.append(Change(operation, location, kind, rule.severity, rule.reason, detail))
        return found

    def _note(self, index: int, operation: str, finding: Finding) -> None:
        location, kind, condition, detail = finding
        tally = self.tallies[(operation, location, kind, condition)]
        tally.exchanges.add(index)
        if detail:
            tally.details[detail] = None

    def _operation(self, method: str, path: str) -> Operation | None:
        for pattern, operations in self.routes:
            if pattern.fullmatch(path) and method.lower() in operations:
                return operations[method.lower()]
        return None

    def _body_findings(self, operation: Operation, code: Any, head: str, exchange: Exchange) -> list[Finding]:
        response = self.contract.resolve((operation.node.get("responses") or {})[code])
        content = media_types(response)
        body = exchange.response.body
        if not body:
            return []
        media_type = _declared_media_type(exchange.response.content_type, content)
        if media_type is None:
            shown = exchange.response.content_type or "no content type"
            return [((head,), K.CONTENT_TYPE_ADDED, rules.OBSERVED, shown)]
        if "json" not in media_type:
            return []
        parsed = exchange.response.json(default=NOT_JSON)
        if parsed is NOT_JSON:
            return [((head,), K.TYPE_CHANGED, rules.OTHER, "body is not valid JSON")]
        key = (operation.name, str(code), media_type)
        if key not in self.schemas:
            self.schemas[key] = self.contract.schema(content[media_type])
        findings: list[Finding] = []
        self.walker.walk(parsed, self.schemas[key], (head,), findings.append)
        return findings


def _routes(contract: ApiDocument) -> list[tuple[re.Pattern[str], dict[str, Operation]]]:
    """Path patterns of every operation, with and without each server URL's path prefix."""
    prefixes = {""} | {
        urlsplit(str(server.get("url", ""))).path.rstrip("/")
        for server in contract.document.get("servers") or ()
        if isinstance(server, dict)
    }
    routes = []
    for template, methods in contract.operations().items():
        body = "[^/]+".join(re.escape(part) for part in template.split("{}"))  # "{}": a path parameter
        for prefix in sorted(prefixes):
            routes.append((re.compile(re.escape(prefix) + body), methods))
    return routes


def _declared_code(operation: Operation, status: int) -> Any:
    """The key of the response declared for ``status`` (exact, then ``4XX``, then ``default``)."""
    responses = {str(code).upper(): code for code in operation.node.get("responses") or {}}
    for candidate in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        if candidate in responses:
            return responses[candidate]
    return None


def _declared_media_type(observed: str, content: dict[str, Any]) -> str | None:
    for candidate in (observed, f"{observed.split('/')[0]}/*", "*/*"):
        if candidate in content:
            return candidate
    return None


def _listing(details: list[str]) -> str:
    shown = ", ".join(details[:_MAX_LISTED])
    return shown + (f" and {len(details) - _MAX_LISTED} more" if len(details) > _MAX_LISTED else "")
