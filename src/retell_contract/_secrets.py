"""What counts as a secret, shared by report masking and cassette scrubbing.

The report (``***``) and the cassettes (stable placeholders) replace secrets differently,
but must agree on what they are; this module is the one place that says so. It imports
nothing heavy, so ``report`` does not load vcrpy through ``cassettes``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

# The environment variable that holds the API key (read by the CLI and the plugin, and
# named in printed curl commands in place of the key).
API_KEY_VARIABLE = "RETELL_API_KEY"
# The call-object field whose value is a credential for joining the call.
TOKEN_FIELD = "access_token"
# How every cassette placeholder starts ("scrubbed-access-token-3"). Each cassette numbers
# its own from 1, so such a value is unique only within its cassette.
SCRUBBED_PREFIX = "scrubbed-"
# A secret shorter than this is not a real key (Retell's are far longer). Printed output
# masks such a secret only where it stands on its own, so `--api-key e` does not turn
# every "e" of the report into ***; a real key is masked wherever it appears.
MIN_SECRET_LENGTH = 8
# The header that carries a webhook delivery's signature (a credential for five minutes).
SIGNATURE_HEADER_NAME = "x-retell-signature"
# Where v3's connection details carry the TURN relay's password (a short-lived credential).
ICE_CREDENTIAL_PATH = ("ice_servers", "*", "credential")
WILDCARD = "*"  # in a field path: any key or index


def map_field(node: Any, name: str, leaf: Callable[[Any], Any]) -> Any:
    """``node`` with ``leaf`` applied to the value of every ``name`` key, at any depth."""
    if isinstance(node, dict):
        return {
            key: leaf(value) if key == name else map_field(value, name, leaf) for key, value in node.items()
        }
    if isinstance(node, list):
        return [map_field(item, name, leaf) for item in node]
    return node


def map_path(node: Any, path: Sequence[str], leaf: Callable[[Any], Any]) -> Any:
    """``node`` with ``leaf`` applied to each value at ``path`` (``*`` matches any key or index).

    Scrubbing, replay matching and report masking all use it, so they agree on what a
    path covers.
    """
    if not path:
        return leaf(node)
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {
            key: map_path(value, rest, leaf) if head in (WILDCARD, key) else value
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [
            map_path(item, rest, leaf) if head in (WILDCARD, str(index)) else item
            for index, item in enumerate(node)
        ]
    return node


def longest_first(secrets: Iterable[Any]) -> tuple[str, ...]:
    """Distinct non-empty string secrets, longest first, so a key is replaced before any
    shorter secret that is part of it."""
    return tuple(sorted({s for s in secrets if isinstance(s, str) and s}, key=len, reverse=True))


def secrets_pattern(secrets: Iterable[Any]) -> re.Pattern[str] | None:
    """A regex matching each secret where printed output must mask it (None: no secrets).

    A secret of :data:`MIN_SECRET_LENGTH` or more matches anywhere (inside a probe's
    ``key + "x"`` too); a shorter one only as a value of its own: a header value, a JSON
    string, a URL part or a word, never inside another word.
    """
    alternatives = [
        re.escape(secret)
        if len(secret) >= MIN_SECRET_LENGTH
        else rf"(?<![^\W_]){re.escape(secret)}(?![^\W_])"
        for secret in longest_first(secrets)
    ]
    return re.compile("|".join(alternatives)) if alternatives else None


def too_short(secret: str | None) -> bool:
    """Whether ``secret`` is too short to be a real key (worth a warning)."""
    return bool(secret) and len(secret or "") < MIN_SECRET_LENGTH
