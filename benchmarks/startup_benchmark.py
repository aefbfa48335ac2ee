"""Start-up of ``retell-contract run``: time from launch to its first request.

    .venv/bin/python -m benchmarks.startup_benchmark [--runs N] [--quick]

Launches ``retell-contract run --url`` against a loopback server in this process, which
notes when the first request arrives; the run is stopped there. Next to it, in the same
run and interleaved: ``python -c pass`` (the interpreter's own start-up, the baseline)
and ``python -c "import retell_contract.cli"`` (imports only). Prints the median of each.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
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


def _until_exit(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def _until_first_request() -> float:
    with _FirstRequest() as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        start = time.perf_counter()
        process = subprocess.Popen(
            [*RUN, "--url", url, "--api-key", "key_benchmark"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
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
    for _ in range(runs):
        timings[VARIANTS[0]].append(_until_exit([sys.executable, "-c", "pass"]))
        timings[VARIANTS[1]].append(_until_exit([sys.executable, "-c", "import retell_contract.cli"]))
        timings[VARIANTS[2]].append(_until_first_request())
    return {name: statistics.median(values) for name, values in timings.items()}


def main(argv: list[str] | None = None) -> int:
    runs = parse_runs(argv, __doc__.splitlines()[0], default=7, what="launches")
    medians = measure(runs)
    print_medians(medians, runs, width=28)
    ours = medians[VARIANTS[2]] - medians[VARIANTS[0]]
    print(f"{'start-up over the baseline':<28} {ours * 1000:7.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
