import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base


class Province(Base):
    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_fa: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    population: Mapped[int]
    census_year: Mapped[int]


class County(Base):
    __tablename__ = "counties"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    name_fa: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    population: Mapped[int]
    census_year: Mapped[int]
    # Space-separated 3-digit prefixes of the national codes issued in this county.
    national_code_prefixes: Mapped[str] = mapped_column(String(200), default="")


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_fa: Mapped[str] = mapped_column(String(120))
    county_code: Mapped[str] = mapped_column(ForeignKey("counties.code"), index=True)
    national_code_prefix: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[dt.datetime]
