"""Translate between :class:`~retell_contract.exchange.Exchange` and vcrpy's cassette shapes.

A cassette written here is an ordinary vcrpy cassette (format version 1): vcrpy's own
``Request`` objects and response dicts, serialized by vcrpy's YAML serializer, so
``vcr.use_cassette`` and pytest-recording replay it unchanged. Exchange notes travel in
the cassette's ``metadata`` (one mapping per interaction), which vcrpy keeps but ignores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from io import BytesIO
from typing import Any

from vcr.request import Request
from vcr.serialize import CASSETTE_FORMAT_VERSION, serialize
from vcr.serializers import yamlserializer

from retell_contract.exchange import Exchange, RecordedRequest, RecordedResponse

# Key of this project's block inside a cassette's ``metadata``.
METADATA_KEY = "retell_contract"
NOTES_KEY = "notes"

VcrResponse = dict[str, Any]


class MalformedInteraction(ValueError):
    """An interaction does not have the shape vcrpy writes; the message says what is off."""


def to_vcr_request(request: RecordedRequest) -> Request:
    """A vcrpy request carrying the same method, URL, headers and body."""
    return Request(request.method, request.url, request.body, dict(request.headers))


def to_vcr_response(response: RecordedResponse) -> VcrResponse:
    """A response dict in the shape vcrpy's HTTP-library stubs record and replay."""
    return {
        "status": {"code": response.status, "message": _reason_phrase(response.status)},
        "headers": {name: [value] for name, value in response.headers.items()},
        "body": {"string": response.body},
    }


def dump_cassette(exchanges: Sequence[Exchange]) -> str:
    """YAML text of a vcrpy cassette holding ``exchanges`` (notes kept in the metadata)."""
    cassette: dict[str, Any] = {
        "requests": [to_vcr_request(exchange.request) for exchange in exchanges],
        "responses": [to_vcr_response(exchange.response) for exchange in exchanges],
    }
    notes = [dict(exchange.notes) for exchange in exchanges]
    if any(notes):
        cassette["metadata"] = {METADATA_KEY: {NOTES_KEY: notes}}
    text: str = serialize(cassette, yamlserializer)
    return text


def from_vcr(request: Any, response: Any, notes: Mapping[str, str]) -> Exchange:
    """Rebuild an exchange from a deserialized vcrpy request and response dict."""
    return Exchange(_recorded_request(request), _recorded_response(response), dict(notes))


def notes_from_metadata(metadata: Any, count: int) -> list[dict[str, str]]:
    """Per-interaction notes stored by :func:`dump_cassette` (empty ones when absent)."""
    block = metadata.get(METADATA_KEY) if isinstance(metadata, Mapping) else None
    if block is None:
        return [{} for _ in range(count)]
    notes = block.get(NOTES_KEY) if isinstance(block, Mapping) else None
    if not isinstance(notes, list) or len(notes) != count:
        raise MalformedInteraction(
            f"metadata.{METADATA_KEY}.{NOTES_KEY} must be a list of {count} mappings, one per interaction"
        )
    for index, entry in enumerate(notes):
        if not isinstance(entry, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in entry.items()
        ):
            raise MalformedInteraction(f"notes of interaction {index} are not a mapping of strings")
    return [dict(entry) for entry in notes]


def check_cassette_document(data: Any) -> list[Any]:
    """The interactions list of a deserialized cassette, or MalformedInteraction saying why not."""
    if not isinstance(data, Mapping):
        raise MalformedInteraction(f"top level is a {type(data).__name__}, not a vcrpy cassette mapping")
    if "interactions" not in data:
        raise MalformedInteraction("no 'interactions' key: not a vcrpy cassette")
    if "version" not in data:  # vcrpy writes it last (keys are sorted): its absence means a cut
        raise MalformedInteraction("no 'version' key: the cassette is truncated or was not written by vcrpy")
    if data.get("version") != CASSETTE_FORMAT_VERSION:
        raise MalformedInteraction(
            f"cassette format version {data.get('version')!r} is not the supported {CASSETTE_FORMAT_VERSION}"
        )
    interactions = data["interactions"]
    if not isinstance(interactions, list):
        raise MalformedInteraction(f"'interactions' is a {type(interactions).__name__}, not a list")
    for index, interaction in enumerate(interactions):
        if not isinstance(interaction, Mapping) or not {"request", "response"} <= interaction.keys():
            raise MalformedInteraction(f"interaction {index} lacks a request or a response")
    return interactions


def _recorded_request(request: Any) -> RecordedRequest:
    method, uri = getattr(request, "method", None), getattr(request, "uri", None)
    if not isinstance(method, str) or not method:
        raise MalformedInteraction("request has no method")
    if not isinstance(uri, str) or not uri:
        raise MalformedInteraction("request has no uri")
    headers = {str(name): _header_value(value) for name, value in request.headers.items()}
    return RecordedRequest(method, uri, headers, _body_bytes(request.body, "request body"))


def _recorded_response(response: Any) -> RecordedResponse:
    if not isinstance(response, Mapping):
        raise MalformedInteraction(f"response is a {type(response).__name__}, not a mapping")
    if "status_code" in response:  # vcrpy's older httpx layout
        status: Any = response["status_code"]
        body: Any = response.get("content", b"")
    else:
        status = (
            response.get("status", {}).get("code") if isinstance(response.get("status"), Mapping) else None
        )
        body_block = response.get("body")
        if not isinstance(body_block, Mapping) or "string" not in body_block:
            raise MalformedInteraction("response has no body.string")
        body = body_block["string"]
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedInteraction(f"response status code {status!r} is not an HTTP status")
    headers = response.get("headers") or {}
    if not isinstance(headers, Mapping):
        raise MalformedInteraction("response headers are not a mapping")
    values = {str(name): _header_value(value) for name, value in headers.items()}
    return RecordedResponse(status, values, _body_bytes(body, "response body"))


def _header_value(value: Any) -> str:
    """vcrpy stores each header as a list of values; join repeats the way HTTP folds them."""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable) and all(isinstance(item, str | int) for item in value):
        return ", ".join(str(item) for item in value)
    if isinstance(value, int):
        return str(value)
    raise MalformedInteraction(f"header value {value!r} is not a string or a list of strings")


def _body_bytes(body: Any, what: str) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, BytesIO):  # old cassettes pickled file-like request bodies
        return body.getvalue()
    if isinstance(body, list | tuple) and all(isinstance(part, bytes) for part in body):
        return b"".join(body)
    raise MalformedInteraction(f"{what} is a {type(body).__name__}, not text or bytes")


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
