"""Today's official clients, each in a cached environment of its own, built on first use.

retell-sdk 6.2.13 cannot share the test environment with 4.49.0 (the seed-era client the
suite imports), so it gets a venv under the cache directory; the Node client 5.66.1 gets an
npm prefix there, and the 6.2.13 sdist (for its own test suite) is downloaded and unpacked
there. Each is built once (under a file lock, so parallel workers wait for one build) and
reused; a build that fails (no registry access) skips the tests that need it.
:func:`python_verify` / :func:`node_verify` run the clients' webhook ``verify`` over a
batch of deliveries in ONE subprocess (JSON in, JSON out).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = Path(__file__).resolve().parent / "sdk_scripts"
PYTHON_SDK = "6.2.13"
NODE_SDK = "5.66.1"
# What 6.2.13's own tests import (versions from its requirements-dev.lock) and its aiohttp client.
SDK6_PACKAGES = (
    f"retell-sdk[aiohttp]=={PYTHON_SDK}",
    "pytest==8.4.2",
    "pytest-asyncio==1.2.0",
    "dirty-equals==0.11",
)
CACHE = Path(os.environ.get("RETELL_CONTRACT_SDK_CACHE", ROOT / ".sdk-cache"))
_DONE = ".complete"
_BUILD_TIMEOUT = 600


def _cached(name: str, build: Callable[[Path], None]) -> Path:
    """``CACHE/name`` built by ``build`` once; a failed build skips the calling test."""
    target = CACHE / f"{name}-py{sys.version_info.major}.{sys.version_info.minor}"
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / _DONE).exists():
            return target
        shutil.rmtree(target, ignore_errors=True)
        try:
            build(target)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
            shutil.rmtree(target, ignore_errors=True)
            output = getattr(error, "stderr", None) or getattr(error, "stdout", None) or str(error)
            lines = [line for line in str(output).splitlines() if line.strip()]
            pytest.skip(f"cannot build {name} (no registry access?): {lines[-1] if lines else error}")
        (target / _DONE).touch()
    return target


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        timeout=_BUILD_TIMEOUT,
    )


def sdk6_python() -> Path:
    """The interpreter of a venv holding retell-sdk 6.2.13 (and what its tests need)."""

    def build(target: Path) -> None:
        _run(sys.executable, "-m", "venv", target)
        _run(target / "bin" / "python", "-m", "pip", "install", "-q", *SDK6_PACKAGES)

    return _cached(f"python-retell-sdk-{PYTHON_SDK}", build) / "bin" / "python"


def sdk6_sources() -> Path:
    """The unpacked sdist of retell-sdk 6.2.13 (its tests/ directory included)."""

    def build(target: Path) -> None:
        target.mkdir(parents=True)
        _run(
            sdk6_python(), "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
            f"retell-sdk=={PYTHON_SDK}", "-d", target,
        )  # fmt: skip
        (archive,) = target.glob("*.tar.gz")
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")

    (sources,) = (_cached(f"sdist-retell-sdk-{PYTHON_SDK}", build)).glob("retell_sdk-*/")
    return sources


def node_sdk() -> Path:
    """An npm prefix with the Node retell-sdk 5.66.1 installed (skips without node and npm)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are needed for the Node client")

    def build(target: Path) -> None:
        target.mkdir(parents=True)
        _run(
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            target,
            f"retell-sdk@{NODE_SDK}",
        )

    return _cached(f"node-retell-sdk-{NODE_SDK}", build)


def run_sdk6(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``tests/sdk_scripts/<script>`` with 6.2.13; it can import retell_contract too.

    retell_contract and its dependencies come after the venv's own packages on sys.path
    (the script appends them), so ``import retell`` is 6.2.13, never the suite's 4.49.
    """
    paths = [str(ROOT / "src"), sysconfig.get_paths()["purelib"], str(SCRIPTS.parent)]
    return subprocess.run(
        [str(sdk6_python()), str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {}), "RETELL_CONTRACT_PATHS": os.pathsep.join(paths)},
        check=False,
    )


# The client's verify reads the wall clock; the oracle pins it to each delivery's now_ms
# so that a timestamp fault is judged at the time it was rendered for.
_PYTHON_VERIFY = """
import json, sys, time
from retell import Retell
out = []
for item in json.load(sys.stdin):
    time.time = lambda now=item["now_ms"]: (now + 0.5) / 1000
    client = Retell(api_key=item["api_key"])
    try:
        out.append(bool(client.verify(item["body"], api_key=item["api_key"], signature=item["signature"])))
    except TypeError:
        out.append(False)  # a missing header
print(json.dumps(out))
"""
_NODE_VERIFY = """
const { Retell } = require('retell-sdk');
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
(async () => {
  const out = [];
  for (const item of items) {
    Date.now = () => item.now_ms;
    try { out.push(Boolean(await Retell.verify(item.body, item.api_key, item.signature))); }
    catch (e) { out.push(false); }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def _batch(items: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(items))


def python_verify(items: Sequence[dict[str, Any]]) -> list[bool]:
    """The official Python client's ``verify`` over many deliveries in one subprocess.

    Each item: ``body`` (str), ``api_key``, ``signature`` (str or None), ``now_ms``.
    """
    done = subprocess.run(
        [str(sdk6_python()), "-c", _PYTHON_VERIFY],
        input=_batch(items),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: list[bool] = json.loads(done.stdout)
    return result


def node_verify(items: Sequence[dict[str, Any]]) -> list[bool]:
    """The Node client's ``Retell.verify`` over many deliveries in one ``node`` process."""
    directory = node_sdk()
    node = shutil.which("node") or "node"
    env = {**os.environ, "NODE_PATH": str(directory / "node_modules")}
    done = subprocess.run(
        [node, "-e", _NODE_VERIFY],
        input=_batch(items),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        cwd=directory,
        env=env,
    )
    result: list[bool] = json.loads(done.stdout)
    return result
