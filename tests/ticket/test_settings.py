"""Ticket settings: attachment directory default, rate limit format."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings, rate_limit


def make(tmp_path: Path, **values: object) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, secret_key="k" * 40, **values)  # type: ignore[call-arg]


def test_attachments_default_under_var(tmp_path):
    settings = make(tmp_path)
    assert settings.attachment_dir == tmp_path / "attachments"
    assert settings.max_attachment_bytes == 10 * 1024 * 1024
    assert settings.max_attachments == 5
    assert make(tmp_path, attachment_dir="/srv/files").attachment_dir == Path("/srv/files")


@pytest.mark.parametrize(
    ("value", "parsed"),
    [("5/hour", (5, 3600)), ("30/minute", (30, 60)), (" 100/day ", (100, 86400))],
)
def test_rate_limits(value, parsed):
    assert rate_limit(value) == parsed


@pytest.mark.parametrize("value", ["", "5", "0/hour", "five/hour", "5/week", "-1/day"])
def test_malformed_rate_limits_are_refused(tmp_path, value):
    with pytest.raises(ValueError, match="rate limits"):
        rate_limit(value)
    with pytest.raises(ValidationError):
        make(tmp_path, complaint_rate_limit=value)
