"""Contract against contract: every path, method, parameter, request body and response.

An operation the new contract newly deprecates is a change of its own. When it names a
successor (``x-successor``: an operationId), the successor is compared with it as a
client moving over meets it: the same request body sent, and the successor's success
response read instead (top-level fields only; see ``compare_top_level``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from retell_contract.contracts import resolve_pointer, to_json_schema
from retell_contract.drift import _rules as rules
from retell_contract.drift._canonical import Node, canonical
from retell_contract.drift._model import Change, ChangeKind, Direction
from retell_contract.drift._schemas import ChangeSink, compare_schemas, compare_top_level
from retell_contract.errors import ContractError, RefError

K = ChangeKind
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON = "application/json"
_TEMPLATE = re.compile(r"\{[^}/]*\}")


@dataclass(frozen=True)
class Operation:
    """One method of one path, with the parameters its path item declares for every method."""

    path: str
    method: str
    node: Mapping[str, Any]
    shared_parameters: tuple[Any, ...]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class ApiDocument:
    """A parsed, validated OpenAPI 3.0/3.1 document and where it came from."""

    source: str
    document: Mapping[str, Any]

    @property
    def openapi_30(self) -> bool:
        return str(self.document.get("openapi", "")).startswith("3.0")

    def resolve(self, node: Any) -> Any:
        """Follow ``$ref`` chains of non-schema objects (responses, parameters, bodies)."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            seen.add(node["$ref"])
            with self._naming_the_file():
                node = resolve_pointer(self.document, node["$ref"])
        return node if isinstance(node, Mapping) else {}

    def schema(self, media: Any) -> Node:
        """The canonical schema of a media object (``{}``, anything, when it has none)."""
        raw = self.resolve(media).get("schema")
        if raw is None:
            return {}
        with self._naming_the_file():
            return canonical(to_json_schema(raw, self.document, openapi_30=self.openapi_30))

    @contextmanager
    def _naming_the_file(self) -> Iterator[None]:
        try:
            yield
        except RefError as error:
            raise ContractError(f"{self.source}: {error}") from None

    def operations(self) -> dict[str, dict[str, Operation]]:
        """``{path template with blank parameter names: {method: operation}}``."""
        found: dict[str, dict[str, Operation]] = {}
        for path, raw_item in (self.document.get("paths") or {}).items():
            item = self.resolve(raw_item)
            shared = tuple(item.get("parameters") or ())
            methods = {
                method: Operation(str(path), method, self.resolve(item[method]), shared)
                for method in METHODS
                if method in item
            }
            found.setdefault(path_template(str(path)), {}).update(methods)
        return found

    def operation_by_id(self, operation_id: str) -> Operation | None:
        """The operation whose ``operationId`` is ``operation_id``, if any."""
        for methods in self.operations().values():
            for operation in methods.values():
                if operation.node.get("operationId") == operation_id:
                    return operation
        return None

    def parameters(self, operation: Operation) -> dict[tuple[str, str], Mapping[str, Any]]:
        """Parameters keyed by (location, name); path parameters by position, so renames are no change."""
        merged: dict[tuple[str, str], Mapping[str, Any]] = {}
        for raw in [*operation.shared_parameters, *(operation.node.get("parameters") or ())]:
            parameter = self.resolve(raw)
            where, name = str(parameter.get("in", "")), str(parameter.get("name", ""))
            merged[(where, _parameter_key(where, name, operation.path))] = parameter
        return merged


def path_template(path: str) -> str:
    """``/calls/{call_id}`` → ``/calls/{}``: parameter names do not make a path different."""
    return _TEMPLATE.sub("{}", path)


def diff_documents(old: ApiDocument, new: ApiDocument) -> list[Change]:
    """Every change between two API documents, judged for their clients."""
    changes: list[Change] = []
    before, after = old.operations(), new.operations()
    for template in sorted(set(before) | set(after)):
        old_methods, new_methods = before.get(template, {}), after.get(template, {})
        for method in _ordered(set(old_methods) | set(new_methods)):
            name = (new_methods.get(method) or old_methods[method]).name
            if method not in old_methods or method not in new_methods:
                changes.append(_operation_change(name, method, old_methods, new_methods))
                continue
            changes += _diff_operation(name, old, old_methods[method], new, new_methods[method])
            changes += _deprecation(old_methods[method], new, new_methods[method])
    return changes


