"""POST /api/v1/auth/token — OAuth2 password flow for staff API clients."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app.account import service as account_service
from app.core.errors import AuthenticationFailed
from app.web import sessions
from app.web.deps import PublicRoute, SessionDep

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", name="api.auth.token", dependencies=[PublicRoute])
def issue_token(
    session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenResponse:
    """Exchange a staff username and password for a bearer token."""
    try:
        user = account_service.authenticate(session, username=form.username, password=form.password)
    except AuthenticationFailed:
        session.commit()
        raise
    token, lifetime = sessions.issue_api_token(user)
    return TokenResponse(access_token=token, expires_in=lifetime)
