"""The mock's webhook sender: signed events off the request path, with Retell's delivery rules.

Retell's rules (TODAYS-API.md): 10 s timeout, up to 3 retries when the answer is not 2xx,
events of one call in order, and a failed event does not hold back the next. Calls are
spread over a few worker threads by call id, so one call's events stay in order while
different calls' events are sent concurrently, as Retell does.
"""

from __future__ import annotations

import queue
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from retell_contract.webhooks._deliveries import Delivery

DELIVERY_TIMEOUT = 10.0
MAX_RETRIES = 3
WORKERS = 4


@dataclass(frozen=True)
class DeliveryRecord:
    """One attempt to deliver an event, and how the receiver answered.

    ``status`` is None when no answer came (``error`` says why: timeout, refused, ...).
    The signature itself is never kept.
    """

    event: str
    call_id: str
    url: str
    attempt: int
    status: int | None
    error: str
    body: bytes
    timestamp_ms: int

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def as_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "call_id": self.call_id,
            "url": self.url,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "timestamp_ms": self.timestamp_ms,
        }


@dataclass(frozen=True)
class _Job:
    url: str
    delivery: Delivery


class WebhookDispatcher:
    """Queues events per call and delivers them from background threads.

    ``url_for(agent_id)`` gives the receiver (None: no webhook for that agent); ``key``
    signs; ``clock`` gives seconds (the mock's clock, so signatures match its timeline);
    ``transport`` sends in-process (an httpx transport over an ASGI or WSGI app).
    """

    def __init__(
        self,
        *,
        url_for: Callable[[str], str | None],
        key: str,
        clock: Callable[[], float] = time.time,
        timeout: float = DELIVERY_TIMEOUT,
        max_retries: int = MAX_RETRIES,
        retry_delay: float = 1.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url_for, self._key, self._clock = url_for, key, clock
        self._max_retries, self._retry_delay = max_retries, retry_delay
        self._client = httpx.Client(timeout=timeout, transport=transport)
        self._queues: list[queue.Queue[_Job | None]] = [queue.Queue() for _ in range(WORKERS)]
        self._records: list[DeliveryRecord] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._threads = [
            threading.Thread(target=self._work, args=(q,), name=f"retell-webhooks-{i}", daemon=True)
            for i, q in enumerate(self._queues)
        ]
        for thread in self._threads:
            thread.start()

    def send(self, event: str, call: Mapping[str, Any]) -> None:
        """Queue ``event`` for ``call`` (returns at once; nothing is sent on the caller's thread)."""
        url = self._url_for(str(call.get("agent_id", "")))
        if url is None:
            return
        call_id = str(call.get("call_id", ""))
        with self._lock:
            self._pending += 1
        self._queues[zlib.crc32(call_id.encode()) % WORKERS].put(_Job(url, Delivery(event, dict(call))))

    def deliveries(self) -> list[DeliveryRecord]:
        """Every attempt so far, in the order they finished."""
        with self._lock:
            return list(self._records)

    def wait(self, timeout: float = 60.0) -> bool:
        """Block until every queued event is delivered or given up on; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        for q in self._queues:
            q.put(None)
        for thread in self._threads:
            thread.join(timeout=1.0)
        self._client.close()

    def _work(self, jobs: queue.Queue[_Job | None]) -> None:
        while (job := jobs.get()) is not None:
            try:
                self._deliver(job)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _deliver(self, job: _Job) -> None:
        for attempt in range(1, self._max_retries + 2):
            now_ms = int(self._clock() * 1000)
            rendered = job.delivery.render(api_key=self._key, now_ms=now_ms)
            status, error = self._post(job.url, rendered.headers, rendered.body)
            record = DeliveryRecord(
                job.delivery.event,
                job.delivery.call_id,
                job.url,
                attempt,
                status,
                error,
                rendered.body,
                now_ms,
            )
            with self._lock:
                self._records.append(record)
            if record.accepted:
                return
            if attempt <= self._max_retries and self._retry_delay:
                time.sleep(self._retry_delay * attempt)

    def _post(self, url: str, headers: Mapping[str, str], body: bytes) -> tuple[int | None, str]:
        try:
            response = self._client.post(url, content=body, headers=dict(headers))
        except httpx.TimeoutException:
            return None, "timeout"
        except httpx.HTTPError as error:
            return None, type(error).__name__
        return response.status_code, ""