def _standing(operation: Operation) -> tuple[Any, ...]:
    """What an operation's deprecation says: whether, until when, and in favour of what."""
    node = operation.node
    return (node.get("deprecated") is True, node.get("x-sunset"), node.get("x-successor"))


def _deprecation(old_op: Operation, new: ApiDocument, new_op: Operation) -> list[Change]:
    """The deprecation NEW declares and OLD did not, and what moving to its successor changes."""
    deprecated, sunset, successor_id = _standing(new_op)
    if not deprecated or _standing(old_op) == _standing(new_op):
        return []
    successor = new.operation_by_id(successor_id) if isinstance(successor_id, str) else None
    facts = [f"sunset {sunset}" if sunset is not None else "no sunset date"]
    if successor is not None:
        facts.append(f"successor {successor.name}")
    elif successor_id is not None:
        facts.append(f"successor {successor_id} (not declared)")
    sink = ChangeSink(new_op.name, Direction.OPERATION)
    sink.report((), K.DEPRECATED, detail="; ".join(facts))
    if successor is None:
        return sink.changes
    return sink.changes + _succession(new, new_op, successor)


def _succession(document: ApiDocument, old_op: Operation, new_op: Operation) -> list[Change]:
    """What a client of ``old_op`` meets when it calls ``new_op`` instead (both in ``document``)."""
    name = f"{old_op.name} → {new_op.name}"
    request = ChangeSink(name, Direction.REQUEST)
    _diff_request_body(
        document,
        document.resolve(old_op.node.get("requestBody")),
        document,
        document.resolve(new_op.node.get("requestBody")),
        request,
    )
    response = ChangeSink(name, Direction.RESPONSE)
    old_code, new_code = _success_code(old_op), _success_code(new_op)
    if old_code is not None and new_code is not None:
        head = f"response {old_code}" if old_code == new_code else f"response {old_code} → {new_code}"
        before, after = _json_schema(document, old_op, old_code), _json_schema(document, new_op, new_code)
        compare_top_level(before, after, (head,), response)
    return request.changes + response.changes


def _success_code(operation: Operation) -> str | None:
    codes = sorted(str(code) for code in operation.node.get("responses") or {} if str(code).startswith("2"))
    return codes[0] if codes else None


def _json_schema(document: ApiDocument, operation: Operation, code: str) -> Node:
    responses = {str(key): value for key, value in (operation.node.get("responses") or {}).items()}
    media = media_types(document.resolve(responses[code])).get(JSON)
    return {} if media is None else document.schema(media)


def _ordered(methods: set[str]) -> list[str]:
    return sorted(methods, key=METHODS.index)


def _operation_change(
    name: str, method: str, before: Mapping[str, Operation], after: Mapping[str, Operation]
) -> Change:
    """A method that exists on one side only: the whole path is new (or gone) when it has no other."""
    sink = ChangeSink(name, Direction.OPERATION)
    added = method in after
    whole_path = not (before if added else after)
    if whole_path:
        kind = K.PATH_ADDED if added else K.PATH_REMOVED
    else:
        kind = K.METHOD_ADDED if added else K.METHOD_REMOVED
    sink.report((), kind)  # the operation's name says which path and method
    return sink.changes[0]


def _diff_operation(
    name: str, old: ApiDocument, old_op: Operation, new: ApiDocument, new_op: Operation
) -> list[Change]:
    request = ChangeSink(name, Direction.REQUEST)
    _diff_parameters(old, old_op, new, new_op, request)
    old_body, new_body = (
        old.resolve(old_op.node.get("requestBody")),
        new.resolve(new_op.node.get("requestBody")),
    )
    _diff_request_body(old, old_body, new, new_body, request)
    response = ChangeSink(name, Direction.RESPONSE)
    old_responses, new_responses = old_op.node.get("responses") or {}, new_op.node.get("responses") or {}
    _diff_responses(old, old_responses, new, new_responses, response)
    return request.changes + response.changes


