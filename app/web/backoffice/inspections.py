"""/staff/inspections — placeholder, filled in by its owner this session."""

from fastapi import APIRouter

router = APIRouter()
