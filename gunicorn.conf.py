"""gunicorn settings for `make run` and production; the port comes from settings-free PORT."""

import multiprocessing
import os

bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
worker_class = "sync"
timeout = 60
graceful_timeout = 20
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
# No preload: the durable_rules host and the database pool are created in each worker.
preload_app = False
