"""/api/v1/statistics — placeholder, filled in by its owner this session."""

from fastapi import APIRouter

router = APIRouter()
