"""A death declared with its medical certificate, coded in ICD-10: checked, stored as coded, and shown only
to the office staff who take and register it."""

import datetime as dt

import pytest

from sabt.registry.schemas import DeathDeclaration
from sabt.stats import service as stats

from ..platform.test_api import assert_problem, register_over_http, row_counts
from .factories import adult, death, register, registered_person

# Khordad 1404 to the tests' today, at the level of the whole country.
WHOLE_RANGE = {"place": "country", "grain": "range", "start": dt.date(2025, 5, 22), "end": dt.date(2025, 6, 1)}

HEART_ATTACK = {
    "part1": [
        {"condition": "انفارکتوس حاد میوکارد", "icd10": "i219", "interval": {"amount": 2, "unit": "hours"}},
        {"condition": "بیماری قلبی ناشی از فشار خون", "icd10": "I11.9", "interval": {"amount": 6, "unit": "years"}},
    ],
    "part2": [{"condition": "دیابت نوع دو", "icd10": "E11.9"}],
    "underlying": "I11.9",
    "manner": "disease",
    "autopsy": "not_done",
}


def test_a_coded_death_is_stored_as_coded_and_read_by_the_office_that_registers_it(api, ctx, staff):
    code = adult(ctx, staff, "male", year=1950)
    registered = register_over_http(api, "/api/events/deaths", death(code, cause_of_death=HEART_ATTACK))
    assert registered["status"] == "registered", registered
    address = f"/api/events/{registered['id']}"
    for role in ("clerk", "registrar", "head"):
        seen = api.get(address, as_=role).json()["data"]["cause_of_death"]
        assert seen["part1"][0]["icd10"] == "I21.9"
        assert seen["underlying"] == "I11.9"
    history = api.get(f"{address}/history", as_="registrar").json()
    assert history[0]["data"]["cause_of_death"]["underlying"] == "I11.9"
    stated = api.get(f"{address}/cause-of-death", as_="clerk").json()
    assert stated["cause_of_death"]["part2"][0]["icd10"] == "E11.9"
    assert api.get(f"{address}/cause-of-death", as_="auditor").json()["code"] == "role.forbidden"
    assert api.get(f"{address}/cause-of-death", as_="isf_registrar").json()["code"] == "office.forbidden"


@pytest.mark.parametrize("role", ["auditor", "investigator", "admin"])
def test_the_national_roles_see_the_death_but_not_its_cause(api, ctx, staff, role):
    code = adult(ctx, staff, "female", year=1960)
    declared = api.post("/api/events/deaths", as_="clerk", json=death(code, cause="سکته", cause_of_death=HEART_ATTACK))
    assert declared.status_code == 201, declared.text
    address = f"/api/events/{declared.json()['id']}"
    event = api.get(address, as_=role).json()
    assert event["data"]["national_code"] == code
    assert "cause_of_death" not in event["data"]
    assert "cause" not in event["data"]
    for step in api.get(f"{address}/history", as_=role).json():
        assert "cause_of_death" not in (step["data"] or {})
    listed = api.get("/api/events", as_=role, params={"office": "THR", "kind": "death", "limit": 500}).json()
    (listed_death,) = [item for item in listed if item["id"] == declared.json()["id"]]
    assert "cause_of_death" not in listed_death["data"]


def _certificate(**changes):
    return HEART_ATTACK | changes


