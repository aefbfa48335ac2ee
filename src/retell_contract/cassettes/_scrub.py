"""Replace secrets and personal data in exchanges by stable placeholders before they reach disk.

What is replaced:
- every known secret (API keys handed in) wherever it appears as text: URL, headers,
  bodies, notes (also URL-encoded);
- the credential of every ``Authorization`` header (the scheme word is kept, so a
  malformed or missing credential stays recognisably malformed or missing);
- every ``access_token`` value in a JSON body, and that token anywhere else as text (one
  placeholder per token for the whole recording: v2's or v3's create response and the
  get-call responses of that call carry the same one);
- each TURN ``credential`` in v3's ``ice_servers`` (``expires_at`` and ``username`` stay);
- the ``x-retell-signature`` header of a webhook delivery (replay signs afresh anyway);
- the values at each configured JSON path (``metadata.email``, ``metadata.*.phone``) in the
  request and the response body alike.

A placeholder depends only on the order in which values were first seen, so one
recorder turns the same value into the same placeholder in request and response (echo
checks still pass), and distinct values into distinct placeholders (uniqueness checks
still pass). Placeholders are strings like the values they replace, except numbers,
which become distinct numbers of the same type. Values that already are placeholders are
left alone, so scrubbing twice changes nothing.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from retell_contract._secrets import (
    ICE_CREDENTIAL_PATH,
    SCRUBBED_PREFIX,
    SIGNATURE_HEADER_NAME,
    TOKEN_FIELD,
    WILDCARD,
    longest_first,
    map_field,
    map_path,
)
from retell_contract.errors import UsageError
from retell_contract.exchange import NOT_JSON, Exchange, RecordedRequest, RecordedResponse

PLACEHOLDER_PREFIX = SCRUBBED_PREFIX
# The one call-object field that is a bearer secret: whoever holds it can join the call.
# Values of scrubbed fields are also replaced as plain text (in URLs, notes, non-JSON
# bodies) only when at least this long, so that "a" does not shred every URL.
MIN_TEXT_MATCH = 4
# Credentials and tokens found in exchanges (not handed in as secrets) are replaced as
# text only when this long; a real key or token is far longer, a test's "x" is not secret.
MIN_SECRET_MATCH = 8
_SECRET_KINDS = frozenset({"api-key", "credential", "access-token", "ice-credential", "webhook-signature"})
_GLOBAL_KINDS = frozenset({"api-key", "credential"})
# Authorization values that carry no credential at all (kept so "missing" stays visible).
_BARE_SCHEMES = frozenset({"bearer", "basic", "token", "digest"})
_SCHEME_AND_CREDENTIAL = re.compile(r"^(\s*\S+\s+)(\S.*?)(\s*)$", re.DOTALL)
_PLACEHOLDER_NUMBER = re.compile(r"-(\d+)$")


def parse_field_path(path: str) -> tuple[str, ...]:
    """Split ``metadata.email`` into segments; UsageError for an empty path or segment."""
    if not isinstance(path, str) or not path.strip():
        raise UsageError(f"scrub field {path!r}: expected a dotted JSON path such as metadata.email")
    segments = tuple(path.strip().split("."))
    if any(not segment for segment in segments):
        raise UsageError(f"scrub field {path!r}: empty segment in the dotted path")
    return segments


class Scrubber:
    """Replaces secrets and chosen fields in exchanges; one instance per recording.

    ``secrets`` are API keys (or any other strings) that must never be written;
    ``fields`` are dotted JSON paths (``*`` matches any key or list index) whose values
    are personal data. Thread-safe: a run may record from several workers.
    """

    def __init__(self, *, secrets: Iterable[str] = (), fields: Iterable[str] = ()) -> None:
        self.secrets = longest_first(secrets)
        self.fields = tuple(parse_field_path(path) for path in fields)
        self._lock = threading.Lock()
        self._placeholders: dict[tuple[str, Any], Any] = {}
        self._counters: dict[str, int] = {}
        # Text replacements valid in every exchange (API keys, credentials), and the values
        # found in the exchange being scrubbed (reset for each one).
        self._global_pairs: dict[str, str] = {}
        self._local: dict[tuple[str, Any], Any] = {}
        self._pattern_cache: tuple[tuple[int, int, bool], _Pattern] | None = None
        for secret in self.secrets:
            self._placeholder("api-key", secret)

    def scrub(self, exchange: Exchange) -> Exchange:
        """A copy of ``exchange`` with every secret and scrubbed field replaced."""
        with self._lock:
            self._local = {}
            request_json, response_json = exchange.request.json(NOT_JSON), exchange.response.json(NOT_JSON)
            request_json = self._scrub_json(request_json)
            response_json = self._scrub_json(response_json)
            headers = self._scrub_authorization(exchange.request.headers)
            request = RecordedRequest(
                exchange.request.method,
                self._text(exchange.request.url),
                {name: self._text(value) for name, value in headers.items()},
                self._body(exchange.request.body, request_json),
            )
            response = RecordedResponse(
                exchange.response.status,
                {name: self._text(value) for name, value in exchange.response.headers.items()},
                self._body(exchange.response.body, response_json),
            )
            notes = {name: self._text(value, loose=True) for name, value in exchange.notes.items()}
            return Exchange(_fix_length(request), _fix_length(response), notes)

    # -- values ---------------------------------------------------------------------------

    def _placeholder(self, kind: str, value: Any) -> Any:
        """The placeholder for ``value`` of ``kind``, creating the next one on first sight."""
        key = (kind, value) if not isinstance(value, float | int) else (kind, (type(value), value))
        if key not in self._placeholders:
            number = self._counters.get(kind, 0) + 1
            self._counters[kind] = number
            if isinstance(value, int):
                self._placeholders[key] = number
            elif isinstance(value, float):
                self._placeholders[key] = float(number)
            else:
                self._placeholders[key] = f"{PLACEHOLDER_PREFIX}{kind}-{number}"
        placeholder = self._placeholders[key]
        self._local[key] = placeholder
        if (
            kind in _GLOBAL_KINDS
            and isinstance(value, str)
            and (kind == "api-key" or len(value) >= MIN_SECRET_MATCH)
        ):
            self._global_pairs[value] = placeholder
            self._global_pairs.setdefault(quote(value, safe=""), placeholder)
        return placeholder

    def _is_placeholder(self, kind: str, value: str) -> bool:
        """True for an existing placeholder; moves the counter past it so new ones stay distinct."""
        if not value.startswith(f"{PLACEHOLDER_PREFIX}{kind}-"):
            return False
        number = _PLACEHOLDER_NUMBER.search(value)
        if number is not None:
            self._counters[kind] = max(self._counters.get(kind, 0), int(number.group(1)))
        return True

    def _scrub_leaf(self, kind: str, value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value  # no personal data fits in a bool, and the type must survive
        if isinstance(value, str) and self._is_placeholder(kind, value):
            return value
        if isinstance(value, str | int | float):
            return self._placeholder(kind, value)
        if isinstance(value, list):
            return [self._scrub_leaf(kind, item) for item in value]
        if isinstance(value, dict):
            return {key: self._scrub_leaf(kind, item) for key, item in value.items()}
        return value

    # -- JSON bodies ------------------------------------------------------------------------

    def _scrub_json(self, document: Any) -> Any:
        if document is NOT_JSON:
            return document
        for path in self.fields:
            kind = path[-1] if path[-1] != WILDCARD else "field"
            document = map_path(document, path, partial(self._scrub_leaf, kind))
        document = map_path(document, ICE_CREDENTIAL_PATH, partial(self._token, "ice-credential"))
        return map_field(document, TOKEN_FIELD, partial(self._token, "access-token"))

    def _token(self, kind: str, value: Any) -> Any:
        if not isinstance(value, str) or not value or self._is_placeholder(kind, value):
            return value  # an empty or non-string token is a finding for the checks; keep it
        return self._placeholder(kind, value)

    # -- headers and text -------------------------------------------------------------------

    def _scrub_authorization(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: self._credential(value)
            if name.lower() == "authorization"
            else self._signature(value)
            if name.lower() == SIGNATURE_HEADER_NAME
            else value
            for name, value in headers.items()
        }

    def _signature(self, value: str) -> str:
        if not value or self._is_placeholder("webhook-signature", value):
            return value
        placeholder: str = self._placeholder("webhook-signature", value)
        return placeholder

    def _credential(self, value: str) -> str:
        value = self._text(value)  # known API keys become their api-key placeholder first
        match = _SCHEME_AND_CREDENTIAL.match(value)
        scheme, credential, tail = match.groups() if match else ("", value, "")
        if not credential.strip() or credential.strip().lower() in _BARE_SCHEMES:
            return value
        if credential.startswith(PLACEHOLDER_PREFIX):
            self._is_placeholder("credential", credential)
            return value
        return f"{scheme}{self._placeholder('credential', credential)}{tail}"

    def _pattern(self, *, loose: bool) -> _Pattern:
        """Everything to replace as text in the exchange at hand, as one compiled alternation.

        API keys and credentials count everywhere; tokens and field values only in the
        exchange they were found in, which keeps the pattern small however long the run.
        """
        key = (len(self._global_pairs), len(self._local), loose)
        if self._pattern_cache is None or self._pattern_cache[0] != key:
            pairs = dict(self._global_pairs)
            for (kind, value), placeholder in self._local.items():
                if not isinstance(value, str) or not isinstance(placeholder, str):
                    continue
                if kind in _SECRET_KINDS and len(value) >= MIN_SECRET_MATCH:
                    pairs[value] = placeholder
                    pairs.setdefault(quote(value, safe=""), placeholder)
                elif loose and kind not in _SECRET_KINDS and len(value) >= MIN_TEXT_MATCH:
                    pairs.setdefault(value, placeholder)
            self._pattern_cache = (key, _Pattern(pairs, always=self.secrets))
        return self._pattern_cache[1]

    def _text(self, text: str, *, loose: bool = False) -> str:
        return self._pattern(loose=loose).sub_text(text)

    def _body(self, raw: bytes, document: Any) -> bytes:
        if document is NOT_JSON:
            return self._pattern(loose=True).sub_bytes(raw)
        if json.loads(raw) != document:
            # httpx's own JSON encoding; a body with nothing to scrub keeps its exact bytes.
            raw = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Only long secrets as raw text: a short value could match JSON syntax ("null", 1234).
        return self._pattern(loose=False).sub_bytes(raw)


class _Pattern:
    """Replace many literal strings, longest first, in text or UTF-8 bytes.

    Plain ``str.replace`` per value: compiling one regex of long values costs far more
    than it saves. A value that occurs inside a placeholder is skipped (unless it is a
    secret handed in) so that an inserted placeholder is not rewritten by a later one.
    """

    def __init__(self, replacements: Mapping[str, str], *, always: Iterable[str] = ()) -> None:
        placeholders, always = set(replacements.values()), set(always)
        ordered = sorted(
            (
                (value, placeholder)
                for value, placeholder in replacements.items()
                if value and (value in always or not any(value in known for known in placeholders))
            ),
            key=lambda pair: len(pair[0]),
            reverse=True,
        )
        self._text = ordered
        self._bytes = [(value.encode("utf-8"), placeholder.encode("utf-8")) for value, placeholder in ordered]

    def sub_text(self, text: str) -> str:
        for value, placeholder in self._text:
            if value in text:
                text = text.replace(value, placeholder)
        return text

    def sub_bytes(self, raw: bytes) -> bytes:
        for value, placeholder in self._bytes:
            if value in raw:
                raw = raw.replace(value, placeholder)
        return raw


_Message = TypeVar("_Message", RecordedRequest, RecordedResponse)


def _fix_length(message: _Message) -> _Message:
    """Keep a Content-Length header true after a body changed size."""
    if "content-length" not in message.headers:
        return message
    headers = dict(message.headers)
    headers["content-length"] = str(len(message.body))
    return replace(message, headers=headers)
