from pydantic import BaseModel, Field

from ..inputs import Strict


class ProvinceOut(BaseModel):
    code: str
    name_fa: str
    name_en: str
    population: int
    census_year: int


class CountyOut(BaseModel):
    code: str
    province_code: str
    name_fa: str
    name_en: str
    population: int
    census_year: int
    national_code_prefixes: list[str]


class OfficeIn(Strict):
    code: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9\-]+$")
    name_fa: str = Field(min_length=1, max_length=120)
    county: str = Field(description="County code, e.g. 2301")
    national_code_prefix: str | None = Field(
        None, description="3-digit prefix for national codes issued here; defaults to the county's first."
    )


class OfficeOut(BaseModel):
    id: int
    code: str
    name_fa: str
    county_code: str
    county_name_fa: str
    province_code: str
    national_code_prefix: str