BAD_CERTIFICATES = [
    # (what the certificate says, the refusal, the field)
    (_certificate(underlying="I99.9"), "cause.code_unknown", "cause_of_death.underlying"),
    (
        _certificate(part1=[{"condition": "سکته", "icd10": "I21"}], underlying="I21"),
        "cause.code_not_specific",
        "cause_of_death.part1.0.icd10",
    ),
    (
        _certificate(
            part1=[
                {"condition": "شوک", "icd10": "R57.9", "interval": {"amount": 3, "unit": "days"}},
                {"condition": "خونریزی", "icd10": "I61.9", "interval": {"amount": 1, "unit": "hours"}},
            ],
            underlying="I61.9",
        ),
        "cause.interval_order",
        "cause_of_death.part1.1.interval",
    ),
    (_certificate(underlying="E11.9", part2=[]), "cause.underlying_not_listed", "cause_of_death.underlying"),
    (
        _certificate(part1=[{"condition": "ضربه به سر", "icd10": "S06.9"}], underlying="S06.9", manner="accident"),
        "cause.injury_not_underlying",
        "cause_of_death.underlying",
    ),
    (_certificate(manner="assault"), "cause.external_cause_needed", "cause_of_death.underlying"),
    (
        _certificate(part1=[{"condition": "اکلامپسی", "icd10": "O15.0"}], underlying="O15.0"),
        "cause.pregnancy_impossible",
        "cause_of_death.part1.0.icd10",
    ),
    (_certificate(pregnancy="pregnant"), "cause.pregnancy_impossible", "cause_of_death.pregnancy"),
    (_certificate(part1=[]), "request.too_few", "cause_of_death.part1"),
    (_certificate(manner="natural"), "request.not_a_choice", "cause_of_death.manner"),
]


@pytest.mark.parametrize(("certificate", "code", "field"), BAD_CERTIFICATES)
def test_a_certificate_that_breaks_a_rule_is_refused_by_name_and_nothing_is_written(
    api, ctx, staff, certificate, code, field
):
    deceased = adult(ctx, staff, "male", year=1950)
    before = row_counts(ctx)
    response = api.post("/api/events/deaths", as_="clerk", json=death(deceased, cause_of_death=certificate))
    assert_problem(response, 422, code, field)
    assert row_counts(ctx) == before


def test_deaths_are_counted_by_the_chapter_of_their_underlying_cause_and_maternal_deaths_by_births(ctx, staff):
    """By hand: in Tehran in Khordad 1404, a man dies of hypertensive heart disease (IX), a woman of 30 of
    eclampsia within 42 days of giving birth (XV, maternal), a man in a car crash (XX), and a woman with no
    certificate; two children are born."""
    mother = adult(ctx, staff, "female", year=1995)
    for _ in range(2):
        registered_person(ctx, staff, born=dt.date(2025, 5, 25), mother={"national_code": mother})
    eclampsia = {
        "part1": [{"condition": "اکلامپسی", "icd10": "O15.2"}],
        "underlying": "O15.2",
        "manner": "disease",
        "pregnancy": "within_42_days",
    }
    crash = {
        "part1": [
            {"condition": "آسیب مغزی", "icd10": "S06.9", "interval": {"amount": 30, "unit": "minutes"}},
            {"condition": "تصادف خودرو", "icd10": "V43.5", "interval": {"amount": 30, "unit": "minutes"}},
        ],
        "underlying": "V43.5",
        "manner": "accident",
    }
    for code, certificate in (
        (adult(ctx, staff, "male", year=1950), HEART_ATTACK),
        (mother, eclampsia),
        (adult(ctx, staff, "male", year=1980), crash),
        (adult(ctx, staff, "female", year=1940), None),
    ):
        register(ctx, staff, DeathDeclaration(**death(code, cause_of_death=certificate)))
    country = ("", "range")
    by_cause = stats.compute(ctx, actor=staff["auditor"], indicator="deaths_by_cause", **WHOLE_RANGE).rows[0]
    counted = {name: value for name, value in by_cause.values.items() if value}
    assert counted == {
        "deaths": 4,
        "deaths_cause_IX": 1,
        "deaths_cause_XV": 1,
        "deaths_cause_XX": 1,
        "deaths_cause_uncertified": 1,
    }
    assert (by_cause.place, by_cause.period) == country
    maternal = stats.compute(ctx, actor=staff["auditor"], indicator="maternal_mortality", **WHOLE_RANGE).rows[0]
    assert maternal.values == {"maternal_deaths": 1, "births": 2, "maternal_mortality_ratio": 50_000.0}
    public = stats.compute(ctx, actor=None, indicator="maternal_mortality", **WHOLE_RANGE).rows[0]
    assert public.values["maternal_deaths"] is None
    assert public.values["maternal_mortality_ratio"] is None
