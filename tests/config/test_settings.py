"""Settings come from the environment, and production refuses unsafe ones."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from config import ConfigurationError, Settings

PRODUCTION = {
    "APP_ENV": "production",
    "SECRET_KEY": "k" * 48,
    "DATABASE_URL": "postgresql://app@db/meritflow",
    "LEDGER_SIGNING_KEY": "c2VjcmV0LXNlZWQtb2YtMzItYnl0ZXMtZm9yLWVkMjU1MTk=",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("APP_ENV", "SECRET_KEY", "DATABASE_URL", "LEDGER_SIGNING_KEY", "INSTANCE_PATH"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_development_defaults_to_embedded_sqlite_and_a_random_secret(
    env: pytest.MonkeyPatch,
) -> None:
    first, second = Settings.from_env(), Settings.from_env()
    assert first.app_env == "development"
    assert first.database_url.startswith("sqlite:///")
    assert first.database_url.endswith("meritflow.db")
    assert len(first.secret_key) >= 32
    assert first.secret_key != second.secret_key


def test_production_with_everything_set_starts(env: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        env.setenv(name, value)
    settings = Settings.from_env()
    assert settings.is_production
    assert settings.log_json


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is missing"),
        ("DATABASE_URL", "DATABASE_URL must be set explicitly"),
        ("LEDGER_SIGNING_KEY", "LEDGER_SIGNING_KEY is required"),
    ],
)
def test_production_refuses_a_missing_value(
    env: pytest.MonkeyPatch, missing: str, message: str
) -> None:
    for name, value in PRODUCTION.items():
        if name != missing:
            env.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env()


@pytest.mark.parametrize(
    "secret", ["changeme", "you-will-never-guess", "dev", "short-but-not-default"]
)
def test_production_refuses_default_or_weak_secrets(env: pytest.MonkeyPatch, secret: str) -> None:
    for name, value in PRODUCTION.items():
        env.setenv(name, value)
    env.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings.from_env()


def test_unparseable_number_is_a_configuration_error(env: pytest.MonkeyPatch) -> None:
    env.setenv("SQLITE_BUSY_TIMEOUT_MS", "soon")
    with pytest.raises(ConfigurationError, match="SQLITE_BUSY_TIMEOUT_MS"):
        Settings.from_env()


def test_busy_timeout_below_five_seconds_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="at least 5000"):
        Settings(sqlite_busy_timeout_ms=100).validate()


def test_unknown_app_env_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("APP_ENV", "staging")
    with pytest.raises(ConfigurationError, match="APP_ENV"):
        Settings.from_env()


def test_secrets_come_only_from_the_environment_never_a_file(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A .env file (or any file) is never read: production without SECRET_KEY in the
    environment refuses to start even when a .env beside it holds one."""
    (tmp_path / ".env").write_text(f"SECRET_KEY={'k' * 48}\nLEDGER_SIGNING_KEY=abc\n")
    env.chdir(tmp_path)
    for name, value in PRODUCTION.items():
        if name not in ("SECRET_KEY", "LEDGER_SIGNING_KEY"):
            env.setenv(name, value)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is missing"):
        Settings.from_env()


def test_no_secret_is_kept_in_the_repository() -> None:
    """config/ holds no secret value, and git tracks no key or environment file."""
    root = Path(__file__).resolve().parents[2]
    source = "\n".join(p.read_text() for p in (root / "config").glob("*.py"))
    assert not re.search(r"(SECRET_KEY|SIGNING_KEY)\s*=\s*['\"][^'\"]+['\"]", source)
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    suspicious = [
        name
        for name in tracked
        if Path(name).name in (".env", "ledger-signing.key") or name.endswith((".pem", ".key"))
    ]
    assert suspicious == []


def test_screening_narrowing_is_off_unless_set(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Narrowing every pool is off by default (only large pools are narrowed: below);
    SCREENING_NARROWING=1 reaches the job queue, whose jobs then narrow every shard."""
    from api import create_app
    from api.state import jobs

    env.delenv("SCREENING_NARROWING", raising=False)
    assert Settings.from_env().screening_narrowing is False
    env.setenv("SCREENING_NARROWING", "1")
    env.setenv("INSTANCE_PATH", str(tmp_path))
    settings = Settings.from_env()
    assert settings.screening_narrowing is True
    app = create_app(settings)
    with app.app_context():
        assert jobs().narrow is True


def test_large_pools_are_narrowed_by_default(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """SCREENING_NARROWING_MIN_POOL (default 50,000) reaches the job queue; 0 turns the size
    rule off; a negative value is refused at start."""
    from api import create_app
    from api.state import jobs
    from workflow.screening import should_narrow

    env.delenv("SCREENING_NARROWING", raising=False)
    env.delenv("SCREENING_NARROWING_MIN_POOL", raising=False)
    default = Settings.from_env()
    assert default.screening_narrowing_min_pool == 50_000
    assert should_narrow(50_000, default)
    assert not should_narrow(49_999, default)
    env.setenv("SCREENING_NARROWING_MIN_POOL", "1200")
    env.setenv("INSTANCE_PATH", str(tmp_path))
    settings = Settings.from_env()
    app = create_app(settings)
    with app.app_context():
        queue = jobs()
        assert (queue.narrow, queue.narrow_min_pool) == (False, 1200)
        assert queue.narrows(1200)
        assert not queue.narrows(1199)
    env.setenv("SCREENING_NARROWING_MIN_POOL", "0")
    assert not should_narrow(10**7, Settings.from_env())
    env.setenv("SCREENING_NARROWING_MIN_POOL", "-1")
    with pytest.raises(ConfigurationError, match="SCREENING_NARROWING_MIN_POOL"):
        Settings.from_env()
