"""Settings: safe local defaults, and production refuses to start without a real secret."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Remove the variables the test run sets, so each test states exactly what it means."""
    names = ("ENVIRONMENT", "SECRET_KEY", "DATABASE_URL", "VAR_DIR", "SECURE_COOKIES")
    for name in (*names, "DATA_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def make(tmp_path: Path, **values: object) -> Settings:
    # _env_file=None: a developer's own .env must not change what these tests see.
    return Settings(_env_file=None, var_dir=tmp_path, **values)  # type: ignore[call-arg]


def test_missing_secret_key_is_generated_under_var_and_reused(clean_env, tmp_path):
    first = make(tmp_path)
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first.secret_key
    assert len(first.secret_key) >= 32
    assert key_file.stat().st_mode & 0o077 == 0, "the generated key must be private to its owner"
    assert make(tmp_path).secret_key == first.secret_key


def test_production_refuses_to_start_without_secret_key(clean_env, tmp_path):
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        make(tmp_path, environment="production")
    assert not (tmp_path / "secret_key").exists()


def test_short_secret_key_is_refused(clean_env, tmp_path):
    with pytest.raises(ValidationError, match="at least 32"):
        make(tmp_path, secret_key="too-short")


def test_database_defaults_to_sqlite_under_var(clean_env, tmp_path):
    settings = make(tmp_path)
    assert settings.database_url == f"sqlite:///{tmp_path / 'xiaowei.db'}"
    assert settings.is_sqlite


def test_database_url_from_environment(clean_env, tmp_path):
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://xiaowei@db:5432/xiaowei")
    settings = make(tmp_path)
    assert settings.database_url == "postgresql+psycopg://xiaowei@db:5432/xiaowei"
    assert not settings.is_sqlite


PRODUCTION_KEYS = "k1:" + "a2V5LWtleS1rZXkta2V5LWtleS1rZXkta2V5LWtleS0="


def test_production_refuses_to_start_without_encryption_keys(clean_env, tmp_path):
    with pytest.raises(ValidationError, match="DATA_ENCRYPTION_KEYS"):
        make(tmp_path, environment="production", secret_key="k" * 40)


def test_production_forces_secure_cookies(clean_env, tmp_path):
    settings = make(
        tmp_path,
        environment="production",
        secret_key="k" * 40,
        data_encryption_keys=PRODUCTION_KEYS,
        secure_cookies=False,
    )
    assert settings.secure_cookies is True


def test_development_cookies_follow_the_setting(clean_env, tmp_path):
    assert make(tmp_path).secure_cookies is False
    assert make(tmp_path, secure_cookies=True).secure_cookies is True


def test_env_example_lists_every_setting():
    from app.config import PROJECT_ROOT

    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    listed = {
        line.lstrip("# ").split("=", 1)[0]
        for line in example.splitlines()
        if "=" in line and line.lstrip("# ")[:1].isupper()
    }
    expected = {name.upper() for name in Settings.model_fields}
    assert expected <= listed, f"missing from .env.example: {sorted(expected - listed)}"
