"""Re-recording with the same seed against the seeded mock, its clock fixed, repeats the
cassette byte for byte: nothing random or undocumented rides along in a recording."""

from __future__ import annotations

from pathlib import Path

from retell_contract.cassettes import open_recorder, read_cassettes
from retell_contract.runner import RunOptions, run

NOW = 1_767_000_000.25  # a fixed "now", in seconds since the epoch


def record(directory: Path, *, seed: int) -> bytes:
    with open_recorder(directory) as recorder:
        result = run(RunOptions(seed=seed, max_examples=12, clock=lambda: NOW, on_exchange=recorder.record))
    assert result.cases_sent > 12
    return (directory / recorder.path.name).read_bytes()


def test_the_same_seed_records_the_same_bytes(tmp_path):
    first = record(tmp_path / "first", seed=5)
    second = record(tmp_path / "second", seed=5)
    assert first == second
    assert b"schemathesis" not in first.lower()
    exchanges = read_cassettes(tmp_path / "first")
    assert {exchange.notes["sent_at_ms"] for exchange in exchanges} == {str(int(NOW * 1000))}


def test_another_seed_records_other_requests(tmp_path):
    assert record(tmp_path / "one", seed=5) != record(tmp_path / "other", seed=6)
