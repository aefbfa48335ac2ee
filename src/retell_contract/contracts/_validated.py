"""The built-in contract files as they were last validated, by content hash, and their shipped parse.

Validating the shipped contract (openapi-spec-validator, then every JSON Schema) took about
half a second of every ``retell-contract run``, for a file that only changes in a release.
A built-in file whose SHA-256 is listed here is loaded without re-validation; any other
content (an edited file, a user's contract) is validated in full. The test suite validates
each built-in file in full and fails, naming the new hash, when the file no longer
matches the hash listed here.

Next to each built-in YAML file ships its parse (``today.openapi.parsed.json``: the
document as the loader reads it, with the SHA-256 of the YAML it was made from), so a
start-up reads JSON instead of importing PyYAML and parsing YAML. A parse made from other
text is ignored (the YAML is read). :func:`write_shipped_documents` regenerates them; the
test suite fails while one is stale.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

from retell_contract.contracts._parse import parse_document, validate_document

VALIDATED_SHA256 = {
    "today.openapi.yaml": "5730f84cd22d7e44aa2eced1b8f8c243db6751550c4a593f9cb8d108e5a0b7db",
    "seed.openapi.yaml": "cf47a33ad7582ab4f75a20ca9bad0e0ea3b3010784de3d59bcce5237a064aa3a",
}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def already_validated(filename: str, text: str) -> bool:
    """Whether ``text`` is the built-in ``filename`` exactly as the test suite validated it."""
    return VALIDATED_SHA256.get(filename) == content_hash(text)


def shipped_name(filename: str) -> str:
    """Where the parse of built-in ``filename`` ships: ``x.openapi.yaml`` → ``x.openapi.parsed.json``."""
    return filename.removesuffix(".yaml") + ".parsed.json"


def shipped_document(filename: str, text: str) -> dict[str, Any] | None:
    """The shipped parse of built-in ``filename`` if it was made from exactly ``text``, else None."""
    try:
        shipped = json.loads(_package().joinpath(shipped_name(filename)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(shipped, dict) or shipped.get("yaml_sha256") != content_hash(text):
        return None
    document = shipped.get("document")
    return document if isinstance(document, dict) else None


def shipped_text(filename: str, text: str) -> str:
    """What the shipped parse of ``text`` (built-in ``filename``) holds; the YAML is validated first."""
    document = parse_document(filename, text)
    validate_document(filename, document)
    body = {"yaml_sha256": content_hash(text), "document": document}
    return json.dumps(body, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def write_shipped_documents(directory: Path | None = None) -> list[Path]:
    """Regenerate the shipped parse of every listed built-in file (after editing one, and
    listing its new hash): ``python -c "from retell_contract.contracts._validated import
    write_shipped_documents as w; w()"``. ``directory`` defaults to the package's own."""
    where = directory or Path(str(_package()))
    written = []
    for filename in VALIDATED_SHA256:
        text = (where / filename).read_text(encoding="utf-8")
        target = where / shipped_name(filename)
        target.write_text(shipped_text(filename, text), encoding="utf-8")
        written.append(target)
    return written


def _package() -> Any:
    return resources.files(__package__)
