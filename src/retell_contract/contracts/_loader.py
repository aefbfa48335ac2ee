"""Load and validate a contract file (or a built-in one) into a :class:`Contract`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from retell_contract.contracts._contract import Contract
from retell_contract.contracts._normalize import JsonSchema, resolve_pointer, to_json_schema
from retell_contract.contracts._operations import CREATE_V2, CREATE_V3, ROLES, Operation
from retell_contract.contracts._parse import parse_document, parse_yaml_fast, validate_document
from retell_contract.contracts._validated import already_validated, shipped_document
from retell_contract.errors import ContractError, RefError, first_line

# Built-in contracts by short name: today's API (the default) and the seed era's.
BUILTIN_CONTRACTS = {"today": "today.openapi.yaml", "seed": "seed.openapi.yaml"}
DEFAULT_CONTRACT = "today"
BUILTIN_CONTRACT = BUILTIN_CONTRACTS[DEFAULT_CONTRACT]
DEFAULT_METHOD = "post"
DEFAULT_PATH = "/v2/create-web-call"


def load_contract(
    path: str | Path | None = None,
    *,
    method: str | None = None,
    operation_path: str | None = None,
) -> Contract:
    """Load a contract: a file (OpenAPI 3.0 or 3.1, YAML or JSON) or a built-in one by name.

    ``None`` is today's API (:data:`DEFAULT_CONTRACT`); ``"seed"`` is the seed-era
    contract (POST /v2/create-web-call as its docs page had it). A path that exists is
    read as a file even when it looks like a name. ``method`` and ``operation_path``
    pick the primary operation (default: create-web-call v2 where declared, else v3).
    Raises ContractError with a one-line message naming the file and the problem.
    """
    method = method.lower() if method else None
    if path is None or (str(path) in BUILTIN_CONTRACTS and not Path(path).exists()):
        return _builtin_contract(str(path or DEFAULT_CONTRACT), method, operation_path)
    location = Path(path)
    try:
        text = location.read_text(encoding="utf-8")
    except FileNotFoundError:
        names = ", ".join(BUILTIN_CONTRACTS)
        raise ContractError(f"{location}: contract file not found (built-in contracts: {names})") from None
    except IsADirectoryError:
        raise ContractError(f"{location}: is a directory, not a contract file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ContractError(f"{location}: cannot read contract file ({first_line(error)})") from None
    return _build(str(location), text, method, operation_path)


@cache
def _builtin_contract(name: str, method: str | None, operation_path: str | None) -> Contract:
    filename = BUILTIN_CONTRACTS[name]
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    validated = already_validated(filename, text)
    return _build(
        f"<built-in {name}: {filename}>",
        text,
        method,
        operation_path,
        validated=validated,
        parsed=shipped_document(filename, text) if validated else None,
    )


def _build(
    source: str,
    text: str,
    method: str | None,
    operation_path: str | None,
    *,
    validated: bool = False,
    parsed: dict[str, Any] | None = None,
) -> Contract:
    """The contract of ``text``; ``validated`` skips the (slow) validation of a known-good file,
    and ``parsed`` (its shipped parse) the YAML parse too."""
    try:
        return _build_contract(source, text, method, operation_path, validated, parsed)
    except RefError as error:  # the validator does not follow every $ref (requestBody ones)
        raise ContractError(f"{source}: {error}") from None


def _build_contract(
    source: str,
    text: str,
    method: str | None,
    operation_path: str | None,
    validated: bool,
    parsed: dict[str, Any] | None,
) -> Contract:
    if validated and parsed is not None:
        document = parsed
    elif validated:
        document = parse_yaml_fast(source, text)
    else:
        document = parse_document(source, text)
        validate_document(source, document)
    openapi_30 = document["openapi"].startswith("3.0")
    operations = [
        _operation(source, document, path, verb, node, openapi_30=openapi_30, check=not validated)
        for path, item in (document.get("paths") or {}).items()
        if isinstance(item, Mapping)
        for verb, node in item.items()
        if verb in _HTTP_METHODS and isinstance(node, Mapping)
    ]
    # x-successor names an operationId; the rest of the code knows operations by name.
    names = {op.operation_id: op.name for op in operations if op.operation_id is not None}
    operations = [
        replace(op, successor=names.get(op.successor, op.successor)) if op.successor else op
        for op in operations
    ]
    if method or operation_path:
        want_method, want_path = (method or DEFAULT_METHOD), (operation_path or DEFAULT_PATH)
        primary = next(
            (op for op in operations if (op.method.lower(), op.path) == (want_method, want_path)), None
        )
        if primary is None:
            raise ContractError(f"{source}: no {want_method.upper()} {want_path} operation")
        if primary.request_schema is None:
            raise ContractError(f"{source}: {want_path} has no application/json request body schema")
    else:
        primary = _default_primary(source, operations)
    by_name = [op.name for op in operations]
    twice = sorted({name for name in by_name if by_name.count(name) > 1})
    if twice:
        raise ContractError(f"{source}: operation {twice[0]!r} is declared twice")
    for op in operations:
        if op.successor is not None and op.successor not in by_name:
            raise ContractError(
                f"{source}: {op.name} names x-successor {op.successor!r}, which it does not declare"
            )
    return Contract(
        source=source,
        document=document,
        openapi_version=document["openapi"],
        operations=tuple(operations),
        primary=primary,
    )


_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _default_primary(source: str, operations: list[Operation]) -> Operation:
    for name in (CREATE_V2, CREATE_V3):
        found = next((op for op in operations if op.name == name), None)
        if found is not None:
            if found.request_schema is None:
                raise ContractError(f"{source}: {found.path} has no application/json request body schema")
            return found
    raise ContractError(
        f"{source}: no {DEFAULT_METHOD.upper()} {DEFAULT_PATH} or /v3/create-web-call operation"
    )


def _operation(
    source: str,
    document: Mapping[str, Any],
    path: str,
    verb: str,
    node: Mapping[str, Any],
    *,
    openapi_30: bool,
    check: bool = True,
) -> Operation:
    """One operation of the document, its schemas made self-contained."""

    def media_of(item: Any) -> Mapping[str, Any]:
        """The application/json media object of a request body or response (refs followed)."""
        while isinstance(item, Mapping) and "$ref" in item:
            item = resolve_pointer(document, item["$ref"])
        media = item.get("content", {}).get("application/json", {}) if isinstance(item, Mapping) else {}
        return media if isinstance(media, Mapping) else {}

    def schema_of(item: Any) -> Any:
        schema = media_of(item).get("schema")
        return None if schema is None else to_json_schema(schema, document, openapi_30=openapi_30)

    role = ROLES.get(path)
    name = role or f"{verb.upper()} {path}"
    request_schema = schema_of(node["requestBody"]) if "requestBody" in node else None
    if request_schema is not None and not isinstance(request_schema, dict):
        raise ContractError(f"{source}: {path} request body schema is not an object schema")
    responses: dict[int, JsonSchema | None] = {}
    examples: dict[int, str] = {}
    for code, response in (node.get("responses") or {}).items():
        if not str(code).isdigit():
            continue  # "default" and "4XX" ranges document nothing a check can pin down
        responses[int(code)] = schema_of(response)
        example = media_of(response).get("example")
        if isinstance(example, Mapping) and isinstance(example.get("message"), str):
            examples[int(code)] = example["message"]
    successes = sorted(code for code in responses if 200 <= code < 300)
    if not successes:
        raise ContractError(f"{source}: {verb.upper()} {path} documents no 2xx response")
    for what, schema in [
        (f"{path} request body", request_schema),
        *((f"{path} response {c}", s) for c, s in responses.items()),
    ]:
        if check:
            _check_json_schema(source, what, schema)
    successor_id = node.get("x-successor")
    return Operation(
        name=name,
        operation_id=node.get("operationId") if isinstance(node.get("operationId"), str) else None,
        method=verb.upper(),
        path=path,
        request_schema=request_schema,
        response_schemas=responses,
        error_examples=examples,
        success_status=successes[0],
        deprecated=node.get("deprecated") is True,
        sunset=str(node["x-sunset"]) if node.get("x-sunset") is not None else None,
        successor=successor_id if isinstance(successor_id, str) else None,  # an operationId, named later
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
