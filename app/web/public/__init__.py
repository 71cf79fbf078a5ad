"""Citizen pages: no account, work without JavaScript."""

from fastapi import APIRouter

from app.powerlist.diff import CHANGE_KIND_LABELS
from app.powerlist.specs import (
    LIST_KIND_LABELS,
    RISK_LEVEL_LABELS,
    STEP_KIND_LABELS,
    format_time_limit,
)
from app.web.public import (
    complaints,
    home,
    items,
    lists,
    posters,
    search,
    stats,
    track,
    units,
)
from app.web.templating import templates

# What the power list macros (templates/components/powerlist.html) need besides their
# arguments; globals, because imported macros do not see the page's context variables.
templates.env.globals.update(
    format_time_limit=format_time_limit,
    LIST_KIND_LABELS=LIST_KIND_LABELS,
    RISK_LEVEL_LABELS=RISK_LEVEL_LABELS,
    STEP_KIND_LABELS=STEP_KIND_LABELS,
    CHANGE_KIND_LABELS=CHANGE_KIND_LABELS,
)

router = APIRouter(tags=["public"])
router.include_router(home.router)
router.include_router(search.router)
router.include_router(units.router)
router.include_router(lists.router)
router.include_router(items.router)
router.include_router(posters.router)
router.include_router(complaints.router)
router.include_router(track.router)
router.include_router(stats.router)
