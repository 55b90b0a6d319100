"""gunicorn.conf.py leaves no ``meritflow-metrics-*`` folder behind: its own folder is removed on
exit, and folders of masters that were killed are swept at the next start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_gunicorn_removes_its_metrics_folder_and_sweeps_orphans(tmp_path: Path) -> None:
    orphan = tmp_path / "meritflow-metrics-999999999-orphan"  # a pid that cannot be running
    orphan.mkdir()
    (orphan / "counter_1.db").write_bytes(b"")
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PROMETHEUS_MULTIPROC_DIR", "MERITFLOW_METRICS_DIR_OWNER")
    }
    env.update(
        PORT=str(port),
        WEB_CONCURRENCY="1",
        TMPDIR=str(tmp_path),
        APP_ENV="test",
        INSTANCE_PATH=str(tmp_path / "instance"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'instance' / 'meritflow.db'}",
        PYTHONPATH=str(ROOT),
    )
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(gunicorn), "--config", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        folders = sorted(p.name for p in tmp_path.glob("meritflow-metrics-*"))
        assert len(folders) == 1  # its own; the orphan was swept
        assert folders[0].startswith(f"meritflow-metrics-{server.pid}-")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert list(tmp_path.glob("meritflow-metrics-*")) == []
