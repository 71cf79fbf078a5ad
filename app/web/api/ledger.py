"""/api/v1/ledger — placeholder, filled in by its owner this session."""

from fastapi import APIRouter

router = APIRouter()
