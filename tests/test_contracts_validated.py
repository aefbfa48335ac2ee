"""Built-in contracts load without re-validation only while they are the validated files."""

from __future__ import annotations

from importlib import resources

import pytest

from retell_contract.contracts import BUILTIN_CONTRACTS, load_contract
from retell_contract.contracts._loader import _build
from retell_contract.contracts._validated import (
    VALIDATED_SHA256,
    already_validated,
    content_hash,
    shipped_document,
    shipped_name,
    shipped_text,
    write_shipped_documents,
)
from retell_contract.errors import ContractError


def builtin_text(filename: str) -> str:
    return resources.files("retell_contract.contracts").joinpath(filename).read_text(encoding="utf-8")


@pytest.mark.parametrize("filename", sorted(BUILTIN_CONTRACTS.values()))
def test_each_built_in_file_is_valid_and_its_hash_is_listed(filename):
    text = builtin_text(filename)
    full = _build(filename, text, None, None, validated=False)  # the whole validation, which must pass
    assert VALIDATED_SHA256.get(filename) == content_hash(text), (
        f"{filename} changed and validates: set VALIDATED_SHA256[{filename!r}] = {content_hash(text)!r}"
    )
    fast = _build(filename, text, None, None, validated=True)
    assert fast.document == full.document
    assert fast.operations == full.operations


@pytest.mark.parametrize("name", sorted(BUILTIN_CONTRACTS))
def test_load_contract_takes_the_fast_path_for_the_shipped_files(name):
    filename = BUILTIN_CONTRACTS[name]
    assert already_validated(filename, builtin_text(filename))
    assert load_contract(name).source == f"<built-in {name}: {filename}>"


def test_other_content_is_validated_in_full():
    text = builtin_text("today.openapi.yaml")
    broken = text.replace("\npaths:", "\npaths: 5\nx-old-paths:", 1)
    assert broken != text
    assert not already_validated("today.openapi.yaml", broken)
    assert not already_validated("my-own.yaml", text)  # only the built-in names are trusted
    with pytest.raises(ContractError, match="invalid OpenAPI"):
        _build(
            "today.openapi.yaml",
            broken,
            None,
            None,
            validated=already_validated("today.openapi.yaml", broken),
        )


@pytest.mark.parametrize("filename", sorted(BUILTIN_CONTRACTS.values()))
def test_each_shipped_parse_is_the_current_yaml_parsed(filename):
    text = builtin_text(filename)
    shipped = resources.files("retell_contract.contracts").joinpath(shipped_name(filename))
    assert shipped.read_text(encoding="utf-8") == shipped_text(filename, text), (
        f"{shipped_name(filename)} is stale: run write_shipped_documents() (see contracts/_validated.py)"
    )
    document = shipped_document(filename, text)
    assert document is not None
    assert document == _build(filename, text, None, None, validated=False).document


def test_a_shipped_parse_of_other_text_is_ignored():
    text = builtin_text("today.openapi.yaml")
    assert shipped_document("today.openapi.yaml", text + "\n# edited\n") is None
    assert shipped_document("my-own.yaml", text) is None  # nothing ships for other names


def test_the_built_in_contract_is_built_from_its_shipped_parse():
    filename = BUILTIN_CONTRACTS["today"]
    text = builtin_text(filename)
    shipped = shipped_document(filename, text)
    from_json = _build(filename, text, None, None, validated=True, parsed=shipped)
    from_yaml = _build(filename, text, None, None, validated=True)
    assert from_json.document == from_yaml.document
    assert from_json.operations == from_yaml.operations


def test_write_shipped_documents_regenerates_them(tmp_path):
    for filename in BUILTIN_CONTRACTS.values():
        (tmp_path / filename).write_text(builtin_text(filename), encoding="utf-8")
    written = write_shipped_documents(tmp_path)
    assert sorted(path.name for path in written) == sorted(
        shipped_name(name) for name in BUILTIN_CONTRACTS.values()
    )
    for filename in BUILTIN_CONTRACTS.values():
        assert (tmp_path / shipped_name(filename)).read_text(encoding="utf-8") == resources.files(
            "retell_contract.contracts"
        ).joinpath(shipped_name(filename)).read_text(encoding="utf-8")
