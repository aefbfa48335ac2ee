"""Load and validate a contract file, and expose what the rest of the code needs from it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from retell_contract.contracts._normalize import JsonSchema, resolve_pointer, to_json_schema
from retell_contract.errors import ContractError, RefError, UsageError, first_line, yaml_problem

BUILTIN_CONTRACT = "create-web-call.openapi.yaml"
DEFAULT_METHOD = "post"
DEFAULT_PATH = "/v2/create-web-call"
# Fallback for contracts without x-lifecycle (e.g. Retell's own spec): its descriptions
# say "Available after call ends" for post-call fields.
_AFTER_END = re.compile(r"(available|only available) after (the )?call ends", re.IGNORECASE)


@dataclass(frozen=True)
class Agent:
    """An agent the target knows, with the versions it has (ascending; empty if unknown)."""

    agent_id: str
    versions: tuple[int, ...]

    @classmethod
    def from_spec(cls, spec: str) -> Agent:
        """Parse the command-line form ``ID`` (versions unknown) or ``ID:1,2,5``.

        Raises UsageError naming the spec when it has no id or its versions are not
        non-negative integers.
        """
        agent_id, colon, versions_text = spec.partition(":")
        if not agent_id.strip():
            raise UsageError(f"agent {spec!r} has no id; use ID or ID:VERSION[,VERSION...]")
        if not colon:
            return cls(agent_id, ())
        try:
            versions = tuple(sorted({int(part) for part in versions_text.split(",")}))
        except ValueError:
            raise UsageError(
                f"agent {spec!r}: versions must be comma-separated integers, e.g. {agent_id}:1,2"
            ) from None
        if any(version < 0 for version in versions):
            raise UsageError(f"agent {spec!r}: versions cannot be negative")
        return cls(agent_id, versions)


@dataclass(frozen=True)
class Contract:
    """One loaded, validated contract of ``POST /v2/create-web-call``.

    Schemas are self-contained JSON Schema 2020-12 (references inlined, OpenAPI 3.0
    spellings rewritten), ready for any JSON Schema validator.
    """

    source: str
    document: Mapping[str, Any] = field(repr=False)
    openapi_version: str
    method: str
    path: str
    request_schema: JsonSchema = field(repr=False)
    response_schemas: Mapping[int, JsonSchema | None] = field(repr=False)
    error_examples: Mapping[int, str] = field(repr=False)
    success_status: int

    @property
    def status_codes(self) -> tuple[int, ...]:
        """Every documented status code, ascending."""
        return tuple(sorted(self.response_schemas))

    @property
    def error_status_codes(self) -> tuple[int, ...]:
        """Documented status codes other than the success one."""
        return tuple(code for code in self.status_codes if code != self.success_status)

    @property
    def call_object_schema(self) -> JsonSchema:
        """Schema of the call object returned with the success status."""
        schema = self.response_schemas.get(self.success_status)
        if schema is None:
            raise ContractError(f"{self.source}: the {self.success_status} response has no JSON schema")
        return schema

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

    @cached_property
    def response_validators(self) -> Mapping[int, Draft202012Validator]:
        """JSON Schema validators for each documented response body (built once per contract)."""
        return {code: Draft202012Validator(s) for code, s in self.response_schemas.items() if s is not None}

    @property
    def call_object_validator(self) -> Draft202012Validator:
        """A JSON Schema validator for call objects."""
        self.call_object_schema  # noqa: B018 - raises ContractError when there is no schema
        return self.response_validators[self.success_status]

    def response_schema(self, status: int) -> JsonSchema | None:
        """Schema documented for ``status``, or None when undocumented or bodiless."""
        return self.response_schemas.get(status)

    def error_message(self, status: int) -> str:
        """The documented example message for an error status (a generic one if none)."""
        return self.error_examples.get(status, f"Request failed with status {status}.")

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
        return tuple(sorted({v for v in examples if isinstance(v, int) and not isinstance(v, bool)}))

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


def load_contract(
    path: str | Path | None = None, *, method: str = DEFAULT_METHOD, operation_path: str = DEFAULT_PATH
) -> Contract:
    """Load a contract file (OpenAPI 3.0 or 3.1, YAML or JSON); the built-in one if no path.

    Raises ContractError with a one-line message naming the file and the problem.
    """
    if path is None:
        return _builtin_contract(method.lower(), operation_path)
    location = Path(path)
    try:
        text = location.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractError(f"{location}: contract file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ContractError(f"{location}: cannot read contract file ({first_line(error)})") from None
    return _build(str(location), text, method.lower(), operation_path)


@cache
def _builtin_contract(method: str, operation_path: str) -> Contract:
    text = resources.files(__package__).joinpath(BUILTIN_CONTRACT).read_text(encoding="utf-8")
    return _build(f"<built-in {BUILTIN_CONTRACT}>", text, method, operation_path)


def parse_document(source: str, text: str) -> dict[str, Any]:
    """Parse YAML or JSON text into a mapping that claims to be an OpenAPI 3.x document."""
    try:
        document = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise ContractError(f"{source}: not valid JSON ({error.msg} at line {error.lineno})") from None
    except yaml.YAMLError as error:
        raise ContractError(f"{source}: not valid YAML ({yaml_problem(error)})") from None
    return openapi_document(source, document)


def openapi_document(source: str, data: Any) -> dict[str, Any]:
    """Already-parsed data as an OpenAPI 3.0/3.1 document with string keys (ContractError if not)."""
    if not isinstance(data, Mapping):
        raise ContractError(f"{source}: not an OpenAPI document (top level is {type(data).__name__})")
    document = dict(with_string_keys(data))
    version = document.get("openapi")
    if not isinstance(version, str) or not re.fullmatch(r"3\.[01]\.\d+", version):
        raise ContractError(f"{source}: not an OpenAPI 3.0/3.1 document (openapi field is {version!r})")
    return document


def with_string_keys(node: Any) -> Any:
    """YAML reads ``201:`` as an integer key; JSON, and so OpenAPI, only has string keys."""
    if isinstance(node, Mapping):
        return {_json_key(key): with_string_keys(value) for key, value in node.items()}
    if isinstance(node, list):
        return [with_string_keys(item) for item in node]
    return node


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    return json.dumps(key) if key is None or isinstance(key, int | float | bool) else str(key)


def validate_document(source: str, document: Mapping[str, Any]) -> None:
    """Validate against the OpenAPI meta-schema; raise ContractError on the first problem."""
    # Imported here: the validator costs ~0.2 s to import, and the pytest plugin imports this
    # package in every test run of every project that installs it.
    from openapi_spec_validator import validate as validate_openapi
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
    from referencing.exceptions import Unresolvable

    try:
        validate_openapi(document)
    except OpenAPIValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "document root"
        raise ContractError(f"{source}: invalid OpenAPI ({first_line(error.message)} at {where})") from None
    except Unresolvable as error:
        raise ContractError(f"{source}: $ref {getattr(error, 'ref', '?')!r} points at nothing") from None


def _build(source: str, text: str, method: str, operation_path: str) -> Contract:
    try:
        return _build_contract(source, text, method, operation_path)
    except RefError as error:  # the validator does not follow every $ref (requestBody ones)
        raise ContractError(f"{source}: {error}") from None


def _build_contract(source: str, text: str, method: str, operation_path: str) -> Contract:
    document = parse_document(source, text)
    validate_document(source, document)
    operation = document.get("paths", {}).get(operation_path, {}).get(method)
    if not isinstance(operation, Mapping):
        raise ContractError(f"{source}: no {method.upper()} {operation_path} operation")
    openapi_30 = document["openapi"].startswith("3.0")

    def media_of(node: Any) -> Mapping[str, Any]:
        """The application/json media object of a request body or response (refs followed)."""
        while isinstance(node, Mapping) and "$ref" in node:
            node = resolve_pointer(document, node["$ref"])
        media = node.get("content", {}).get("application/json", {}) if isinstance(node, Mapping) else {}
        return media if isinstance(media, Mapping) else {}

    def schema_of(node: Any) -> Any:
        schema = media_of(node).get("schema")
        return None if schema is None else to_json_schema(schema, document, openapi_30=openapi_30)

    request_schema = schema_of(operation.get("requestBody", {}))
    if not isinstance(request_schema, dict):
        raise ContractError(f"{source}: {operation_path} has no application/json request body schema")
    responses: dict[int, JsonSchema | None] = {}
    examples: dict[int, str] = {}
    for code, response in (operation.get("responses") or {}).items():
        if not str(code).isdigit():
            continue  # "default" and "4XX" ranges document nothing a check can pin down
        responses[int(code)] = schema_of(response)
        example = media_of(response).get("example")
        if isinstance(example, Mapping) and isinstance(example.get("message"), str):
            examples[int(code)] = example["message"]
    successes = sorted(code for code in responses if 200 <= code < 300)
    if not successes:
        raise ContractError(f"{source}: {operation_path} documents no 2xx response")
    for name, schema in [
        ("request body", request_schema),
        *((f"response {c}", s) for c, s in responses.items()),
    ]:
        _check_json_schema(source, name, schema)
    return Contract(
        source=source,
        document=document,
        openapi_version=document["openapi"],
        method=method.upper(),
        path=operation_path,
        request_schema=request_schema,
        response_schemas=responses,
        error_examples=examples,
        success_status=successes[0],
    )


def _check_json_schema(source: str, name: str, schema: JsonSchema | None) -> None:
    if schema is None:
        return
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "root"
        raise ContractError(
            f"{source}: {name} schema is invalid ({first_line(error.message)} at {where})"
        ) from None
