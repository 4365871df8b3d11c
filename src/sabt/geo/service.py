"""Use cases for reference geography and offices."""

import csv
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import Context
from ..core.errors import NationalCodePrefix
from ..core.permissions import Action, Actor, authorize
from ..core.text import is_ascii_number, to_ascii_digits
from .errors import CountyUnknown, OfficeExists, OfficeNoPrefix, OfficeUnknown, ProvinceUnknown
from .models import County, Office, Province
from .schemas import CountyOut, OfficeIn, OfficeOut, ProvinceOut


def reference_rows(name: str) -> list[dict[str, str]]:
    """The rows of a shipped reference file (provinces.csv, counties.csv, age_sex.csv)."""
    text = resources.files("sabt.geo").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def sync_reference_data(session: Session) -> tuple[int, int]:
    """Insert or update the shipped provinces and counties; returns how many of each there are."""
    provinces = reference_rows("provinces.csv")
    counties = reference_rows("counties.csv")
    for row in provinces:
        session.merge(
            Province(
                code=row["code"],
                name_fa=row["name_fa"],
                name_en=row["name_en"],
                population=int(row["population"]),
                census_year=int(row["census_year"]),
            )
        )
    session.flush()
    for row in counties:
        session.merge(
            County(
                code=row["code"],
                province_code=row["province_code"],
                name_fa=row["name_fa"],
                name_en=row["name_en"],
                population=int(row["population"]),
                census_year=int(row["census_year"]),
                national_code_prefixes=row["national_code_prefixes"].strip(),
            )
        )
    return len(provinces), len(counties)


def list_provinces(ctx: Context) -> list[ProvinceOut]:
    with ctx.db.snapshot() as session:
        rows = session.scalars(select(Province).order_by(Province.code))
        return [ProvinceOut.model_validate(row, from_attributes=True) for row in rows]


def list_counties(ctx: Context, *, province_code: str | None = None) -> list[CountyOut]:
    with ctx.db.snapshot() as session:
        query = select(County).order_by(County.code)
        if province_code is not None:
            if session.get(Province, province_code) is None:
                raise ProvinceUnknown(field="province", code=province_code)
            query = query.where(County.province_code == province_code)
        return [_county_out(row) for row in session.scalars(query)]


def require_county(session: Session, code: str, *, field: str) -> CountyOut:
    county = session.get(County, to_ascii_digits(code).strip())
    if county is None:
        raise CountyUnknown(field=field, code=code)
    return _county_out(county)


def _county_out(county: County) -> CountyOut:
    return CountyOut(
        code=county.code,
        province_code=county.province_code,
        name_fa=county.name_fa,
        name_en=county.name_en,
        population=county.population,
        census_year=county.census_year,
        national_code_prefixes=county.national_code_prefixes.split(),
    )


def create_office(ctx: Context, *, actor: Actor | None, office: OfficeIn) -> OfficeOut:
    """Open a registration office in a county. `actor` None means an operator at the command line."""
    if actor is not None:
        authorize(actor, Action.MANAGE_OFFICES)
    with ctx.db.transaction() as session:
        county = require_county(session, office.county, field="county")
        prefix = office.national_code_prefix or next(iter(county.national_code_prefixes), None)
        if prefix is None:
            raise OfficeNoPrefix(field="national_code_prefix")
        prefix = to_ascii_digits(prefix)
        if len(prefix) != 3 or not is_ascii_number(prefix):
            raise NationalCodePrefix(field="national_code_prefix")
        if session.scalar(select(Office.id).where(Office.code == office.code)) is not None:
            raise OfficeExists(field="code", code=office.code)
        row = Office(
            code=office.code,
            name_fa=office.name_fa,
            county_code=county.code,
            national_code_prefix=prefix,
            created_at=ctx.now(),
        )
        session.add(row)
        session.flush()
        return _office_out(session, row)


def list_offices(ctx: Context) -> list[OfficeOut]:
    with ctx.db.snapshot() as session:
        return [_office_out(session, row) for row in session.scalars(select(Office).order_by(Office.code))]


def office_names(session: Session, office_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Each office's code and Persian name, for showing where something was done."""
    if not office_ids:
        return {}
    rows = session.execute(select(Office.id, Office.code, Office.name_fa).where(Office.id.in_(office_ids)))
    return {office_id: (code, name) for office_id, code, name in rows}


def offices_in_county(session: Session, county_code: str) -> frozenset[int]:
    return frozenset(session.scalars(select(Office.id).where(Office.county_code == county_code)))


def offices_in_province_of(session: Session, county_code: str) -> frozenset[int]:
    province = select(County.province_code).where(County.code == county_code).scalar_subquery()
    counties = select(County.code).where(County.province_code == province)
    return frozenset(session.scalars(select(Office.id).where(Office.county_code.in_(counties))))


def office_by_code(session: Session, code: str, *, field: str = "office") -> OfficeOut:
    row = session.scalar(select(Office).where(Office.code == code))
    if row is None:
        raise OfficeUnknown(field=field, code=code)
    return _office_out(session, row)


def office_by_id(session: Session, office_id: int) -> OfficeOut:
    row = session.get(Office, office_id)
    if row is None:
        raise OfficeUnknown(field="office", code=str(office_id))
    return _office_out(session, row)


def _office_out(session: Session, office: Office) -> OfficeOut:
    county = session.get(County, office.county_code)
    assert county is not None  # enforced by the foreign key
    return OfficeOut(
        id=office.id,
        code=office.code,
        name_fa=office.name_fa,
        county_code=county.code,
        county_name_fa=county.name_fa,
        province_code=county.province_code,
        national_code_prefix=office.national_code_prefix,
    )
