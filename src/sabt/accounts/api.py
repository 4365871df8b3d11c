from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.security import OAuth2PasswordRequestForm

from ..core.errors import Unauthorized
from ..core.workflow import Actor
from ..http import BearerToken, CurrentActor, CurrentContext
from . import service
from .schemas import TokenOut, UserIn, UserOut

router = APIRouter(tags=["accounts"])


@router.post("/auth/token", response_model=TokenOut)
def sign_in(ctx: CurrentContext, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    """Exchange a username and password (form-encoded, OAuth2 password flow) for a bearer token."""
    return service.sign_in(ctx, username=form.username, password=form.password)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(ctx: CurrentContext, _actor: CurrentActor, token: BearerToken) -> None:
    if token is None:
        raise Unauthorized("auth.required")
    service.sign_out(ctx, token=token)


@router.get("/me")
def who_am_i(actor: CurrentActor) -> Actor:
    return actor


@router.post("/users", response_model=UserOut, status_code=status.HTTP_201_CREATED)
def create_user(ctx: CurrentContext, actor: CurrentActor, user: UserIn) -> UserOut:
    return service.create_user(ctx, actor=actor, user=user)


@router.get("/users", response_model=list[UserOut])
def list_users(ctx: CurrentContext, actor: CurrentActor) -> list[UserOut]:
    return service.list_users(ctx, actor=actor)
