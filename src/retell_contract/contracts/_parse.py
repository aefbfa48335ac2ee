"""Read a contract file into an OpenAPI document, and validate it against the OpenAPI meta-schema.

Apart from the loader so the built-in contracts' shipped parse (``_validated.py``) is made
by the same code, and so PyYAML (~40 ms to import) loads only when YAML is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from retell_contract.errors import ContractError, first_line, yaml_problem


def parse_document(source: str, text: str) -> dict[str, Any]:
    """Parse YAML or JSON text into a mapping that claims to be an OpenAPI 3.x document."""
    import yaml

    try:
        document = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        raise ContractError(f"{source}: not valid JSON ({error.msg} at line {error.lineno})") from None
    except yaml.YAMLError as error:
        raise ContractError(f"{source}: not valid YAML ({yaml_problem(error)})") from None
    return openapi_document(source, document)


def parse_yaml_fast(source: str, text: str) -> dict[str, Any]:
    """Parse YAML known to be a good OpenAPI document, with libyaml's parser when present."""
    import yaml

    return openapi_document(source, yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


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
