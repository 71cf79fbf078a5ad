"""The Jinja environment: templates with fragment blocks, filters and label globals."""

from datetime import datetime
from typing import Any

from jinja2_fragments.fastapi import Jinja2Blocks

from app.account.permissions import ROLE_LABELS
from app.config import PROJECT_ROOT
from app.core import clock
from app.unit.models import TEAM_KIND_LABELS, UNIT_KIND_LABELS
from app.web.csrf import CSRF_FIELD, CSRF_HEADER, csrf_token

templates = Jinja2Blocks(directory=str(PROJECT_ROOT / "templates"))

HTMX_FILE = "js/htmx-2.0.11.min.js"


def local_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time in Asia/Shanghai."""
    if value is None:
        return ""
    return clock.to_local(value).strftime(fmt)


def local_date(value: datetime | None) -> str:
    return local_datetime(value, "%Y-%m-%d")


def label(mapping: dict[Any, str], value: Any) -> str:
    return mapping.get(value, str(value))


templates.env.filters["local_datetime"] = local_datetime
templates.env.filters["local_date"] = local_date
templates.env.globals.update(
    HTMX_FILE=HTMX_FILE,
    UNIT_KIND_LABELS=UNIT_KIND_LABELS,
    TEAM_KIND_LABELS=TEAM_KIND_LABELS,
    ROLE_LABELS=ROLE_LABELS,
    label=label,
    csrf_token=csrf_token,
    CSRF_FIELD=CSRF_FIELD,
    CSRF_HEADER=CSRF_HEADER,
)
