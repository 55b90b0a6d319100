"""Prometheus metrics: request counts and latency by endpoint and status, served at /metrics.

Under gunicorn every worker is a process, so the counters live in prometheus-client's
multiprocess mode: ``PROMETHEUS_MULTIPROC_DIR`` is set (and emptied) by ``gunicorn.conf.py``
before the workers start, never by this code; ``/metrics`` then adds up every worker's files.
Without that variable (tests, ``flask run``) the process's own registry is served.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

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
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector

from api.state import db
from api.state import jobs as job_queue
from config import environment_value
from workflow import jobs

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
    jobs_registry = CollectorRegistry()
    jobs_registry.register(JobsCollector())
    return Response(
        generate_latest(registry) + generate_latest(jobs_registry), mimetype=CONTENT_TYPE_LATEST
    )


class JobsCollector(Collector):
    """The background jobs, read from the database at scrape time (workers run elsewhere)."""

    def collect(self) -> Iterator[Metric]:
        """Yield the queue depth, jobs by state, shards processed and job durations."""
        stats = jobs.job_stats(db())
        by_state = GaugeMetricFamily(
            "meritflow_jobs", "Background jobs by state.", labels=["state"]
        )
        for state, count in stats.by_state.items():
            by_state.add_metric([state], count)
        yield by_state
        yield GaugeMetricFamily(
            "meritflow_job_shards_waiting",
            "Shards of queued or running jobs not stored yet (the queue's depth in shards).",
            value=stats.shards_waiting,
        )
        depth = job_queue().depth()
        if depth is not None:
            yield GaugeMetricFamily(
                "meritflow_job_queue_messages",
                "Messages waiting in the broker's queue (not yet taken by a worker).",
                value=depth,
            )
        yield CounterMetricFamily(
            "meritflow_job_shards_processed",
            "Shards screened and stored by the workers.",
            value=stats.shards_stored,
        )
        durations = SummaryMetricFamily(
            "meritflow_job_duration_seconds",
            "Time from a job's start to its end, over every ended job.",
            count_value=stats.finished,
            sum_value=stats.seconds_total,
        )
        yield durations
