"""Processes the crash and overload harnesses start, stop and kill: private PostgreSQL, gunicorn.

The private PostgreSQL instance lives in a temporary folder on its own port, so stopping,
crashing (``-m immediate``) and restarting it never disturbs anyone else's server. PostgreSQL
refuses to run as root, so when this process is root the instance runs as ``postgres``.
"""

from __future__ import annotations

import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import closing, suppress
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_available() -> bool:
    """Return whether a private PostgreSQL instance can be made here."""
    if not (PG_BIN / "initdb").exists():
        return False
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False
    return True


class PrivatePostgres:
    """A throw-away PostgreSQL cluster: ``initdb`` into a temporary folder, then start/stop it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="meritflow-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8")

    @property
    def server_url(self) -> str:
        """The superuser URL (for creating roles and databases)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(PG_BIN / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options,
                  "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``immediate`` is a crash: no checkpoint, recovery at next start)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        """Create a database owned by a new non-superuser login role; return its URL."""
        admin = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE ROLE "{name}" LOGIN NOSUPERUSER'))
                conn.execute(text(f'CREATE DATABASE "{name}" OWNER "{name}"'))
        finally:
            admin.dispose()
        return f"postgresql+psycopg://{name}@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        """Stop the server if it runs and delete its folder."""
        with suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class Gunicorn:
    """``gunicorn --config gunicorn.conf.py wsgi:app`` in its own process group."""

    def __init__(self, env: dict[str, str], *, workers: int, log: Path, port: int | None = None):
        self.env, self.workers, self.log = env, workers, log
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, wait_ready: bool = True) -> None:
        """Start the server; wait until ``/readyz`` answers 200 (or only ``/healthz``)."""
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "wsgi:app"],
                cwd=ROOT,
                env={**self.env, "PORT": str(self.port), "WEB_CONCURRENCY": str(self.workers)},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for("/readyz" if wait_ready else "/healthz", 200, timeout=60)

    def alive(self) -> bool:
        """Return whether the master process still runs."""
        return self.process is not None and self.process.poll() is None

    def worker_pids(self) -> list[int]:
        """Return the pids of the master's children (the workers)."""
        assert self.process is not None
        pid = self.process.pid
        try:
            found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(p) for p in found]

    def kill_worker(self) -> int | None:
        """SIGKILL one worker (the master replaces it); return its pid."""
        pids = self.worker_pids()
        if not pids:
            return None
        victim = pids[0]
        try:
            os.kill(victim, signal.SIGKILL)
        except ProcessLookupError:
            return None
        return victim

    def kill(self) -> None:
        """SIGKILL the whole server (master and workers) at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the server gracefully (SIGTERM), or kill it if it does not stop."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def get(self, path: str, timeout: float = 5) -> int | None:
        """Return the status of ``GET path``, or None when nothing answers."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("GET", path)
            return conn.getresponse().status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def wait_for(self, path: str, status: int, *, timeout: float) -> float:
        """Wait until ``GET path`` answers ``status``; return the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited (code {self.process.returncode}); see {self.log}"
                )
            if self.get(path) == status:
                return time.monotonic() - started
            time.sleep(0.2)
        raise RuntimeError(f"{path} did not answer {status} within {timeout:.0f} s; see {self.log}")
