"""The contract of ``POST /v2/create-web-call``: the built-in file and its loader.

>>> from retell_contract.contracts import load_contract
>>> contract = load_contract()            # the built-in contract
>>> contract.enum("call_status")[0]
'registered'
"""

from retell_contract.contracts._loader import (
    BUILTIN_CONTRACT,
    Agent,
    Contract,
    load_contract,
    openapi_document,
    parse_document,
    validate_document,
    with_string_keys,
)
from retell_contract.contracts._normalize import JsonSchema, resolve_pointer, to_json_schema

__all__ = [
    "BUILTIN_CONTRACT",
    "Agent",
    "Contract",
    "JsonSchema",
    "load_contract",
    "openapi_document",
    "parse_document",
    "resolve_pointer",
    "to_json_schema",
    "validate_document",
    "with_string_keys",
]
