"""A loaded contract: what the rest of the code needs from it (operations, schemas, enums)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from jsonschema import Draft202012Validator

from retell_contract._json_semantics import is_int
from retell_contract.contracts._agents import Agent
from retell_contract.contracts._normalize import JsonSchema
from retell_contract.contracts._operations import CREATE_V2, CREATE_V3, GET_CALL, Operation
from retell_contract.contracts._webhooks import WebhookEvent, read_webhooks
from retell_contract.errors import ContractError

T = TypeVar("T")
# Fallback for contracts without x-lifecycle (e.g. Retell's own spec): its descriptions
# say "Available after call ends" for post-call fields.
_AFTER_END = re.compile(r"(available|only available) after (the )?call ends", re.IGNORECASE)


@dataclass(frozen=True)
class Contract:
    """One loaded, validated contract: every operation it declares, and a primary one.

    Schemas are self-contained JSON Schema 2020-12 (references inlined, OpenAPI 3.0
    spellings rewritten), ready for any JSON Schema validator. ``method``, ``path``,
    ``request_schema``, ``response_schemas`` and friends describe the primary operation
    (create-web-call: v2 where declared, else v3); :meth:`operation` gives any other.
    """

    source: str
    document: Mapping[str, Any] = field(repr=False)
    openapi_version: str
    operations: tuple[Operation, ...] = field(repr=False)
    primary: Operation = field(repr=False)

    @property
    def method(self) -> str:
        return self.primary.method

    @property
    def path(self) -> str:
        return self.primary.path

    @property
    def request_schema(self) -> JsonSchema:
        schema = self.primary.request_schema
        assert schema is not None  # the loader only makes an operation with a body primary
        return schema

    @property
    def response_schemas(self) -> Mapping[int, JsonSchema | None]:
        return self.primary.response_schemas

    @property
    def error_examples(self) -> Mapping[int, str]:
        return self.primary.error_examples

    @property
    def success_status(self) -> int:
        return self.primary.success_status

    @property
    def status_codes(self) -> tuple[int, ...]:
        """Every status code the primary operation documents, ascending."""
        return self.primary.status_codes

    @property
    def error_status_codes(self) -> tuple[int, ...]:
        """The primary operation's documented status codes other than the success one."""
        return self.primary.error_status_codes

    @property
    def operation_names(self) -> tuple[str, ...]:
        """Names of the declared operations, in document order."""
        return tuple(op.name for op in self.operations)

    def has_operation(self, name: str) -> bool:
        return name in self.operation_names

    def operation(self, name: str) -> Operation:
        """The operation called ``name`` (ContractError naming the ones there are if none)."""
        for op in self.operations:
            if op.name == name:
                return op
        raise ContractError(
            f"{self.source}: no {name!r} operation (it declares {', '.join(self.operation_names)})"
        )

    def operation_for(self, method: str, path: str) -> Operation | None:
        """The declared operation a request line belongs to, or None."""
        return next((op for op in self.operations if op.matches(method, path)), None)

    @property
    def create_operations(self) -> tuple[Operation, ...]:
        """The create-web-call operations (those with a request body)."""
        return tuple(op for op in self.operations if op.request_schema is not None)

    @property
    def connection_schema(self) -> JsonSchema:
        """Schema of v3's 201 body: connection details (ContractError if v3 is not declared)."""
        schema = self.operation(CREATE_V3).success_schema
        if schema is None:
            raise ContractError(f"{self.source}: the create-v3 success response has no JSON schema")
        return schema

    @cached_property
    def call_object_schema(self) -> JsonSchema:
        """Schema of the call object: v2's 201 body, else get-call's 200 body."""
        for name in (CREATE_V2, GET_CALL):
            if self.has_operation(name) and (schema := self.operation(name).success_schema) is not None:
                return schema
        if self.primary.name == CREATE_V3:
            raise ContractError(f"{self.source}: a contract with v3 only needs get-call for the call object")
        raise ContractError(f"{self.source}: the {self.success_status} response has no JSON schema")

    @cached_property
    def call_object_validator(self) -> Draft202012Validator:
        """A JSON Schema validator for call objects."""
        return Draft202012Validator(self.call_object_schema)

    @property
    def error_schema(self) -> JsonSchema:
        """Schema of the JSON error object (taken from the first documented error status)."""
        for code in self.error_status_codes:
            schema = self.response_schemas[code]
            if schema is not None:
                return schema
        raise ContractError(f"{self.source}: no error response has a JSON schema")

    @cached_property
    def request_validator(self) -> Draft202012Validator:
        """A JSON Schema validator for request bodies (built once per contract)."""
        return Draft202012Validator(self.request_schema)

    @property
    def response_validators(self) -> Mapping[int, Draft202012Validator]:
        """JSON Schema validators for each documented response body of the primary operation."""
        return self.primary.response_validators

    def response_schema(self, status: int) -> JsonSchema | None:
        """Schema documented for ``status``, or None when undocumented or bodiless."""
        return self.primary.response_schema(status)

    def error_message(self, status: int) -> str:
        """The documented example message for an error status (a generic one if none)."""
        return self.primary.error_message(status)

    def call_field(self, *path: str) -> JsonSchema:
        """Schema of a (nested) call-object field, e.g. ``call_field("latency", "e2e")``."""
        return _descend(self.call_object_schema, path, self.source, "call object")

    def request_field(self, *path: str) -> JsonSchema:
        """Schema of a (nested) request-body field, e.g. ``request_field("agent_id")``."""
        return _descend(self.request_schema, path, self.source, "request body")

    def enum(self, *path: str) -> tuple[Any, ...]:
        """Allowed values of a call-object field (without ``None``)."""
        values = self.call_field(*path).get("enum")
        if not isinstance(values, list):
            raise ContractError(f"{self.source}: call object field {'.'.join(path)} has no enum")
        return tuple(value for value in values if value is not None)

    @cached_property
    def web_call_reasons(self) -> tuple[str, ...]:
        """Disconnection reasons a web call can have: ``x-web-call-values``, else the whole enum."""
        declared = self.call_field("disconnection_reason").get("x-web-call-values")
        every = self.enum("disconnection_reason")
        if isinstance(declared, list):
            return tuple(reason for reason in every if reason in declared)
        return every

    @property
    def required_call_fields(self) -> tuple[str, ...]:
        return tuple(self.call_object_schema.get("required", ()))

    @property
    def post_call_fields(self) -> tuple[str, ...]:
        """Call-object fields that only exist once the call has ended."""
        return self._fields_in_lifecycle("ended")

    @property
    def started_call_fields(self) -> tuple[str, ...]:
        """Call-object fields that exist once the call has started."""
        return self._fields_in_lifecycle("started")

    def _fields_in_lifecycle(self, stage: str) -> tuple[str, ...]:
        properties = self.call_object_schema.get("properties", {})
        return tuple(name for name, sub in properties.items() if _lifecycle(sub) == stage)

    @property
    def echoed_fields(self) -> tuple[str, ...]:
        """Request fields the call object returns unchanged (present in both schemas)."""
        response = self.call_object_schema.get("properties", {})
        return tuple(name for name in self.request_schema.get("properties", {}) if name in response)

    @property
    def example_versions(self) -> tuple[int, ...]:
        """Agent versions the request schema gives as examples (ascending; empty if none)."""
        examples = self.request_schema.get("properties", {}).get("agent_version", {}).get("examples") or ()
        return tuple(sorted({v for v in examples if is_int(v)}))

    @property
    def server_url(self) -> str | None:
        """The first server URL the contract declares, without a trailing slash."""
        servers = self.document.get("servers") or []
        url = servers[0].get("url") if servers and isinstance(servers[0], Mapping) else None
        return url.rstrip("/") if isinstance(url, str) and url else None

    @property
    def default_agent(self) -> Agent:
        """The agent a target is assumed to have when none is configured."""
        declared = self.document.get("info", {}).get("x-default-agent")
        if isinstance(declared, Mapping) and declared.get("agent_id"):
            return Agent(str(declared["agent_id"]), tuple(int(v) for v in declared.get("versions", ())))
        examples = self.request_field("agent_id").get("examples") or ["agent"]
        return Agent(str(examples[0]), ())

    @cached_property
    def webhook_events(self) -> tuple[WebhookEvent, ...]:
        """The webhook events the contract declares (OpenAPI 3.1 ``webhooks``), in order."""
        return read_webhooks(self.source, self.document)

    def webhook_event(self, name: str) -> WebhookEvent:
        """The declared webhook event ``name`` (ContractError naming the known ones)."""
        for event in self.webhook_events:
            if event.name == name:
                return event
        known = ", ".join(e.name for e in self.webhook_events) or "none"
        raise ContractError(f"{self.source}: no webhook event {name!r} (declared: {known})")

    def derived(self, derive: Callable[[Contract], T]) -> T:
        """``derive(self)``, computed once and kept with this contract (contracts are immutable).

        Modules that read facts off a contract (consistency rules, strategies) cache them
        here, so the cache lives and dies with the contract instead of in a global table.
        """
        cache = self._derived
        if derive not in cache:
            cache[derive] = derive(self)
        result: T = cache[derive]
        return result

    @cached_property
    def _derived(self) -> dict[Callable[[Contract], Any], Any]:
        return {}


def _lifecycle(schema: JsonSchema) -> str | None:
    declared = schema.get("x-lifecycle")
    if isinstance(declared, str):
        return declared
    description = schema.get("description", "")
    return "ended" if isinstance(description, str) and _AFTER_END.search(description) else None


def _descend(schema: JsonSchema, path: tuple[str, ...], source: str, what: str) -> JsonSchema:
    node = schema
    for depth, name in enumerate(path):
        properties = node.get("properties", {})
        if name not in properties:
            where = ".".join(path[: depth + 1])
            raise ContractError(f"{source}: the {what} schema has no field {where!r}")
        node = properties[name]
    return node
