"""Official Retell clients in cached environments of their own, for tests that use them as oracles.

The test environment pins retell-sdk 4.49.0 (the seed-era client). Newer clients live
beside the worktree, built once and reused by every later run and every xdist worker:

- :func:`sdk_venv` (``.venv-sdk-<version>``): a virtualenv with ``retell-sdk==<version>``;
  returns its Python executable. Run code in it as a subprocess.
- :func:`node_sdk` (``.node-sdk-<version>``): ``npm install retell-sdk@<version>``;
  returns the directory whose ``node_modules`` holds it.

Both build under a file lock (workers wait for the first builder), mark success with a
``.complete`` file, and skip the calling test cleanly when the tool or the registry is
missing. :func:`python_verify` / :func:`node_verify` run the clients' webhook ``verify``
over a batch of deliveries in ONE subprocess (JSON in, JSON out).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_SDK = "6.2.13"
NODE_SDK = "5.66.1"
_BUILD_TIMEOUT = 600


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    lock = directory.with_name(directory.name + ".lock")
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _cached(directory: Path, build: Callable[[Path], None]) -> Path:
    """``directory``, built by ``build`` unless a complete copy exists (skips the test on failure)."""
    marker = directory / ".complete"
    if marker.exists():
        return directory
    with _locked(directory):
        if not marker.exists():
            shutil.rmtree(directory, ignore_errors=True)
            try:
                build(directory)
            except (OSError, subprocess.SubprocessError) as error:
                shutil.rmtree(directory, ignore_errors=True)
                pytest.skip(f"cannot build {directory.name}: {error}")
            marker.touch()
    return directory


def sdk_venv(version: str = PYTHON_SDK) -> Path:
    """The Python executable of a cached virtualenv holding ``retell-sdk==version``."""

    def build(directory: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True, timeout=_BUILD_TIMEOUT)
        pip = [str(directory / "bin" / "python"), "-m", "pip", "install", "-q", f"retell-sdk=={version}"]
        subprocess.run(pip, check=True, timeout=_BUILD_TIMEOUT, capture_output=True)

    return _cached(ROOT / f".venv-sdk-{version}", build) / "bin" / "python"


def node_sdk(version: str = NODE_SDK) -> Path:
    """A cached directory with ``retell-sdk@version`` in its node_modules (skips without npm)."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("node and npm are needed for the Node client's verify")

    def build(directory: Path) -> None:
        directory.mkdir(parents=True)
        (directory / "package.json").write_text('{"private": true}')
        command = [npm, "install", "--silent", "--no-audit", "--no-fund", f"retell-sdk@{version}"]
        subprocess.run(command, cwd=directory, check=True, timeout=_BUILD_TIMEOUT, capture_output=True)

    return _cached(ROOT / f".node-sdk-{version}", build)


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


def python_verify(items: Sequence[dict[str, Any]], version: str = PYTHON_SDK) -> list[bool]:
    """The official Python client's ``verify`` over many deliveries in one subprocess.

    Each item: ``body`` (str), ``api_key``, ``signature`` (str or None), ``now_ms``.
    """
    done = subprocess.run(
        [str(sdk_venv(version)), "-c", _PYTHON_VERIFY],
        input=_batch(items),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result: list[bool] = json.loads(done.stdout)
    return result


def node_verify(items: Sequence[dict[str, Any]], version: str = NODE_SDK) -> list[bool]:
    """The Node client's ``Retell.verify`` over many deliveries in one ``node`` process."""
    directory = node_sdk(version)
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
