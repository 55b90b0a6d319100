"""The gunicorn worker: gthread, telling the app how long each request waited for a thread.

gunicorn's threaded worker hands each readable connection to a thread pool whose queue has no
bound of its own; under overload requests wait there, unseen by the app, until clients time out.
This worker stamps each connection when it is queued and passes the stamp to the app in the WSGI
environ (``meritflow.queued_at``, a ``time.monotonic()`` value), so :mod:`api.admission` can
shed a request that already waited too long instead of serving it late.

It lives outside ``api`` so that gunicorn's master, which loads the worker class, does not import
the application (workers load it after the fork; ``preload_app`` is off).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

QUEUED_AT = "meritflow.queued_at"

_current = threading.local()


class SheddingWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker with queue-time stamps (``worker_class`` in gunicorn.conf.py)."""

    def enqueue_req(self, conn: Any) -> None:
        """Stamp the connection, then queue it for a thread."""
        conn.meritflow_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        """Handle a request on a thread, with its stamp visible to :meth:`load_wsgi`'s wrapper."""
        _current.queued_at = getattr(conn, "meritflow_queued_at", None)
        try:
            return super().handle(conn)
        finally:
            _current.queued_at = None

    def load_wsgi(self) -> None:
        """Load the app and wrap it to put the stamp into each request's environ."""
        super().load_wsgi()
        app: Any = self.wsgi  # type: ignore[has-type]

        def stamped(environ: dict[str, Any], start_response: Any) -> Any:
            queued_at = getattr(_current, "queued_at", None)
            if queued_at is not None:
                environ[QUEUED_AT] = queued_at
            return app(environ, start_response)

        self.wsgi = stamped
