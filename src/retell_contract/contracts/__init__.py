"""The contract of Retell's web-call API: the built-in files (today's and the seed era's) and their loader.

>>> from retell_contract.contracts import load_contract
>>> contract = load_contract()            # the built-in contract
>>> contract.enum("call_status")[0]
'registered'
"""

from retell_contract.contracts._agents import LATEST, LATEST_PUBLISHED, Agent
from retell_contract.contracts._contract import Contract
from retell_contract.contracts._loader import (
    BUILTIN_CONTRACT,
    BUILTIN_CONTRACTS,
    DEFAULT_CONTRACT,
    load_contract,
)
from retell_contract.contracts._normalize import JsonSchema, resolve_pointer, to_json_schema
from retell_contract.contracts._operations import (
    CREATE_V2,
    CREATE_V3,
    GET_CALL,
    OPERATION_NAMES,
    Operation,
)
from retell_contract.contracts._parse import (
    openapi_document,
    parse_document,
    validate_document,
    with_string_keys,
)
from retell_contract.contracts._webhooks import SIGNATURE_HEADER, WebhookEvent

__all__ = [
    "BUILTIN_CONTRACT",
    "BUILTIN_CONTRACTS",
    "CREATE_V2",
    "CREATE_V3",
    "DEFAULT_CONTRACT",
    "GET_CALL",
    "LATEST",
    "LATEST_PUBLISHED",
    "OPERATION_NAMES",
    "SIGNATURE_HEADER",
    "Agent",
    "Contract",
    "JsonSchema",
    "Operation",
    "WebhookEvent",
    "load_contract",
    "openapi_document",
    "parse_document",
    "resolve_pointer",
    "to_json_schema",
    "validate_document",
    "with_string_keys",
]
