"""The synthetic nation: deterministic, shaped like Iran, families that make sense, and legacy defects that
are exactly what the ground truth says."""

import collections
import csv
import datetime as dt
import itertools
from pathlib import Path

import pytest

from sabt.core.cards import eligible_from
from sabt.core.jalali import parse_date
from sabt.core.linkage import sound_key
from sabt.core.national_code import national_code_problem
from sabt.core.persian_names import is_compound_part, split_honorific
from sabt.core.text import normalize_name
from sabt.geo.service import reference_rows
from sabt.synth.legacy import COPY_VARIATIONS
from sabt.synth.service import SynthRequest, generate_nation

PEOPLE, YEARS = 20_000, 3


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def nation(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nation")
    generate_nation(SynthRequest(people=PEOPLE, years=YEARS, seed=7, legacy=True), out)
    return out


@pytest.fixture(scope="module")
def persons(nation) -> list[dict[str, str]]:
    return rows(nation / "persons.csv")


@pytest.fixture(scope="module")
def events(nation) -> list[dict[str, str]]:
    return rows(nation / "events.csv")


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path, nation):
    generate_nation(SynthRequest(people=PEOPLE, years=YEARS, seed=7, legacy=True), tmp_path / "again")
    generate_nation(SynthRequest(people=PEOPLE, years=YEARS, seed=8), tmp_path / "other")
    for name in ("persons.csv", "events.csv", "cards.csv", "legacy.csv", "legacy_truth.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (nation / name).read_bytes()
    assert (tmp_path / "other" / "persons.csv").read_bytes() != (nation / "persons.csv").read_bytes()


def test_everyone_has_a_valid_unique_code_and_parents_come_first(persons):
    seen: dict[str, dict[str, str]] = {}
    for person in persons:
        assert national_code_problem(person["national_code"]) is None
        assert person["national_code"] not in seen
        for role, sex in (("father", "male"), ("mother", "female")):
            parent = seen.get(person[f"{role}_national_code"]) if person[f"{role}_national_code"] else None
            if person[f"{role}_national_code"]:
                assert parent is not None and parent["sex"] == sex
        seen[person["national_code"]] = person


def test_mothers_are_16_to_45_at_each_birth_and_children_are_spaced(persons):
    born = {p["national_code"]: parse_date(p["birth_date"]) for p in persons}
    children = collections.defaultdict(list)
    for person in persons:
        if person["mother_national_code"]:
            age = (born[person["national_code"]] - born[person["mother_national_code"]]).days / 365.2425
            assert 16 <= age <= 45.1
            children[person["mother_national_code"]].append(born[person["national_code"]])
    assert len(children) > len(persons) / 10  # most people of child-bearing age are mothers
    for days in children.values():
        days.sort()
        assert all(b - a >= dt.timedelta(days=280) or b == a for a, b in itertools.pairwise(days))


def test_people_spread_over_provinces_like_the_census(persons):
    province_of = {row["code"]: row["province_code"] for row in reference_rows("counties.csv")}
    census = {row["code"]: int(row["population"]) for row in reference_rows("provinces.csv")}
    counts = collections.Counter(province_of[p["birth_county"]] for p in persons)
    total = sum(census.values())
    for province, population in census.items():
        expected = len(persons) * population / total
        assert abs(counts[province] - expected) < 5 * expected**0.5 + 5, province


def test_women_and_men_and_ages_follow_the_census(persons):
    women = sum(p["sex"] == "female" for p in persons) / len(persons)
    assert 0.47 < women < 0.51  # 1395 census: 49.4% women
    older = sum(parse_date(p["birth_date"]) < dt.date(1961, 1, 1) for p in persons) / len(persons)
    assert 0.04 < older < 0.12  # about 8% of Iranians were over 60 at the 1395 census


def test_events_happen_at_irans_rates(events):
    counts = collections.Counter(event["kind"] for event in events)
    assert counts["birth"] == round(PEOPLE * 1.1 / 88 * YEARS)
    assert counts["death"] == round(PEOPLE * 0.45 / 88 * YEARS)
    assert counts["marriage"] >= round(PEOPLE * 0.55 / 88 * YEARS) * 0.95
    assert 0 < counts["divorce"] <= counts["marriage"] * 0.4


def test_most_births_are_declared_on_time_and_a_realistic_share_late(events):
    delays = [(parse_date(e["declared_on"]) - parse_date(e["event_date"])).days for e in events if e["kind"] == "birth"]
    late = sum(delay > 15 for delay in delays) / len(delays)
    assert 0.05 < late < 0.25
    assert min(delays) >= 0


def test_twins_share_a_day_and_a_mother(events):
    births = [e for e in events if e["kind"] == "birth"]
    twins = [e for e in births if e["birth_order"] == "2"]
    assert twins
    for twin in twins:
        assert any(
            e["event_date"] == twin["event_date"] and e["mother"] == twin["mother"] and e["birth_order"] == "1"
            for e in births
        )


def test_common_names_are_common_and_the_tail_is_long(persons):
    men = collections.Counter(p["first_name"] for p in persons if p["sex"] == "male")
    share = men["محمد"] / sum(men.values())
    assert 0.03 < share < 0.1 and men.most_common(1)[0][0] == "محمد"
    assert len({p["last_name"] for p in persons}) > 1000


def test_legacy_defects_are_what_the_ground_truth_says(nation):
    legacy, truth = rows(nation / "legacy.csv"), rows(nation / "legacy_truth.csv")
    assert len(legacy) == len(truth)
    defects = collections.Counter(row["kind"] for row in truth if not row["of"])
    assert {"typo", "arabic_letters", "swapped_day_month", "missing_father", "invalid_code", "nonexistent"} <= set(
        defects
    )
    copies = collections.Counter(row["kind"] for row in truth if row["of"])
    assert set(copies) <= set(COPY_VARIATIONS) and len(copies) >= 6
    for record, key in zip(legacy, truth, strict=True):
        if key["of"]:
            original = legacy[int(key["of"]) - 1]
            assert int(key["of"]) < int(key["row"]) and key["person"] == truth[int(key["of"]) - 1]["person"]
            assert record != original  # entered again, written otherwise
            if truth[int(key["of"]) - 1]["kind"] == "none":  # else the original row has a defect of its own
                _assert_copy_varies_as_said(key["kind"], original, record)
        elif key["kind"] == "invalid_code":
            assert national_code_problem(record["national_code"]) == "check_digit"
        elif key["kind"] == "arabic_letters":
            fields = ("first_name", "last_name", "father_first_name", "mother_first_name")
            assert set("يك") & set("".join(record[field] for field in fields))
        elif key["kind"] == "missing_father":
            assert record["father_first_name"] == ""
        elif key["kind"] == "nonexistent":
            assert key["person"] == ""


def _assert_copy_varies_as_said(kind: str, original: dict[str, str], copy: dict[str, str]) -> None:
    def first(record: dict[str, str]) -> str:
        return split_honorific(normalize_name(record["first_name"]))[1]

    if kind == "honorific":
        assert first(copy) == first(original) and copy["first_name"] != original["first_name"]
    elif kind == "compound":
        shorter, longer = sorted((sound_key(first(copy)), sound_key(first(original))), key=len)
        assert is_compound_part(shorter, longer)
    elif kind == "gregorian_year":
        assert int(copy["birth_date"][:4]) - int(original["birth_date"][:4]) in (621, 622)
        assert copy["birth_date"][4:] == original["birth_date"][4:]
    elif kind == "missing_father":
        assert copy["father_first_name"] == "" and original["father_first_name"] != ""
    elif kind in ("day_off", "month_off", "swapped_day_month"):
        assert copy["birth_date"] != original["birth_date"] and copy["first_name"] == original["first_name"]


def test_card_histories_cover_provinces_differently_and_keep_the_lifecycle_in_order(nation, persons):
    cards = rows(nation / "cards.csv")
    people = {person["national_code"]: person for person in persons}
    end = SynthRequest(people=PEOPLE, years=YEARS).end
    for card in cards:
        born = parse_date(people[card["national_code"]]["birth_date"])
        assert eligible_from(born) <= dt.date.fromisoformat(card["applied_on"])
        steps = [
            dt.date.fromisoformat(card[c])
            for c in ("applied_on", "sent_on", "produced_on", "handed_over_on")
            if card[c]
        ]
        assert steps == sorted(steps) and steps[-1] <= end
        if card["reported_on"]:
            assert card["handed_over_on"] and card["handed_over_on"] < card["reported_on"] and card["report"] == "lost"
    holders: dict[str, set[str]] = {}
    for card in cards:
        if card["handed_over_on"] and not card["reported_on"]:
            holders.setdefault(card["county"][:2], set()).add(card["national_code"])
    adults = {}
    for person in persons:
        if parse_date(person["birth_date"]) < end.replace(year=end.year - 16):
            adults.setdefault(person["birth_county"][:2], set()).add(person["national_code"])
    shares = [len(holders.get(p, ())) / len(codes) for p, codes in adults.items() if len(codes) > 300]
    assert 0.45 < min(shares) < 0.75 and 0.8 < max(shares) <= 1.0  # provinces differ, as reported
    assert any(not card["handed_over_on"] for card in cards)  # some still on their way
