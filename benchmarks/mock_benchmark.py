"""Throughput and latency of the mock Retell API, against a trivial app measured in the same run.

Each scenario sends the same valid create-web-call request sequentially, once to the mock
and once to a baseline Starlette app that returns a fixed call object through the same
transport, so the ratio shows what the mock's own work (auth, body checks, schema
validation, state) costs on top of the framework and the client.

    .venv/bin/python benchmarks/mock_benchmark.py [--requests N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from retell_contract.contracts import load_contract
from retell_contract.server import (
    DEFAULT_API_KEY,
    AppServer,
    MockConfig,
    async_mock_transport,
    create_app,
    mock_transport,
)

CONTRACT = load_contract()
HEADERS = {"Authorization": f"Bearer {DEFAULT_API_KEY}"}
BODY = {
    "agent_id": CONTRACT.default_agent.agent_id,
    "metadata": {"customer_id": "c-123", "plan": "pro"},
    "retell_llm_dynamic_variables": {"customer_name": "John Doe"},
}


def baseline_app() -> Starlette:
    """A Starlette app that answers one fixed call object of the mock's size."""
    with httpx.Client(transport=mock_transport(create_app()), base_url="http://mock") as client:
        fixed = client.post(CONTRACT.path, json=BODY, headers=HEADERS).content

    async def endpoint(request: Request) -> Response:
        await request.body()
        return Response(fixed, status_code=201, media_type="application/json")

    return Starlette(routes=[Route(CONTRACT.path, endpoint, methods=["POST"])])


def mock_app() -> Starlette:
    return create_app(MockConfig(seed=1))


def time_requests(send: Callable[[], int], count: int) -> list[float]:
    for _ in range(min(200, count)):  # warm up: imports, caches, connection pool
        send()
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        status = send()
        latencies.append(time.perf_counter() - start)
        assert status == 201, status
    return latencies


def run_sync(app: ASGIApp, count: int) -> list[float]:
    with httpx.Client(transport=mock_transport(app), base_url="http://mock") as client:
        return time_requests(
            lambda: client.post(CONTRACT.path, json=BODY, headers=HEADERS).status_code, count
        )


def run_async(app: ASGIApp, count: int) -> list[float]:
    async def scenario() -> list[float]:
        async with httpx.AsyncClient(transport=async_mock_transport(app), base_url="http://mock") as client:
            latencies = []
            for index in range(count + min(200, count)):
                start = time.perf_counter()
                response = await client.post(CONTRACT.path, json=BODY, headers=HEADERS)
                assert response.status_code == 201
                if index >= min(200, count):
                    latencies.append(time.perf_counter() - start)
            return latencies

    return asyncio.run(scenario())


def run_http(app: ASGIApp, count: int) -> list[float]:
    # Served the way MockServer serves the mock, so the baseline pays the same HTTP costs.
    with AppServer(app) as server, httpx.Client(base_url=server.url) as client:
        return time_requests(
            lambda: client.post(CONTRACT.path, json=BODY, headers=HEADERS).status_code, count
        )


def summary(latencies: list[float]) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 in milliseconds."""
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return len(latencies) / sum(latencies), cuts[49] * 1000, cuts[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=3000, help="timed requests per scenario (default 3000)"
    )
    parser.add_argument("--quick", action="store_true", help="smallest sizes: the test suite's smoke run")
    options = parser.parse_args()
    count = 50 if options.quick else options.requests
    scenarios = [
        ("in-process, sync transport", run_sync),
        ("in-process, async ASGITransport", run_async),
        ("loopback HTTP, uvicorn", run_http),
    ]
    print(
        f"{count} sequential POST {CONTRACT.path} per run; baseline = trivial Starlette app, same transport\n"
    )
    header = f"{'scenario':34} {'':9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
    print(header)
    print("-" * len(header))
    for name, run in scenarios:
        mock = summary(run(mock_app(), count))
        base = summary(run(baseline_app(), count))
        print(f"{name:34} {'mock':9} {mock[0]:8.0f} {mock[1]:8.3f} {mock[2]:8.3f}")
        print(f"{'':34} {'baseline':9} {base[0]:8.0f} {base[1]:8.3f} {base[2]:8.3f}")
        print(
            f"{'':34} {'ratio':9} {mock[0] / base[0]:8.2f} {mock[1] / base[1]:8.2f} {mock[2] / base[2]:8.2f}"
        )


if __name__ == "__main__":
    main()
