"""What a new user meets first: the strategies and a run in a folder Hypothesis has never seen.

Each test runs in a subprocess whose Hypothesis storage directory is new and empty, so
nothing this process (or an earlier run) cached can hide a cost paid on a fresh CI runner.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# The README's first examples, with its default settings (health checks on); no deadline,
# which is a timed assertion on a loaded machine and not what is tested here.
README_EXAMPLES = """
from hypothesis import given, settings
from retell_contract.strategies import (
    call_objects, invalid_call_objects, invalid_request_bodies, request_bodies, v3_responses,
)

@settings(deadline=None)
@given(request_bodies())
def test_valid_bodies(body):
    assert "agent_id" in body

@settings(deadline=None)
@given(invalid_request_bodies())
def test_invalid_bodies(invalid):
    assert invalid.violation

@settings(deadline=None)
@given(call_objects(states=["ended"], analysed=True))
def test_call_objects(call):
    assert call["call_status"] == "ended"

@settings(deadline=None)
@given(invalid_call_objects())
def test_invalid_call_objects(invalid):
    assert invalid.violation

@settings(deadline=None)
@given(call_objects(states=["ended"], analysed=True, believable=True, now=1_790_000_000_000))
def test_believable_calls(call):
    assert call["end_timestamp"] <= 1_790_000_000_000

@settings(deadline=None)
@given(v3_responses(now=1_790_000_000_000))
def test_v3_responses(details):
    assert details["expires_at"] == 1_790_000_030_000
"""


def codec_tables(storage: Path) -> list[Path]:
    """Hypothesis's per-codec character tables (``codec-*.json.gz``): slow to build."""
    return sorted(storage.rglob("codec-*"))


def test_the_readme_strategies_pass_health_checks_in_a_fresh_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = pytester.path / "fresh-hypothesis"
    monkeypatch.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(storage))
    pytester.makepyfile(test_readme=README_EXAMPLES)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")
    result.assert_outcomes(passed=6)
    assert storage.is_dir()  # the run did use the fresh directory
    assert codec_tables(storage) == []  # no table of every encodable character was built


def test_a_first_run_builds_no_codec_table(tmp_path: Path) -> None:
    storage = tmp_path / "fresh-hypothesis"
    program = "from retell_contract.cli import main; main()"
    command = [sys.executable, "-c", program, "run", "--seed", "1", "--max-examples", "10"]
    env = {"HYPOTHESIS_STORAGE_DIRECTORY": str(storage), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "seed 1" in done.stdout
    assert codec_tables(storage) == []
