"""Today's official clients against the mock: Python retell-sdk 6.2.13 and Node retell-sdk 5.66.1.

Each runs in a cached environment of its own (see sdk_support.py): the first run builds them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from retell_contract.contracts import Agent
from retell_contract.server import DEFAULT_API_KEY, MockConfig, MockServer
from sdk_support import SCRIPTS, node_sdk, run_sdk6, sdk6_python, sdk6_sources
from server_support import AGENT, mock_command

SUITE_CALL_ID = "119c3f8e47135a29e65947eeb34cf12d"  # the id 6.2.13's own tests retrieve
SUITE_KEY = "YOUR_RETELL_API_KEY"
TODAY_AGENT = Agent("agent_today", (1, 2, 5), published=2, tags={"prod": 5})


def _created(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert result.returncode == 0, result.stderr[-3000:]
    ids: list[str] = json.loads(result.stdout.strip().splitlines()[-1])["created"]
    return ids


def test_sdk6_strict_in_process_sync_and_async() -> None:
    assert len(_created(run_sdk6("sdk6_client.py", "in-process"))) == 9  # 4 + 4 ended + 1 async


def test_sdk6_strict_over_http_sync_and_async() -> None:
    with MockServer(MockConfig(agents=(TODAY_AGENT,), control=True, seed=11)) as server:
        created = _created(run_sdk6("sdk6_client.py", server.url))
        stored = [call["call_id"] for call in server.state.calls()]
    assert len(created) == 9
    assert sorted(created) == sorted(stored)


def test_sdk6_retries_a_commit_then_fail_into_a_duplicate_call() -> None:
    config = MockConfig(agents=(TODAY_AGENT,), commit_then_fail_rate=1.0)
    with MockServer(config) as server:
        result = run_sdk6("sdk6_client.py", server.url, "duplicates")
        calls = server.state.calls()
    assert result.returncode == 0, result.stderr[-3000:]
    # One create_web_call call, no idempotency key, one retry: the API now holds two calls.
    assert [call["metadata"] for call in calls] == [{"order": 1}, {"order": 1}]
    assert calls[0]["call_id"] != calls[1]["call_id"]


def test_sdk6_own_suite_passes_against_the_mock_with_its_fixed_call_preloaded(tmp_path: Path) -> None:
    sources = sdk6_sources()
    calls = tmp_path / "calls.json"
    calls.write_text(json.dumps([{"call_id": SUITE_CALL_ID, "agent_id": AGENT.agent_id}]))
    with mock_command("--calls", str(calls), "--api-key", SUITE_KEY) as (url, _):
        result = subprocess.run(
            [
                str(sdk6_python()), "-m", "pytest", "tests/api_resources/test_call.py",
                "-k", "create_web_call or retrieve", "-p", "unskip", "-o", "addopts=", "-q", "-rs",
            ],
            cwd=sources,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "TEST_API_BASE_URL": url, "PYTHONPATH": str(SCRIPTS)},
            check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" in summary, summary
    assert "skipped" not in summary, summary  # every create_web_call and retrieve test ran
    assert "deselected" in summary  # only those


def test_node_client_runs_the_docs_snippet_against_the_mock() -> None:
    prefix = node_sdk()
    snippet = prefix / "snippet.mjs"
    shutil.copyfile(SCRIPTS / "snippet.mjs", snippet)  # beside node_modules, so the import resolves
    with MockServer() as server:
        result = subprocess.run(
            ["node", str(snippet)],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                **os.environ,
                "RETELL_API_KEY": DEFAULT_API_KEY,
                "RETELL_BASE_URL": server.url,
                "RETELL_AGENT_ID": AGENT.agent_id,
            },
            check=False,
        )
        stored = [call["call_id"] for call in server.state.calls()]
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() in stored
    assert len(stored) == 1


@pytest.fixture(autouse=True, scope="module")
def _environments_built_once() -> None:
    """Build the 6.2.13 venv before the tests, so its cost is not charged to the first one."""
    sdk6_python()
