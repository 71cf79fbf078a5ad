"""Settings read from the environment (and `.env`), with safe local defaults."""

import secrets
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every setting; `.env.example` lists them all with their defaults."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["dev", "test", "production"] = "dev"
    var_dir: Path = PROJECT_ROOT / "var"
    database_url: str = ""
    secret_key: str = ""
    # Where the public site is reachable; QR codes and notifications print absolute links.
    public_base_url: str = "http://127.0.0.1:8000"
    # Cookies get `Secure` when served over HTTPS (always in production).
    secure_cookies: bool = False
    session_max_age_seconds: int = 8 * 3600
    login_max_failures: int = 5
    login_lockout_seconds: int = 15 * 60
    api_token_minutes: int = 60
    # Trust X-Forwarded-For / -Proto only behind a known reverse proxy.
    trust_proxy_headers: bool = False
    county_unit_code: str = "330226000000"
    # A published list older than this is flagged 超过 N 个月未更新 (僵尸清单, §5 freshness).
    list_stale_after_days: int = 365
    log_level: str = "INFO"
    # Personal data at rest (complainant identity, notification recipients): AES-GCM keys as
    # `kid:base64,kid2:base64`; the first encrypts, all decrypt (rotation). Empty outside
    # production = derived from SECRET_KEY; production refuses to encrypt without it.
    data_encryption_keys: str = ""
    # `xiaowei serve` delivers notifications and runs ticket deadlines every N seconds; 0 = off
    # (then run `xiaowei notify deliver` and `xiaowei tick` from cron instead).
    tick_interval_seconds: int = 60
    # How SMS and e-mail notifications leave: console (log only), smtp (e-mail) or webhook.
    notify_sms_sender: Literal["console", "webhook"] = "console"
    notify_email_sender: Literal["console", "smtp", "webhook"] = "console"
    # After this many failed attempts a message is dead (retried only by an administrator).
    notify_max_attempts: int = 8
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "ssl"] = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "xiaowei@localhost"
    smtp_timeout_seconds: float = 10.0
    # SMS gateway adapter: POST {"to", "text"} as JSON, signed with HMAC-SHA256 of the body.
    notify_webhook_url: str = ""
    notify_webhook_secret: str = ""
    notify_webhook_timeout_seconds: float = 10.0
    # Complaint attachments: stored outside the web root under random names (default
    # $VAR_DIR/attachments); size per file and count per ticket.
    attachment_dir: Path | None = None
    max_attachment_bytes: int = 10 * 1024 * 1024
    max_attachments: int = 5
    # Public complaint submissions per client, "N/second|minute|hour|day" (§9 rate limits).
    complaint_rate_limit: str = "5/hour"
    # An overdue ticket first notifies the team lead; this many working days later it goes up
    # to the parent team (`xiaowei tick`).
    escalate_after_working_days: int = 5
    # Statistics (dashboard, /staff/stats, public /stats, report) reuse a county-wide aggregate
    # for up to this many seconds; any change to a ticket or unit shows at once. 0 = off.
    stats_cache_seconds: int = 300

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Settings":
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'xiaowei.db'}"
        if not self.secret_key:
            if self.environment == "production":
                raise ValueError("SECRET_KEY must be set when ENVIRONMENT=production")
            self.secret_key = _local_secret(self.var_dir)
        elif len(self.secret_key) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters")
        if self.environment == "production":
            self.secure_cookies = True
        if self.environment == "production" and not self.data_encryption_keys.strip():
            # Refuse at startup rather than at the first complaint with a real name.
            raise ValueError("DATA_ENCRYPTION_KEYS must be set when ENVIRONMENT=production")
        if self.data_encryption_keys.strip():
            from app.core.crypto import parse_keys  # lazy: crypto reads these settings

            parse_keys(self.data_encryption_keys)
        if self.attachment_dir is None:
            self.attachment_dir = self.var_dir / "attachments"
        rate_limit(self.complaint_rate_limit)
        if "webhook" in (self.notify_sms_sender, self.notify_email_sender) and not (
            self.notify_webhook_url and self.notify_webhook_secret
        ):
            raise ValueError(
                "the webhook sender needs NOTIFY_WEBHOOK_URL and NOTIFY_WEBHOOK_SECRET"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


_RATE_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def rate_limit(value: str) -> tuple[int, int]:
    """Parse "5/hour" into (5 requests, 3600 seconds); ValueError when malformed."""
    count, _, period = value.strip().partition("/")
    if not count.strip().isdigit() or int(count) < 1 or period.strip() not in _RATE_PERIODS:
        raise ValueError('rate limits look like "5/hour" (per second, minute, hour or day)')
    return int(count), _RATE_PERIODS[period.strip()]


def _local_secret(var_dir: Path) -> str:
    """Generate a per-checkout secret under var/ so local runs need no configuration."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@cache
def get_settings() -> Settings:
    """Return the process-wide settings (tests clear the cache to override)."""
    return Settings()
