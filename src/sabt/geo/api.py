from fastapi import APIRouter, status

from ..http import CurrentActor, CurrentContext
from . import service
from .schemas import CountyOut, OfficeIn, OfficeOut, ProvinceOut

router = APIRouter(prefix="/geo", tags=["geography"])


@router.get("/provinces", response_model=list[ProvinceOut])
def provinces(ctx: CurrentContext) -> list[ProvinceOut]:
    """The 31 provinces with their latest census population (public reference data)."""
    return service.list_provinces(ctx)


@router.get("/counties", response_model=list[CountyOut])
def counties(ctx: CurrentContext, province: str | None = None) -> list[CountyOut]:
    return service.list_counties(ctx, province_code=province)


@router.get("/offices", response_model=list[OfficeOut])
def offices(ctx: CurrentContext, _actor: CurrentActor) -> list[OfficeOut]:
    return service.list_offices(ctx)


@router.post("/offices", response_model=OfficeOut, status_code=status.HTTP_201_CREATED)
def create_office(ctx: CurrentContext, actor: CurrentActor, office: OfficeIn) -> OfficeOut:
    return service.create_office(ctx, actor=actor, office=office)
