"""The plugin loads in every pytest run of every project that installs us: it must cost next to nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from benchmarks import plugin_startup_benchmark

# What the plugin may only import when a test asks for it.
HEAVY = ("jsonschema", "httpx", "hypothesis", "vcr", "yaml", "starlette", "rich", "retell_contract.contracts")

ADDED_BY_PLUGIN = """
import json, sys
import pytest
before = set(sys.modules)
import retell_contract.plugin
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    done = subprocess.run([sys.executable, "-c", ADDED_BY_PLUGIN], capture_output=True, text=True, check=True)
    added = json.loads(done.stdout)
    assert "retell_contract.plugin" in added
    heavy = [name for name in added if name.split(".")[0] in HEAVY or name.startswith(HEAVY)]
    assert heavy == []


def test_the_public_api_still_loads_on_first_use() -> None:
    import retell_contract

    assert retell_contract.load_contract().path == "/v2/create-web-call"
    assert retell_contract.Agent("a", (1,)).versions == (1,)
    assert retell_contract.__version__
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = retell_contract.nothing  # type: ignore[attr-defined]


def test_the_startup_benchmark_runs_small(capsys: pytest.CaptureFixture[str]) -> None:
    assert plugin_startup_benchmark.main(["--runs", "1"]) == 0
    printed = capsys.readouterr().out
    for name in (*plugin_startup_benchmark.VARIANTS, "our plugin idle cost"):
        assert name in printed
