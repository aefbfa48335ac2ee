"""Start-up of ``retell-contract run``: time from launch to its first request.

    .venv/bin/python -m benchmarks.startup_benchmark [--runs N] [--quick]

Launches ``retell-contract run --url`` against a loopback server in this process, which
notes when the first request arrives; the run is stopped there. Next to it, in the same
run and interleaved: ``python -c pass`` (the interpreter's own start-up, the baseline)
and ``python -c "import retell_contract.cli"`` (imports only). Prints the median of each.

Every launch finds its modules' bytecode cached, as an installed package does from its
second run on: the launches write it to a temporary ``PYTHONPYCACHEPREFIX`` (a first,
unmeasured round fills it) even where ``PYTHONDONTWRITEBYTECODE`` is set, which would
otherwise have every launch compile the package's ~100 modules from source (~0.1 s).
For a count independent of machine load, run the launch under
``valgrind --tool=callgrind`` and stop it at its first request.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks._runs import parse_runs, print_medians

RUN = [sys.executable, "-m", "retell_contract", "run", "--max-examples", "1", "--seed", "1"]
VARIANTS = ("python -c pass (baseline)", "import retell_contract.cli", "run: first request")


class _FirstRequest(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.arrived = threading.Event()
        self.at = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _FirstRequest

    def _answer(self) -> None:
        if not self.server.arrived.is_set():
            self.server.at = time.perf_counter()
            self.server.arrived.set()
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


def _until_exit(command: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def _until_first_request(env: dict[str, str] | None = None) -> float:
    with _FirstRequest() as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        start = time.perf_counter()
        process = subprocess.Popen(
            [*RUN, "--url", url, "--api-key", "key_benchmark"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
        )
        try:
            if not server.arrived.wait(timeout=60):
                raise SystemExit("retell-contract run sent no request within 60 s")
            return server.at - start
        finally:
            process.kill()
            process.wait()
            server.shutdown()


def measure(runs: int) -> dict[str, float]:
    """Median seconds per variant, interleaved so machine load hits all alike."""
    timings: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="startup-pycache-") as cache:
        env = cached_bytecode_env(cache)
        for lap in range(runs + 1):  # round 0 writes the bytecode and is not counted
            times = (
                _until_exit([sys.executable, "-c", "pass"], env),
                _until_exit([sys.executable, "-c", "import retell_contract.cli"], env),
                _until_first_request(env),
            )
            for name, seconds in zip(VARIANTS, times, strict=True):
                if lap:
                    timings[name].append(seconds)
    return {name: statistics.median(values) for name, values in timings.items()}


def cached_bytecode_env(cache: str) -> dict[str, str]:
    """This environment, with bytecode written to (and read from) ``cache``."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": cache}


def main(argv: list[str] | None = None) -> int:
    runs = parse_runs(argv, __doc__.splitlines()[0], default=7, what="launches")
    medians = measure(runs)
    print_medians(medians, runs, width=28)
    ours = medians[VARIANTS[2]] - medians[VARIANTS[0]]
    print(f"{'start-up over the baseline':<28} {ours * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
