"""``CaseNotes``: a case's identity typed in code, the same strings in cassettes as before."""

from __future__ import annotations

from retell_contract.checks import CaseKind, CaseNotes
from retell_contract.runner._probes import PlannedCase

# What a run has always written into a cassette's notes for a retrieve case (the format).
RETRIEVE_NOTES = {
    "case": "retrieve",
    "detail": "created_call",
    "case_id": "7",
    "agent_versions": "1,2",
    "operation": "get-call",
    "resolved_version": "2",
    "follows": "3",
    "sent_at_ms": "1700000000123",
}


def test_notes_keep_their_cassette_format():
    planned = PlannedCase(
        kind=CaseKind.RETRIEVE,
        detail="created_call",
        method="GET",
        path="/v2/get-call/x",
        headers={},
        versions=(1, 2),
        operation="get-call",
        resolved=2,
        follows=3,
    )
    notes = CaseNotes.from_notes(RETRIEVE_NOTES)
    assert notes.to_notes() == RETRIEVE_NOTES
    assert list(notes.to_notes()) == list(RETRIEVE_NOTES)
    assert planned.case_notes(7) == CaseNotes(**{**vars(notes), "sent_at_ms": None})


def test_typed_fields_are_read_from_the_strings():
    notes = CaseNotes.from_notes({**RETRIEVE_NOTES, "app_error": "KeyError: 'x'", "cassette": "a.yaml"})
    assert notes.kind is CaseKind.RETRIEVE
    assert notes.versions == (1, 2)
    assert (notes.resolved, notes.sent_at_ms, notes.follows) == (2, 1700000000123, "3")
    assert (notes.app_error, notes.cassette) == ("KeyError: 'x'", "a.yaml")


def test_absent_or_unreadable_notes_are_left_out():
    assert CaseNotes.from_notes({}) == CaseNotes()
    odd = CaseNotes.from_notes({"case": "no-such-kind", "resolved_version": "-", "agent_versions": "x,3"})
    assert odd.kind is None
    assert odd.resolved is None
    assert odd.versions == (3,)
    assert CaseNotes.from_notes({"agent_versions": ""}).versions == ()  # noted: no versions known
    assert CaseNotes(kind=CaseKind.POSITIVE).to_notes() == {
        "case": "positive",
        "detail": "",
        "case_id": "",
        "agent_versions": "",
    }
