"""What counts as a secret, shared by report masking and cassette scrubbing.

The report (``***``) and the cassettes (stable placeholders) replace secrets differently,
but must agree on what they are; this module is the one place that says so. It imports
nothing heavy, so ``report`` does not load vcrpy through ``cassettes``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# The environment variable that holds the API key (read by the CLI and the plugin, and
# named in printed curl commands in place of the key).
API_KEY_VARIABLE = "RETELL_API_KEY"
# The call-object field whose value is a credential for joining the call.
TOKEN_FIELD = "access_token"
# Where v3's connection details carry the TURN relay's password (a short-lived credential).
ICE_CREDENTIAL_PATH = ("ice_servers", "*", "credential")


def map_field(node: Any, name: str, leaf: Callable[[Any], Any]) -> Any:
    """``node`` with ``leaf`` applied to the value of every ``name`` key, at any depth."""
    if isinstance(node, dict):
        return {
            key: leaf(value) if key == name else map_field(value, name, leaf) for key, value in node.items()
        }
    if isinstance(node, list):
        return [map_field(item, name, leaf) for item in node]
    return node


def longest_first(secrets: Iterable[Any]) -> tuple[str, ...]:
    """Distinct non-empty string secrets, longest first, so a key is replaced before any
    shorter secret that is part of it."""
    return tuple(sorted({s for s in secrets if isinstance(s, str) and s}, key=len, reverse=True))
