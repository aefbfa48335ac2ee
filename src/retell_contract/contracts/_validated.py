"""The built-in contract files as they were last validated, by content hash.

Validating the shipped contract (openapi-spec-validator, then every JSON Schema) took about
half a second of every ``retell-contract run``, for a file that only changes in a release.
A built-in file whose SHA-256 is listed here is loaded without re-validation; any other
content (an edited file, a user's contract) is validated in full. The test suite validates
each built-in file in full and fails, naming the new hash, when the file no longer
matches the hash listed here.
"""

from __future__ import annotations

import hashlib

VALIDATED_SHA256 = {
    "today.openapi.yaml": "5730f84cd22d7e44aa2eced1b8f8c243db6751550c4a593f9cb8d108e5a0b7db",
    "seed.openapi.yaml": "cf47a33ad7582ab4f75a20ca9bad0e0ea3b3010784de3d59bcce5237a064aa3a",
}


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def already_validated(filename: str, text: str) -> bool:
    """Whether ``text`` is the built-in ``filename`` exactly as the test suite validated it."""
    return VALIDATED_SHA256.get(filename) == content_hash(text)
