"""Typed settings built once from the environment; the only module that reads ``os.environ``."""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from environs import Env, EnvError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INSTANCE = PROJECT_ROOT / "instance"

AppEnv = Literal["development", "test", "production"]

# Values that must never reach production, whatever else the secret looks like.
_KNOWN_WEAK_SECRETS = frozenset(
    {"", "dev", "development", "secret", "changeme", "change-me", "test", "you-will-never-guess"}
)
_MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """Raised when the environment describes a configuration the service refuses to run with."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service can be configured with; built by :meth:`from_env` or by tests."""

    app_env: AppEnv = "development"
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    database_url: str = f"sqlite:///{DEFAULT_INSTANCE / 'meritflow.db'}"
    instance_path: Path = DEFAULT_INSTANCE
    sqlite_busy_timeout_ms: int = 10_000
    db_pool_size: int = 10
    db_pool_timeout_seconds: float = 5.0
    """How long a request waits for a pooled connection before it is answered 503."""
    max_concurrent_requests: int = 4
    """Requests one worker process serves at once; the rest wait (see admission_wait_ms)."""
    admission_wait_ms: int = 500
    """How long a request waits for one of those places before it is shed with 503."""
    log_level: str = "INFO"
    log_json: bool = False
    max_request_bytes: int = 64 * 1024 * 1024
    ledger_signing_key: str | None = field(default=None, repr=False)
    """Base64 of a raw 32-byte Ed25519 private key used to sign ledger checkpoints."""
    ledger_key_id: str = "meritflow-dev"
    checkpoint_dir: Path = DEFAULT_INSTANCE / "checkpoints"
    screening_processes: int = 0
    """Processes used to screen large pools; 0 means one per CPU core."""
    scheduler_interval_seconds: int = 60
    jobs_broker_url: str = ""
    """Celery broker of the background jobs; empty means the embedded SQLite broker in the
    instance folder (``sqla+sqlite:///instance/jobs-broker.db``). Production: ``redis://…`` or
    ``amqp://…``."""
    jobs_eager: bool = False
    """Run jobs in the requesting process (tests, one-process tools): no broker, no workers."""
    jobs_shard_size: int = 20000
    """Candidates per screening shard (a worker's memory is bounded by one shard)."""
    screening_narrowing: bool = False
    """Narrow EVERY screening in the database, whatever its pool's size (only plausible
    candidates are loaded; the narrowed-out are ineligible by the criterion that excluded them,
    and their explanation is rendered on demand from the registry)."""
    screening_narrowing_min_pool: int = 50_000
    """Screenings of pools at least this large are narrowed (jobs and the inline path); smaller
    pools are screened whole, so their stored runs and digests stay as before. 0: only
    ``screening_narrowing`` narrows (``workflow.screening.should_narrow``)."""
    auth_failure_limit: int = 10
    auth_failure_window_seconds: int = 60
    idempotency_retention_hours: int = 48
    session_idle_minutes: int = 30
    """A signed-in web session ends after this long without a request."""

    @property
    def is_production(self) -> bool:
        """Return whether the service runs in production mode."""
        return self.app_env == "production"

    @property
    def broker_url(self) -> str:
        """Return the jobs' broker URL (the embedded SQLite one unless configured)."""
        return self.jobs_broker_url or f"sqla+sqlite:///{self.instance_path / 'jobs-broker.db'}"

    @property
    def is_sqlite(self) -> bool:
        """Return whether the configured database is SQLite."""
        return self.database_url.startswith("sqlite")

    def replace(self, **changes: object) -> Settings:
        """Return a copy with some fields changed (tests and CLI overrides)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def validate(self) -> Settings:
        """Return self, or raise :class:`ConfigurationError` if this must not run.

        :raises ConfigurationError: production without a strong secret key or an explicit
            database URL, or with values that make no sense anywhere.
        """
        problems: list[str] = []
        if self.app_env not in ("development", "test", "production"):
            problems.append(
                f"APP_ENV must be development, test or production, not {self.app_env!r}"
            )
        if self.is_production:
            if self.secret_key.lower() in _KNOWN_WEAK_SECRETS:
                problems.append("SECRET_KEY is missing or a well-known default")
            elif len(self.secret_key) < _MIN_SECRET_LENGTH:
                problems.append(f"SECRET_KEY must be at least {_MIN_SECRET_LENGTH} characters")
            if not self.ledger_signing_key:
                problems.append("LEDGER_SIGNING_KEY is required in production (checkpoints)")
        if self.sqlite_busy_timeout_ms < 5_000:
            problems.append("SQLITE_BUSY_TIMEOUT_MS must be at least 5000")
        if self.session_idle_minutes <= 0:
            problems.append("SESSION_IDLE_MINUTES must be positive")
        if self.max_concurrent_requests < 1:
            problems.append("MAX_CONCURRENT_REQUESTS must be at least 1")
        if self.admission_wait_ms < 0 or self.db_pool_timeout_seconds <= 0:
            problems.append("ADMISSION_WAIT_MS must be >= 0 and DB_POOL_TIMEOUT_SECONDS > 0")
        if self.screening_narrowing_min_pool < 0:
            problems.append("SCREENING_NARROWING_MIN_POOL must be 0 (off) or positive")
        if self.jobs_shard_size < 1:
            problems.append("JOBS_SHARD_SIZE must be at least 1")
        if self.max_request_bytes <= 0:
            problems.append("MAX_REQUEST_BYTES must be positive")
        if problems:
            raise ConfigurationError("; ".join(problems))
        return self

    @classmethod
    def from_env(cls) -> Settings:
        """Build validated settings from the process environment.

        :raises ConfigurationError: a value cannot be parsed, or :meth:`validate` refuses it.
        """
        env = Env(expand_vars=False)
        try:
            app_env = env.str("APP_ENV", "development")
            instance = Path(env.str("INSTANCE_PATH", str(DEFAULT_INSTANCE)))
            database_url = env.str("DATABASE_URL", "")
            if not database_url:
                if app_env == "production":
                    raise ConfigurationError("DATABASE_URL must be set explicitly in production")
                database_url = f"sqlite:///{instance / 'meritflow.db'}"
            secret = env.str("SECRET_KEY", "")
            if not secret and app_env != "production":
                secret = secrets.token_urlsafe(32)  # a fresh secret per process; nothing persists
            settings = cls(
                app_env=app_env,  # type: ignore[arg-type]  # checked by validate()
                secret_key=secret,
                database_url=database_url,
                instance_path=instance,
                sqlite_busy_timeout_ms=env.int("SQLITE_BUSY_TIMEOUT_MS", 10_000),
                db_pool_size=env.int("DB_POOL_SIZE", 10),
                db_pool_timeout_seconds=env.float("DB_POOL_TIMEOUT_SECONDS", 5.0),
                max_concurrent_requests=env.int("MAX_CONCURRENT_REQUESTS", 4),
                admission_wait_ms=env.int("ADMISSION_WAIT_MS", 500),
                log_level=env.str("LOG_LEVEL", "INFO").upper(),
                log_json=env.bool("LOG_JSON", app_env == "production"),
                max_request_bytes=env.int("MAX_REQUEST_BYTES", 64 * 1024 * 1024),
                ledger_signing_key=env.str("LEDGER_SIGNING_KEY", "") or None,
                ledger_key_id=env.str("LEDGER_KEY_ID", "meritflow-dev"),
                checkpoint_dir=Path(env.str("CHECKPOINT_DIR", str(instance / "checkpoints"))),
                screening_processes=env.int("SCREENING_PROCESSES", 0),
                scheduler_interval_seconds=env.int("SCHEDULER_INTERVAL_SECONDS", 60),
                jobs_broker_url=env.str("JOBS_BROKER_URL", ""),
                jobs_eager=env.bool("JOBS_EAGER", False),
                jobs_shard_size=env.int("JOBS_SHARD_SIZE", 20000),
                screening_narrowing=env.bool("SCREENING_NARROWING", False),
                screening_narrowing_min_pool=env.int("SCREENING_NARROWING_MIN_POOL", 50_000),
                auth_failure_limit=env.int("AUTH_FAILURE_LIMIT", 10),
                auth_failure_window_seconds=env.int("AUTH_FAILURE_WINDOW_SECONDS", 60),
                idempotency_retention_hours=env.int("IDEMPOTENCY_RETENTION_HOURS", 48),
                session_idle_minutes=env.int("SESSION_IDLE_MINUTES", 30),
            )
        except EnvError as exc:
            raise ConfigurationError(str(exc)) from exc
        return settings.validate()


def environment_value(name: str) -> str | None:
    """Return one raw environment variable (for test harnesses and scripts outside the app)."""
    return os.environ.get(name) or None
