"""Load shedding: a worker serves a bounded number of requests at once and refuses the rest fast.

Queueing every request that arrives turns overload into timeouts for everyone: the queue grows,
each request waits longer than the client will, and the work done for it is wasted. Instead each
worker process admits at most ``max_concurrent_requests`` requests at a time, and a request
that has waited ``admission_wait_ms`` in all (queued for a thread, as :mod:`gunicorn_worker`
reports, then for a place) is answered at once with ``503`` and ``Retry-After`` (reliability.md §2.3
*Backpressure*), without touching the database. The liveness probe and the metrics are never
shed, so an overloaded worker is not mistaken for a dead one.

This wraps the WSGI callable (outside Flask's routing), so a shed request costs microseconds.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

RETRY_AFTER_SECONDS = 1
QUEUED_AT = "meritflow.queued_at"
"""The environ key under which the server puts when the request was queued (monotonic time)."""
EXEMPT_PATHS = frozenset({"/healthz", "/metrics"})

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class Admission:
    """A WSGI middleware admitting at most ``limit`` concurrent requests, shedding the rest."""

    def __init__(self, app: WsgiApp, *, limit: int, wait_seconds: float) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.places = threading.BoundedSemaphore(limit)
        self.shed = 0
        """Requests refused since start (for tests and logs)."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Serve the request if a place frees up in time, else answer 503."""
        if environ.get("PATH_INFO", "") in EXEMPT_PATHS:
            return self.app(environ, start_response)
        wait = self.wait_seconds
        queued_at = environ.get(QUEUED_AT)
        if queued_at is not None:
            wait -= time.monotonic() - queued_at
        if wait < 0 or not self.places.acquire(timeout=wait):
            self.shed += 1
            return _overloaded(environ, start_response)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self.places.release()
            raise
        # The place is given back when the body is exhausted or closed (PEP 3333), so a
        # streamed export holds its place while it streams.
        return _Release(result, self.places.release)


class _Release:
    """A response body that calls ``release`` once, when exhausted or closed."""

    def __init__(self, body: Iterable[bytes], release: Callable[[], None]) -> None:
        self._body = body
        self._iterator = iter(body)
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> _Release:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._iterator)
        except StopIteration:
            self._give_back()
            raise

    def close(self) -> None:
        """Close the wrapped body and give the place back."""
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._give_back()

    def _give_back(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _overloaded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": "The service is at capacity; try again after the Retry-After delay.",
            "instance": environ.get("PATH_INFO", ""),
            "reason": "overloaded",
        }
    ).encode()
    start_response(
        "503 SERVICE UNAVAILABLE",
        [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(RETRY_AFTER_SECONDS)),
        ],
    )
    return [body]
