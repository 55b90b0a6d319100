"""Prometheus metrics: request counts and latency by endpoint and status, served at /metrics.

Under gunicorn every worker is a process, so the counters live in prometheus-client's
multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` is set (and emptied) by ``gunicorn.conf.py``
before the workers start, never by this code; ``/metrics`` then adds up every worker's files.
Without that variable (tests, ``flask run``) the process's own registry is served.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from flask_smorest import Blueprint
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from config import environment_value

blp = Blueprint("metrics", __name__, description="Prometheus metrics")

REQUESTS = Counter(
    "meritflow_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "endpoint", "status"],
)
LATENCY = Histogram(
    "meritflow_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


def init_app(app: Flask) -> None:
    """Time every request and count it by its route template (bounded label values)."""

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _observe(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
            LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
            REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
        return response


@blp.route("/metrics")
@blp.doc(
    responses={
        "200": {
            "description": "Metrics in the Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    }
)
def metrics() -> Response:
    """Return the service's metrics in the Prometheus text format."""
    if environment_value("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
