"""The staff access log: a citizen's own, an auditor's by person or by user, and the report of unusual access."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ..http import CurrentActor, CurrentContext, DayQuery
from ..registry import service as registry
from . import service
from .schemas import StaffReadOut, UnusualAccessOut

router = APIRouter(tags=["access log"])
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get("/me/reads", response_model=list[StaffReadOut])
def reads_about_me(ctx: CurrentContext, actor: CurrentActor, limit: Limit = 200) -> list[StaffReadOut]:
    """Which staff read the citizen's record: their role and office, what and when (never their name)."""
    return service.reads_about_me(ctx, actor=actor, limit=limit)


@router.get("/access/persons/{national_code}", response_model=list[StaffReadOut])
def reads_of_person(
    ctx: CurrentContext, actor: CurrentActor, national_code: Annotated[str, Path(max_length=20)], limit: Limit = 500
) -> list[StaffReadOut]:
    return service.reads_of_person(ctx, actor=actor, national_code=national_code, limit=limit)


@router.get("/access/users/{username}", response_model=list[StaffReadOut])
def reads_by_user(
    ctx: CurrentContext, actor: CurrentActor, username: Annotated[str, Path(max_length=60)], limit: Limit = 500
) -> list[StaffReadOut]:
    return service.reads_by_user(ctx, actor=actor, username=username, limit=limit)


@router.get("/access/unusual", response_model=list[UnusualAccessOut])
def unusual_access(
    ctx: CurrentContext, actor: CurrentActor, since: DayQuery = None, until: DayQuery = None
) -> list[UnusualAccessOut]:
    """Readers of many records other offices keep, persons many staff read, and reads at night; the days
    from `since` to `until` (at most 92; the last seven days by default)."""
    return service.unusual_access(ctx, actor=actor, holding_offices=registry.offices_holding, since=since, until=until)