def _parameter_key(where: str, name: str, path: str) -> str:
    if where == "path":
        names = [match.group()[1:-1] for match in _TEMPLATE.finditer(path)]
        return f"#{names.index(name)}" if name in names else name
    return name.lower() if where == "header" else name


def _diff_parameters(
    old: ApiDocument, old_op: Operation, new: ApiDocument, new_op: Operation, sink: ChangeSink
) -> None:
    before, after = old.parameters(old_op), new.parameters(new_op)
    for key in sorted(set(before) | set(after)):
        parameter = after.get(key) or before[key]
        location = (f"{key[0]} parameter {parameter.get('name', key[1])}",)
        if key not in before:
            required = rules.REQUIRED if after[key].get("required") else rules.OPTIONAL
            sink.report(location, K.FIELD_ADDED, required)
        elif key not in after:
            sink.report(location, K.FIELD_REMOVED, rules.PARAMETER)
        else:
            if bool(before[key].get("required")) != bool(after[key].get("required")):
                sink.report(location, K.REQUIRED_ADDED if after[key].get("required") else K.REQUIRED_REMOVED)
            compare_schemas(
                _parameter_schema(old, before[key]), _parameter_schema(new, after[key]), location, sink
            )


def _parameter_schema(document: ApiDocument, parameter: Mapping[str, Any]) -> Node:
    if "schema" in parameter:
        return document.schema(parameter)
    content = parameter.get("content") or {}
    return document.schema(next(iter(content.values()))) if content else {}


def _diff_request_body(
    old: ApiDocument, before: Mapping[str, Any], new: ApiDocument, after: Mapping[str, Any], sink: ChangeSink
) -> None:
    head = "request body"
    if bool(before.get("required")) != bool(after.get("required")):
        sink.report((head,), K.REQUIRED_ADDED if after.get("required") else K.REQUIRED_REMOVED)
    for media_type, old_media, new_media in _media_pairs(before, after, head, sink):
        compare_schemas(old.schema(old_media), new.schema(new_media), (_head(head, media_type),), sink)


def _diff_responses(
    old: ApiDocument, before: Mapping[str, Any], new: ApiDocument, after: Mapping[str, Any], sink: ChangeSink
) -> None:
    old_codes = {str(code).upper(): code for code in before}
    new_codes = {str(code).upper(): code for code in after}
    for code in sorted(set(old_codes) | set(new_codes)):
        head = f"response {code.lower() if code == 'DEFAULT' else code}"
        if code not in old_codes:
            sink.report((head,), K.STATUS_CODE_ADDED)
            continue
        if code not in new_codes:
            success = rules.SUCCESS if code.startswith("2") else rules.NOT_SUCCESS
            sink.report((head,), K.STATUS_CODE_REMOVED, success)
            continue
        old_response = old.resolve(before[old_codes[code]])
        new_response = new.resolve(after[new_codes[code]])
        for media_type, old_media, new_media in _media_pairs(old_response, new_response, head, sink):
            compare_schemas(old.schema(old_media), new.schema(new_media), (_head(head, media_type),), sink)


def _media_pairs(
    before: Mapping[str, Any], after: Mapping[str, Any], head: str, sink: ChangeSink
) -> Iterator[tuple[str, Any, Any]]:
    """Report media types added or removed; yield the ones on both sides."""
    old_content, new_content = media_types(before), media_types(after)
    for media_type in sorted(set(old_content) | set(new_content)):
        if media_type not in old_content:
            condition = rules.DECLARED if sink.direction is Direction.RESPONSE else rules.ALWAYS
            sink.report((head,), K.CONTENT_TYPE_ADDED, condition, detail=media_type)
        elif media_type not in new_content:
            sink.report((head,), K.CONTENT_TYPE_REMOVED, detail=media_type)
        else:
            yield media_type, old_content[media_type], new_content[media_type]


def media_types(node: Mapping[str, Any]) -> dict[str, Any]:
    """The media objects of a request body or response, by lower-cased media type."""
    return {str(media_type).lower(): media for media_type, media in (node.get("content") or {}).items()}


def _head(head: str, media_type: str) -> str:
    return head if media_type == JSON else f"{head} ({media_type})"
