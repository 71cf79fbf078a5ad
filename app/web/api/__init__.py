"""/api/v1 JSON routers over the same services as the pages."""

from fastapi import APIRouter

from app.web.api import (
    audit,
    auth,
    complaints,
    inspections,
    ledger,
    lists,
    notices,
    statistics,
    teams,
    tickets,
    units,
    users,
)

router = APIRouter(prefix="/api/v1")
router.include_router(auth.router)
router.include_router(users.router)
router.include_router(audit.router)
router.include_router(units.router)
router.include_router(teams.router)
router.include_router(lists.router)
router.include_router(complaints.router)
router.include_router(tickets.router)
router.include_router(notices.router)
router.include_router(ledger.router)
router.include_router(inspections.router)
router.include_router(statistics.router)
